"""An axe-core audit (vendored in tests/vendor/axe-core) of every page people touch, in Chromium,
in Chinese and English: no serious or critical violation."""

from pathlib import Path

import pytest

from conftest import STAFF_PASSWORD, load_settings, running_sessions_toml
from kiosk.staff.accounts import create_staff

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
FORGED = "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA"


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path, running_sessions_toml())


def audit(page, where: str) -> list[str]:
    """The serious and critical violations on the page as it is now, one line each."""
    page.add_script_tag(content=AXE)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def choose(page, lang):
    button = page.locator(f".lang[data-lang={lang}]")
    if button.count():
        button.first.click()


def test_no_serious_or_critical_violation_on_any_page(browser, live_server, make, svc):
    kiosk = make.device("kiosk", name="north-1")
    booth = make.device("exhibitor", name="booth phone")
    _, code = make.attendee(full_name="张伟", company="华为")
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    found: list[str] = []
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.set_default_timeout(10_000)
    for lang in ("zh", "en"):
        page.goto(f"{live_server.url}/kiosk#token={kiosk}")
        page.wait_for_selector("body[data-screen=idle]")
        choose(page, lang)
        found += audit(page, f"kiosk idle {lang}")
        page.click("#btn-find")
        page.fill("#search-q", "张伟")
        page.wait_for_selector("#results .person")
        found += audit(page, f"kiosk search {lang}")
        page.goto(f"{live_server.url}/door?session=forum-1#token={kiosk}")
        choose(page, lang)
        page.fill("#code", code)
        page.press("#code", "Enter")
        page.wait_for_selector("#result:not([data-kind=idle])")
        found += audit(page, f"door {lang}")
        page.goto(f"{live_server.url}/exit#token={kiosk}")
        choose(page, lang)
        page.evaluate("(c) => ExitSurvey.scanned(c)", FORGED)
        page.wait_for_selector("#badge[data-kind=bad]")
        page.click("#recommend button[data-value='9']")
        found += audit(page, f"exit {lang}")
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    for lang in ("zh", "en"):
        page.goto(f"{live_server.url}/exhibitor/#token={booth}")
        page.wait_for_selector("#view-main:not([hidden])")
        choose(page, lang)
        page.click(".tab[data-tab=scan]")
        found += audit(page, f"booth scan {lang}")
        page.fill("#manual-code", code)
        page.press("#manual-code", "Enter")
        page.wait_for_selector("#editor:not([hidden])")
        found += audit(page, f"booth lead {lang}")
        page.click("#btn-close")
        page.click(".tab[data-tab=list]")
        page.wait_for_selector("#lead-list li")
        found += audit(page, f"booth list {lang}")
    context.close()

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staff/sign-in")
    found += audit(page, "console sign-in")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/staff/**")
    person = svc.store.one("SELECT id FROM attendees LIMIT 1")["id"]
    pages = ["live", "people", f"people/{person}", "review", "register", "devices"]
    pages += ["exhibitors", "sessions", "audit"]
    for lang in ("zh", "en"):
        for name in pages:
            page.goto(f"{live_server.url}/staff/{name}")
            choose(page, lang)
            page.wait_for_load_state("networkidle")
            found += audit(page, f"console {name} {lang}")
    context.close()
    assert not found, "\n".join(found)
