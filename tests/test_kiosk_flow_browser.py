"""The kiosk's modes, idle timeouts and honest printing in a real headless Chromium, zh and en,
portrait and landscape.

The show here runs in a time zone where it is about noon and closes its days two hours from now,
so a check-in "yesterday evening" still holds today and the kiosk must name its day.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from conftest import EVENT_TOML, SCREENSHOTS, STAFF_PASSWORD, auth, load_settings, wedge_scan
from kiosk.staff.accounts import create_staff

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "kioskflow"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
FAST = "KioskIdle.configure({quietMs: 1000, promptMs: 3000})"

TEXT = {
    "zh": {
        "goodbye": "再见，{name}！",
        "idle_out": "离场请扫描胸卡",
        "mode_out": "离场",
        "already_out": "您已离场",
        "left": "您已于 {time} 从 北1门 离场。",
        "back_hint": "如需再次入场，请一分钟后再扫描一次。",
        "already": "您已签到",
        "on_day": "已于 {day} 20:00 在 北1门 签到",
        "still": "您还在吗？",
        "welcome": "欢迎，{name}！",
        "desk": "请到服务台领取",
        "take": "请在打印机处取走您的胸卡",
    },
    "en": {
        "goodbye": "Goodbye, {name}!",
        "idle_out": "Leaving? Please scan your badge",
        "mode_out": "Exit",
        "already_out": "You have already left",
        "left": "You left at {time} through North 1.",
        "back_hint": "Coming back in? Scan again in a minute.",
        "already": "Already checked in",
        "on_day": "Checked in on {day} at 20:00 at North 1",
        "still": "Still there?",
        "welcome": "Welcome, {name}!",
        "desk": "please collect it at the desk",
        "take": "Please take your badge from the printer",
    },
}


def _noon_zone() -> str:
    """An Etc/GMT zone where the local hour is now 12."""
    offset = ((12 - datetime.now(UTC).hour + 12) % 24) - 12
    return f"Etc/GMT{-offset:+d}"


@pytest.fixture
def settings(tmp_path):
    zone = _noon_zone()
    text = (
        EVENT_TOML.read_text(encoding="utf-8")
        .replace('timezone = "Asia/Shanghai"', f'timezone = "{zone}"', 1)
        .replace('days = ["2026-11-24"', 'day_closes = "14:00"\ndays = ["2026-11-24"', 1)
    )
    return load_settings(tmp_path, text)


def shot(page, name):
    """Portrait and landscape screenshots of the screen as it is."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size(PORTRAIT)
    page.screenshot(path=SHOTS / f"{name}-1080x1920.png")
    page.set_viewport_size(LANDSCAPE)
    page.screenshot(path=SHOTS / f"{name}-1920x1080.png")
    page.set_viewport_size(size)


def open_kiosk(browser, url, token, lang, viewport=PORTRAIT, init=""):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if init:
        page.add_init_script(init)
    page.goto(f"{url}/kiosk#token={token}")
    page.wait_for_selector("body[data-screen=idle]")
    choose(page, lang)
    return context, page


def choose(page, lang):
    page.click(f".lang[data-lang={lang}]")
    page.wait_for_function(f"document.documentElement.lang.startsWith('{lang}')")


