"""The session door, the exit survey and the booth page in a real Chromium, zh and en, kiosk
and phone sizes: the door's time window, the badge checked at scan, the touch scales, the booth
page's texts and the one rating palette."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from conftest import EVENT_TOML, auth, load_settings, wedge_scan
from kiosk.leads import ratings

pytestmark = pytest.mark.browser
PORTRAIT = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}
FORGED = "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA"


@pytest.fixture
def settings(tmp_path):
    """The demo show with forum-1 running now and forum-2 over three hours ago."""
    now = datetime.now(UTC).replace(microsecond=0)
    times = iter([now - timedelta(hours=1), now + timedelta(hours=1), now - timedelta(hours=5)])
    times = iter([*times, now - timedelta(hours=3)])
    text = re.sub(
        r'(?m)^(starts|ends) = ".*"$',
        lambda m: f'{m[1]} = "{next(times).isoformat()}"',
        EVENT_TOML.read_text(encoding="utf-8"),
    )
    return load_settings(tmp_path, text)


def open_page(browser, url, viewport, lang):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    page.click(f".lang[data-lang={lang}]")
    return context, page


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_door_counts_in_while_a_session_runs_and_asks_staff_outside_it(
    browser, live_server, make, svc
):
    door = make.device("kiosk", name="forum door")
    _, grace = make.attendee(full_name="Grace Wu")
    late = [make.attendee(full_name=name)[1] for name in ("王小明", "Tom Lee")]
    for viewport, lang, texts in (
        (PORTRAIT, "en", ("Welcome", "Already counted in", "This session is over", "It ended")),
        (PHONE, "zh", ("欢迎", "已签到此论坛", "本论坛已结束", "已于")),
    ):
        context, page = open_page(
            browser, f"{live_server.url}/door?session=forum-1#token={door}", viewport, lang
        )
        welcome, already, over, ended = texts
        page.fill("#code", grace)
        page.press("#code", "Enter")
        if lang == "en":
            page.wait_for_selector("#result[data-kind=ok]")
            assert page.inner_text("#result-title") == welcome
            assert page.inner_text("#who") == "Grace Wu"
            assert page.inner_text("#count") == "1 / 200"
            page.fill("#code", grace)
            page.press("#code", "Enter")
        page.wait_for_selector(f"#result-title:text('{already}')")
        # Nothing of the page is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # forum-2 ended three hours ago: refused, naming when, and the staff may confirm.
        page.select_option("#session", "forum-2")
        page.fill("#code", late.pop())
        page.press("#code", "Enter")
        page.wait_for_selector(f"#result-title:text('{over}')")
        assert page.get_attribute("#result", "data-kind") == "bad"
        ends = svc.settings.sessions["forum-2"].ends.astimezone(svc.settings.timezone)
        assert ended in page.inner_text("#result-detail")
        assert ends.strftime("%H:%M") in page.inner_text("#result-detail")
        assert page.is_visible("#confirm")
        if lang == "en":
            page.click("#confirm")
            page.wait_for_selector("#result[data-kind=warn]")
            assert "outside the session's time" in page.inner_text("#result-detail")
        context.close()
    rows = svc.store.query(
        "SELECT place, data FROM interactions WHERE type = 'session_attended' ORDER BY id"
    )
    assert [r["place"] for r in rows] == ["forum-1", "forum-2"]
    assert json.loads(rows[1]["data"])["outside"] == "session_ended"


def test_the_exit_survey_checks_the_badge_at_scan_and_lays_scales_out_for_touch(
    browser, live_server, make, svc
):
    kiosk = make.device("kiosk", name="exit")
    attendee_id, code = make.attendee(full_name="林小红")
    for viewport, lang in ((PORTRAIT, "zh"), (PHONE, "en")):
        context, page = open_page(browser, f"{live_server.url}/exit#token={kiosk}", viewport, lang)
        page.wait_for_selector("#recommend button")
        tops = page.eval_on_selector_all(
            "#recommend button", "bs => bs.map(b => Math.round(b.getBoundingClientRect().top))"
        )
        if viewport is PORTRAIT:
            assert len(set(tops)) == 1, "0-10 on one row at kiosk size"
        else:
            assert tops[:6] == [tops[0]] * 6 and tops[6:] == [tops[6]] * 5 and tops[6] > tops[0]
        sizes = page.eval_on_selector_all(
            ".choices button", "bs => bs.map(b => [b.offsetWidth, b.offsetHeight])"
        )
        assert min(w for w, _ in sizes) >= 44 and min(h for _, h in sizes) >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # A forged code is refused when scanned, not when the answer is sent.
        wedge_scan(page, FORGED)
        page.wait_for_selector("#badge[data-kind=bad]")
        refused = page.inner_text("#badge")
        assert ("无效胸卡" if lang == "zh" else "Not a valid badge") in refused
        if lang == "zh":
            context.close()
            continue
        wedge_scan(page, code)
        page.wait_for_selector("#badge[data-kind=ok]")
        assert "林小红" not in page.inner_text("body")
        page.click("#satisfaction button[data-value='5']")
        page.click("#recommend button[data-value='10']")
        page.click("#submit")
        page.wait_for_selector("#result[data-kind=ok]")
        assert page.inner_text("#result") == "Thank you! Have a safe trip home."
        context.close()
    row = svc.store.one("SELECT attendee_id, satisfaction, recommend FROM survey_responses")
    assert tuple(row) == (attendee_id, 5, 10)
    # The same badge again is turned away at the scan.
    context, page = open_page(browser, f"{live_server.url}/exit#token={kiosk}", PHONE, "en")
    page.evaluate("(c) => ExitSurvey.scanned(c)", code)
    page.wait_for_selector("#badge[data-kind=bad]")
    assert "answered today already" in page.inner_text("#badge")
    context.close()


def test_booth_page_texts_and_one_rating_palette(browser, live_server, make, svc):
    exhibitor = make.exhibitor(name="Hengli Industrial Automation Ltd.", booth="H2-118")
    token = make.device("exhibitor", exhibitor_id=exhibitor)
    _, code = make.attendee(full_name="Ana Silva", company="Silva Lda")
    lead = requests.post(
        f"{live_server.url}/api/v1/leads",
        json={"code": code, "client_ref": "r1", "rating": "hot"},
        headers=auth(token),
        timeout=10,
    )
    assert lead.status_code == 201
    for lang, one_scan in (("en", "1 scan"), ("zh", "1 次扫描")):
        context, page = open_page(
            browser, f"{live_server.url}/exhibitor/#token={token}", PHONE, lang
        )
        page.wait_for_selector("#view-main:not([hidden])")
        name = page.locator("#booth-name")
        assert name.inner_text().startswith("H2-118 · ")
        # Two lines at most, and the whole name is there (not cut off on one line).
        assert page.evaluate("(e) => e.scrollHeight <= e.clientHeight + 1", name.element_handle())
        page.click(".tab[data-tab=list]")
        page.wait_for_selector("#lead-list li")
        sub = page.inner_text("#lead-list li")
        assert one_scan in sub and "1 scans" not in sub
        assert page.inner_text("#list-count").startswith("1 lead" if lang == "en" else "1 条线索")
        select = page.locator("#filter-question").element_handle()
        assert page.evaluate("(s) => s.scrollWidth <= s.clientWidth", select)
        hot = page.eval_on_selector(".rating.hot", "e => getComputedStyle(e).backgroundColor")
        assert hot == rgb(ratings.COLOURS["hot"])
        context.close()
    # The post-show report draws the same hot, warm and cold.
    from kiosk.crm.report import collect, render

    html = render(svc.settings, collect(svc.store, svc.settings))
    for key in ("hot", "warm", "cold"):
        assert f'fill="{ratings.COLOURS[key]}"' in html
