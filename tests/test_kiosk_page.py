"""The entrance kiosk page in a real headless Chromium against a running server."""

import pytest

from conftest import auth, wedge_scan

pytestmark = pytest.mark.browser

TEXT = {
    "zh": {"welcome": "欢迎，{name}！", "invalid": "二维码无效", "already": "您已签到"},
    "en": {
        "welcome": "Welcome, {name}!",
        "invalid": "This code is not valid",
        "already": "Already checked in",
    },
}
FORGED = "K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB"


@pytest.fixture
def kiosk_page(browser, live_server, make):
    """A kiosk paired through its link, in portrait, waiting on the idle screen."""
    token = make.device("kiosk", gate="north")
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk#token={token}")
    page.wait_for_selector("body[data-screen=idle]")
    yield page
    context.close()


def choose(page, lang):
    page.click(f".lang[data-lang={lang}]")
    page.wait_for_function(f"document.documentElement.lang.startsWith('{lang}')")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wedge_scan_welcomes_the_visitor_and_checks_them_in(kiosk_page, make, svc, lang):
    attendee_id, code = make.attendee(full_name="Anna Müller", company="Acme GmbH")
    choose(kiosk_page, lang)
    wedge_scan(kiosk_page, code)
    kiosk_page.wait_for_selector("#screen-result[data-kind=ok]")
    title = kiosk_page.text_content("#result-title")
    assert title == TEXT[lang]["welcome"].format(name="Anna Müller")
    assert kiosk_page.text_content("#result-name") == "Acme GmbH"
    row = svc.store.one(
        "SELECT state FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert row["state"] == "in"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_forged_code_shows_the_invalid_screen(kiosk_page, lang):
    choose(kiosk_page, lang)
    wedge_scan(kiosk_page, FORGED)
    kiosk_page.wait_for_selector("#screen-result[data-kind=bad]")
    assert kiosk_page.text_content("#result-title") == TEXT[lang]["invalid"]


def test_second_scan_says_when_and_where(kiosk_page, make, live_server):
    _, code = make.attendee(full_name="王芳")
    import requests

    first = requests.post(
        f"{live_server.url}/api/v1/checkins",
        json={"code": code, "gate": "south"},
        headers=auth(make.device("kiosk", gate="south")),
        timeout=5,
    )
    assert first.status_code == 201
    choose(kiosk_page, "en")
    wedge_scan(kiosk_page, code)
    kiosk_page.wait_for_selector("#screen-result[data-kind=warn]")
    assert kiosk_page.text_content("#result-title") == TEXT["en"]["already"]
    detail = kiosk_page.text_content("#result-detail")
    assert first.json()["attendee"]["full_name"] == "王芳"
    assert "South" in detail and "Checked in at" in detail


def test_slow_typing_in_the_search_field_is_not_a_scan(kiosk_page, make, svc):
    make.attendee(full_name="Zhang Wei", company="Sinotrans")
    kiosk_page.click("#btn-find")
    kiosk_page.wait_for_selector("body[data-screen=search]")
    kiosk_page.keyboard.type("zhang wei", delay=90)
    kiosk_page.keyboard.press("Enter")
    kiosk_page.wait_for_selector("#results .person")
    assert kiosk_page.input_value("#search-q") == "zhang wei"
    assert kiosk_page.evaluate("document.body.dataset.screen") == "search"
    checkins = "SELECT count(*) AS n FROM interactions WHERE type LIKE 'check%'"
    assert svc.store.one(checkins)["n"] == 0


def test_find_me_by_pinyin_then_proving_it_checks_in(kiosk_page, make, svc):
    attendee_id, _ = make.attendee(
        full_name="张伟", company="中远物流", phone="+86 139 1234 5678", email="zw@example.cn"
    )
    choose(kiosk_page, "zh")
    kiosk_page.click("#btn-find")
    kiosk_page.fill("#search-q", "zhangwei")
    kiosk_page.wait_for_selector("#results .person")
    # Names only: a stranger at the kiosk learns no company and no contact detail.
    assert kiosk_page.inner_text("#results") == "张伟"
    kiosk_page.click("#results .person")
    kiosk_page.wait_for_selector("body[data-screen=verify]")
    assert kiosk_page.inner_text("#verify-name") == "张伟"
    kiosk_page.fill("#verify-answer", "5678")
    kiosk_page.click("#btn-verify")
    kiosk_page.wait_for_selector("#screen-result[data-kind=ok]")
    assert kiosk_page.text_content("#result-title") == "欢迎，张伟！"
    row = svc.store.one(
        "SELECT state FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert row["state"] == "in"


def test_result_returns_to_idle_by_itself(kiosk_page):
    wedge_scan(kiosk_page, FORGED)
    kiosk_page.wait_for_selector("body[data-screen=result]")
    kiosk_page.wait_for_selector("body[data-screen=idle]", timeout=10_000)


def test_a_bad_pairing_token_stays_on_the_pairing_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk#token=kt_not-a-real-token")
    page.wait_for_selector("body[data-screen=pair]")
    assert page.is_visible("#pair-error")
    context.close()
