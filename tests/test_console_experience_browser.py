"""The console as staff see it in Chromium: names and venue time on the dashboard, readable
charts, the wall, gate telemetry falling behind, the timeline, and confirmations that ask first."""

import re
from datetime import datetime

import pytest
import requests

from conftest import EVENT_TOML, SCREENSHOTS, STAFF_PASSWORD, LiveServer, auth, load_settings
from kiosk.services import open_services
from kiosk.staff.accounts import create_staff

pytestmark = pytest.mark.browser

# One kiosk serving one visitor every 10 minutes: two arrivals in 5 minutes put a gate behind.
SLOW_GATES = "\n[console]\nservice_s = 600\nalert_wait_s = 120\n"


def sign_in(page, url, lang):
    page.goto(f"{url}/staff/sign-in?lang={lang}")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/staff/live$"))


@pytest.fixture
def slow_show(tmp_path):
    settings = load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + SLOW_GATES)
    services = open_services(settings)
    create_staff(services.store, "alice", STAFF_PASSWORD)
    server = LiveServer(settings)
    yield settings, services, server
    server.stop()
    services.store.close()


def test_dashboard_wall_and_timeline_in_the_shows_words(slow_show, browser):
    from conftest import Factory

    settings, services, server = slow_show
    make = Factory(services)
    kiosk = make.device("kiosk", name="north-1", gate="north")
    first, code = make.attendee(
        full_name="林小红", company="Acme", category="buyer", phone="+8613912340001"
    )
    _, code2 = make.attendee(
        full_name="Grace Wu", company="Wu Ltd", category="buyer", phone="+8613912340002"
    )
    # A browser on the other side of the world still reads venue time.
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, timezone_id="America/New_York", locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, server.url, "en")
        page.wait_for_function("document.getElementById('registered').textContent === '2'")
        res = requests.post(
            server.url + "/api/v1/checkins",
            json={"code": code, "gate": "north"},
            headers=auth(kiosk),
            timeout=10,
        )
        assert res.status_code == 201
        page.wait_for_function("document.getElementById('checked_in').textContent === '1'")
        at = services.store.one("SELECT at FROM interactions WHERE type = 'checked_in'")["at"]
        venue = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(settings.timezone)
        page.wait_for_selector("#latest a")
        assert venue.strftime("%H:%M:%S") in page.inner_text("#latest")
        assert "North 1" in page.inner_text("#latest") and "north" not in page.inner_text("#latest")
        assert "North 1" in page.inner_text("#gates") and "Buyer" in page.inner_text("#categories")
        assert "buyer" not in page.inner_text("#categories")
        # Chart labels at the page's font size, not shrunk with the drawing.
        size = page.eval_on_selector(
            "#arrivals svg text", "t => parseFloat(getComputedStyle(t).fontSize)"
        )
        assert size >= 14
        # Two arrivals in five minutes for a gate serving one in ten minutes: behind.
        requests.post(
            server.url + "/api/v1/checkins",
            json={"code": code2, "gate": "north"},
            headers=auth(kiosk),
            timeout=10,
        )
        page.wait_for_selector("#behind:not([hidden])")
        assert "North 1 is falling behind" in page.inner_text("#behind")
        row = page.locator('#telemetry tr[data-gate="north"]')
        assert row.get_attribute("data-behind") == "true"
        assert re.search(r"\d+ ms", row.inner_text())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console-live-behind.png"), full_page=True)

        # The wall: the same figures, large, no controls, in Chinese after the switch.
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=zh]")
        # The page comes back in Chinese and fills in once its first snapshot arrives.
        page.wait_for_function("document.querySelector('#gates').innerText.includes('北1门')")
        page.goto(server.url + "/staff/wall")
        page.wait_for_function("document.getElementById('checked_in').textContent === '2'")
        assert page.locator("nav, button, input, select").count() == 0
        figure = page.eval_on_selector(
            "#checked_in", "b => parseFloat(getComputedStyle(b).fontSize)"
        )
        assert figure >= 48
        assert "采购商" in page.inner_text("#categories")
        assert "排队过长" in page.inner_text("#behind")
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
        page.screenshot(path=str(SCREENSHOTS / "console-wall.png"))

        # The person's timeline in sentences, by venue day and time.
        page.goto(f"{server.url}/staff/people/{first}?lang=en")
        timeline = page.inner_text("#timeline")
        assert f"{venue:%H:%M}\nChecked in at North 1 · north-1" in timeline
        assert "Registered (" in timeline and "{" not in timeline
    finally:
        context.close()


def test_destructive_actions_ask_first_and_cancel_sends_nothing(live_server, make, svc, browser):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    make.device("kiosk", name="north-1", gate="north")
    person, code = make.attendee(full_name="Ada Lovelace")
    kiosk = make.device("kiosk", name="south-1", gate="south")
    requests.post(
        live_server.url + "/api/v1/checkins",
        json={"code": code, "gate": "south"},
        headers=auth(kiosk),
        timeout=10,
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "en")
        page.goto(live_server.url + "/staff/devices")
        row = page.locator('#devices tr:has(input[value="north-1"])')
        row.locator("form.revoke button").click()
        dialog = page.locator("dialog#confirm")
        assert dialog.evaluate("d => d.open")
        assert "Revoke “north-1”: its token stops working" in dialog.inner_text()
        assert page.evaluate("document.activeElement.id") == "confirm-cancel"
        page.keyboard.press("Escape")
        assert not dialog.evaluate("d => d.open")
        revoked = "SELECT revoked_at FROM devices WHERE name = 'north-1'"
        assert svc.store.one(revoked)["revoked_at"] is None
        row.locator("form.revoke button").click()
        page.click("#confirm-ok")
        page.wait_for_selector("text=Revoked")
        assert svc.store.one(revoked)["revoked_at"] is not None

        # Voiding names the passage; cancelling keeps it.
        page.goto(f"{live_server.url}/staff/people/{person}")
        page.fill("form.void input[name=reason]", "double scan")
        page.click("form.void button")
        assert "Void the passage of" in dialog.inner_text()
        page.click("#confirm-cancel")
        assert (
            svc.store.one("SELECT count(*) FROM interactions WHERE type = 'checkin_voided'")[0] == 0
        )
        page.click("form.void button")
        page.click("#confirm-ok")
        page.wait_for_selector("#timeline .voided")
        assert "Passage at South 1 voided by alice: double scan" in page.inner_text("#timeline")
        # Every console page fits a phone's width.
        for path in (
            "/staff/live",
            "/staff/people?q=ada",
            f"/staff/people/{person}",
            "/staff/review",
            "/staff/register",
            "/staff/devices",
            "/staff/exhibitors",
            "/staff/sessions",
            "/staff/audit",
            "/staff/wall",
        ):
            page.goto(live_server.url + path)
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{path} is {wide}px wider than the phone"
    finally:
        context.close()
