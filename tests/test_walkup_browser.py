"""The walk-up form in a real Chromium: register in Chinese, be recognised, see errors in your language."""

from __future__ import annotations

import pytest

from conftest import SCREENSHOTS, auth, walk_up_steps

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "walk-up"


def _shot(page, name):
    page.screenshot(path=SHOTS / f"{name}.png")


@pytest.fixture
def kiosk_page(browser, live_server, make):
    token = make.device("kiosk", name="walkup-kiosk")
    contexts = []

    def open_page(width=1080, height=1920):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        # Count print requests while letting the real window.print run.
        page.add_init_script(
            "window.__prints = 0; const p = window.print.bind(window);"
            " window.print = () => { window.__prints += 1; return p(); };"
        )
        page.goto(f"{live_server.url}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_walkup_in_chinese_prints_badge_and_checks_in(kiosk_page, svc):
    page = kiosk_page()
    page.click("#btn-register")
    page.wait_for_selector("#reg-form")
    walk_up_steps(
        page,
        "trade",
        consents=(),
        full_name="李雪梅",
        company="苏州恒信精密制造有限公司",
        email="xuemei.li@example.cn",
        phone="139 1234 5678",
    )
    boxes = page.locator("[data-consent]")
    assert boxes.count() == 2 and not boxes.nth(0).is_checked() and not boxes.nth(1).is_checked()
    terms = svc.settings.consents["terms"].text["zh"]
    assert page.locator(".consent-text").first.inner_text().startswith(terms)
    page.check('[data-consent="terms"]')
    _shot(page, "walkup-zh-portrait-filled")
    page.click("#reg-submit")
    page.wait_for_selector("#screen-result:not([hidden])")
    page.wait_for_function("document.querySelector('#result-print').dataset.kind === 'ok'")
    assert "李雪梅" in page.inner_text("#result-title")
    _shot(page, "walkup-zh-portrait-done")
    row = svc.store.one("SELECT * FROM attendees WHERE email_key = 'xuemei.li@example.cn'")
    assert (
        row["full_name"] == "李雪梅" and row["category"] == "trade" and row["source"] == "walk-up"
    )
    assert row["phone"] == "+8613912345678" and row["language"] == "zh"
    assert (
        svc.store.one("SELECT state FROM presence WHERE attendee_id = :id", {"id": row["id"]})[
            "state"
        ]
        == "in"
    )
    consents = {
        r["consent"]: r["granted"]
        for r in svc.store.query(
            "SELECT * FROM consents WHERE attendee_id = :id", {"id": row["id"]}
        )
    }
    assert consents == {"terms": 1, "share_with_exhibitors": 0}
    job = svc.store.one("SELECT * FROM print_jobs WHERE attendee_id = :id", {"id": row["id"]})
    assert job["status"] == "browser"
    assert page.evaluate("window.__prints") == 1
    assert page.evaluate("document.querySelector('#print-img').naturalWidth") == 1200


def test_registering_again_is_recognised_and_asked_to_prove_it(kiosk_page, live_server, make, svc):
    import requests

    first = requests.post(
        f"{live_server.url}/api/v1/registrations",
        json={
            "full_name": "周杰",
            "company": "台北星辰音乐",
            "email": "jay.zhou@example.com",
            "category": "visitor",
            "consents": {"terms": True},
        },
        headers=auth(make.device("staff")),
        timeout=10,
    )
    assert first.status_code == 201
    page = kiosk_page(1920, 1080)
    page.click("#btn-register")
    walk_up_steps(page, full_name="周 杰", email="JAY.ZHOU@EXAMPLE.COM")
    page.click("#reg-submit")
    page.wait_for_selector("body[data-screen=verify]")
    assert page.inner_text("#verify-title") == "您已经登记过了"
    # Recognised, not named: whoever typed the e-mail proves it before the badge prints.
    assert "周杰" not in page.inner_text("body") and "台北" not in page.inner_text("body")
    _shot(page, "walkup-zh-landscape-known")
    page.fill("#verify-answer", "jay.zhou@example.com")
    page.click("#btn-verify")
    page.wait_for_selector("#screen-result:not([hidden])")
    assert "周杰" in page.inner_text("#result-title")
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 1
    attendee_id = first.json()["attendee"]["id"]
    assert (
        svc.store.one(
            "SELECT state FROM presence WHERE attendee_id = :attendee_id",
            {"attendee_id": attendee_id},
        )["state"]
        == "in"
    )


def test_field_errors_are_shown_next_to_the_field_in_the_visitors_language(kiosk_page, svc):
    page = kiosk_page()
    page.click("#btn-register")
    page.click('[data-category="visitor"]')
    page.click("#reg-next")
    page.wait_for_selector('.field.invalid[data-field="full_name"]')
    assert page.inner_text('[data-field="full_name"] .field-error') == "请填写此项"
    _shot(page, "walkup-zh-portrait-errors")
    page.click('.lang[data-lang="en"]')
    assert page.inner_text('[data-field="full_name"] .field-error') == "Please fill this in"
    page.fill("#reg-full_name", "Ana Souza")
    page.click("#reg-next")
    page.click("#reg-next")
    page.fill("#reg-email", "not an email")
    page.click("#reg-next")
    page.wait_for_selector('.field.invalid[data-field="email"]')
    assert (
        page.inner_text('[data-field="email"] .field-error') == "This is not a valid email address"
    )
    assert page.inner_text("label[for=reg-email]").startswith("Email")
    assert page.input_value("#reg-email") == "not an email"  # what was typed stays
    _shot(page, "walkup-en-portrait-errors")
    page.set_viewport_size({"width": 1920, "height": 1080})
    _shot(page, "walkup-en-landscape-errors")
    page.fill("#reg-email", "ana@example.com")
    page.click("#reg-next")
    page.click("#reg-submit")
    page.wait_for_selector('.consent.invalid[data-field="consents.terms"]')
    page.click('.lang[data-lang="zh"]')
    assert page.inner_text('[data-field="consents.terms"] .field-error') == "登记需要您的同意"
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 0


def test_a_failed_print_sends_the_visitor_to_the_desk_checked_in(tmp_path, browser):
    from conftest import EVENT_TOML, Factory, LiveServer, load_settings
    from kiosk.services import open_services

    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        '[kiosks.north-1]\ngate = "north"\nprinter = ""',
        '[kiosks.north-1]\ngate = "north"\nprinter = "no-such-printer"',
    )
    settings = load_settings(tmp_path, text)
    svc = open_services(settings)
    make = Factory(svc)
    attendee_id, code = make.attendee(full_name="Ana Souza")
    token = make.device("kiosk", name="north-1")
    server = LiveServer(settings)
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        page.evaluate("(code) => window.Kiosk.checkIn({ code })", code)
        page.wait_for_function("document.querySelector('#result-print').dataset.kind === 'bad'")
        assert "服务台" in page.inner_text("#result-print")
        _shot(page, "walkup-zh-portrait-print-failed")
    finally:
        context.close()
        server.stop()
    presence = svc.store.one(
        "SELECT state FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert presence["state"] == "in"
    job = svc.store.one(
        "SELECT status FROM print_jobs WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
    assert job["status"] == "failed"
    svc.store.close()