# A keyboard-wedge scanner's burst: every key at once, then Enter. Sent from the page itself, so
# a loaded test machine cannot spread the keys out until they look like typing.
def back_to_idle(page):
    page.evaluate("Kiosk.idle()")
    page.wait_for_selector("body[data-screen=idle]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_exit_kiosk_says_goodbye_and_explains_a_second_exit(
    browser, live_server, make, svc, lang
):
    text = TEXT[lang]
    token = make.device(gate="north", direction="out")
    attendee_id, code = make.attendee(full_name="Anna Müller", company="Acme", language=lang)
    make.check_in(code)
    context, page = open_kiosk(browser, live_server.url, token, lang)
    assert page.inner_text("#screen-idle h1") == text["idle_out"]
    assert page.inner_text("#mode-tag") == text["mode_out"]
    assert not page.is_visible("#btn-register")
    shot(page, f"exit-idle-{lang}")
    wedge_scan(page, code)
    page.wait_for_selector("#screen-result[data-kind=bye]")
    assert page.inner_text("#result-title") == text["goodbye"].format(name="Anna Müller")
    shot(page, f"exit-goodbye-{lang}")
    row = svc.store.one(
        "SELECT state, at FROM presence WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
    left_at = datetime.fromisoformat(row["at"].replace("Z", "+00:00"))
    local = left_at.astimezone(svc.settings.timezone).strftime("%H:%M")
    assert row["state"] == "out" and local in page.inner_text("#result-detail")
    back_to_idle(page)
    wedge_scan(page, code)
    page.wait_for_selector("#screen-result[data-kind=warn]")
    assert page.inner_text("#result-title") == text["already_out"]
    assert page.inner_text("#result-detail") == text["left"].format(time=local)
    shot(page, f"exit-second-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_both_ways_kiosk_lets_out_whoever_is_inside_and_not_back_in_on_a_double_scan(
    browser, live_server, make, svc, lang
):
    text = TEXT[lang]
    token = make.device(gate="north", direction="both")
    _, code = make.attendee(full_name="李雪梅", language=lang)
    make.check_in(code, now=datetime.now(svc.settings.timezone) - timedelta(minutes=30))
    context, page = open_kiosk(browser, live_server.url, token, lang, LANDSCAPE)
    wedge_scan(page, code)
    page.wait_for_selector("#screen-result[data-kind=bye]")
    assert page.inner_text("#result-title") == text["goodbye"].format(name="李雪梅")
    back_to_idle(page)
    wedge_scan(page, code)
    page.wait_for_selector("#screen-result[data-kind=warn]")
    assert page.inner_text("#result-title") == text["already_out"]
    assert page.inner_text("#result-detail").endswith(text["back_hint"])
    shot(page, f"both-double-scan-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refusal_names_the_day_when_it_was_not_today(browser, live_server, make, svc, lang):
    text = TEXT[lang]
    token = make.device(gate="north")
    _, code = make.attendee(full_name="Wang Fang", language=lang)
    today = datetime.now(svc.settings.timezone)
    yesterday = (today - timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    make.check_in(code, now=yesterday)
    context, page = open_kiosk(browser, live_server.url, token, lang)
    wedge_scan(page, code)
    page.wait_for_selector("#screen-result[data-kind=warn]")
    assert page.inner_text("#result-title") == text["already"]
    if lang == "en":
        day = f"{yesterday:%a} {yesterday.day} {yesterday:%b}"
    else:
        day = f"{yesterday.month}月{yesterday.day}日周" + "一二三四五六日"[yesterday.weekday()]
    assert page.inner_text("#result-detail") == text["on_day"].format(day=day)
    shot(page, f"already-on-another-day-{lang}")
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_returns_to_the_start_asking_first_where_the_visitor_typed(
    browser, live_server, make, lang
):
    text = TEXT[lang]
    make.attendee(full_name="Zhang Wei", phone="+86 139 1234 8000")
    token = make.device(gate="north")
    context, page = open_kiosk(browser, live_server.url, token, lang)
    page.evaluate(FAST)
    # Search: typed, so it asks; a touch keeps the screen; then it clears.
    page.click("#btn-find")
    page.fill("#search-q", "Zhang")
    page.wait_for_selector("#results .person")
    page.wait_for_selector("#still-there:not([hidden])")
    assert page.inner_text("#still-there-title") == text["still"]
    page.click("#still-there")
    page.wait_for_selector("#still-there", state="hidden")
    assert page.evaluate("document.body.dataset.screen") == "search"
    assert page.input_value("#search-q") == "Zhang"
    page.wait_for_selector("#still-there:not([hidden])")
    shot(page, f"still-there-search-{lang}")
    page.wait_for_selector("body[data-screen=idle]")
    assert page.input_value("#search-q") == ""
    assert page.locator("#results li").count() == 0
    # The start speaks the show's default language again: the next visitor chooses theirs.
    choose(page, lang)
    # "Is this you?": the name shown and the answer half typed go too.
    page.click("#btn-find")
    page.fill("#search-q", "Zhang")
    page.locator("#results .person").first.click()
    page.wait_for_selector("body[data-screen=verify]")
    page.fill("#verify-answer", "80")
    page.wait_for_selector("#still-there:not([hidden])")
    assert page.inner_text("#still-there-title") == text["still"]
    shot(page, f"still-there-verify-{lang}")
    page.wait_for_selector("body[data-screen=idle]")
    assert page.input_value("#verify-answer") == ""
    assert page.inner_text("#verify-name") == ""
    # Nothing typed: straight back, no question.
    page.click("#btn-find")
    page.wait_for_selector("body[data-screen=search]")
    page.wait_for_selector("body[data-screen=idle]")
    assert page.is_hidden("#still-there")
    # The walk-up form, whatever its steps: any typed input gets the question, then clears.
    choose(page, lang)
    page.click("#btn-register")
    page.wait_for_selector("body[data-screen=register]")
    page.click('[data-category="visitor"]')
    first = page.locator(
        "#screen-register input[type=text]:visible, #screen-register input:not([type]):visible"
    )
    first.first.fill("Visitor typing")
    page.wait_for_selector("#still-there:not([hidden])")
    assert page.inner_text("#still-there-title") == text["still"]
    shot(page, f"still-there-walkup-{lang}")
    page.wait_for_selector("body[data-screen=idle]")
    left = page.evaluate(
        "[...document.querySelectorAll('#screens input, #screens textarea')]"
        ".filter((i) => i.id !== 'pair-token' && !['hidden', 'checkbox', 'radio'].includes(i.type))"
        ".filter((i) => i.value).map((i) => i.outerHTML)"
        ".concat([...document.querySelectorAll('#screens input[type=checkbox]:checked')]"
        ".map((i) => i.outerHTML))"
    )
    assert left == []
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_badge_that_cannot_print_sends_the_visitor_to_the_desk_and_tells_staff(
    browser, live_server, make, svc, lang
):
    text = TEXT[lang]
    token = make.device(gate="north", printer=f"no-such-queue-{lang}", name=f"north-{lang}")
    _, code = make.attendee(full_name="Chen Jing", language=lang)
    context, page = open_kiosk(browser, live_server.url, token, lang)
    wedge_scan(page, code)
    page.wait_for_selector("#result-print[data-kind=bad]")
    assert text["welcome"].format(name="Chen Jing") == page.inner_text("#result-title")
    assert text["desk"] in page.inner_text("#result-print")
    assert text["take"] not in page.inner_text("#screen-result")
    shot(page, f"print-failed-{lang}")
    staff = make.device("staff")
    alerts = requests.get(f"{live_server.url}/api/v1/dashboard", headers=auth(staff), timeout=10)
    found = [a for a in alerts.json()["dashboard"]["alerts"] if a["kind"] == "print_failed"]
    assert found and found[0]["device"] == f"north-{lang}"
    context.close()


def test_browser_printing_says_take_your_badge_once_the_page_went_to_print(
    browser, live_server, make
):
    token = make.device(gate="north", printing="browser", printer="ignored-queue")
    _, code = make.attendee(full_name="Ma Li")
    context, page = open_kiosk(
        browser,
        live_server.url,
        token,
        "en",
        init="window.__prints = 0; window.print = () => { window.__prints += 1; };",
    )
    wedge_scan(page, code)
    page.wait_for_selector("#result-print[data-kind=ok]")
    assert page.inner_text("#result-print") == TEXT["en"]["take"]
    assert page.evaluate("window.__prints") == 1
    context.close()


def test_staff_see_each_kiosks_printer_and_mode_on_the_devices_page(
    browser, live_server, make, svc
):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    make.device(gate="north", name="north-1", printer="badge-north")
    make.device(gate="south", name="south-exit", direction="out", printing="none")
    context = browser.new_context(viewport=LANDSCAPE)
    page = context.new_page()
    page.goto(live_server.url + "/staff/devices")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/staff/devices"))
    row = page.locator('#devices tr:has(input[value="south-exit"])')
    assert "no printer" in row.locator(".printer-state").inner_text()
    assert row.locator("select[name=direction]").input_value() == "out"
    assert "badge-north" in page.locator('#devices tr:has(input[value="north-1"])').inner_text()
    row = page.locator('#devices tr:has(input[value="north-1"])')
    row.locator("select[name=direction]").select_option("both")
    row.locator("form.mode button").click()
    page.wait_for_url(re.compile(r"/staff/devices"))
    row = page.locator('#devices tr:has(input[value="north-1"])')
    assert row.locator("select[name=direction]").input_value() == "both"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "console-devices-1920x1080.png", full_page=True)
    context.close()
