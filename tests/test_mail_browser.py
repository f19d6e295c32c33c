"""The console's mail card in a real headless Chromium."""

import re

import pytest

from conftest import SCREENSHOTS, STAFF_PASSWORD
from kiosk.staff.accounts import create_staff
from kiosk.storage import mailings

pytestmark = pytest.mark.browser


def test_the_people_page_shows_the_mail_card(live_server, make, svc, browser):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    people = [make.attendee(full_name=f"林{n}", email=f"l{n}@example.com") for n in range(3)]
    with svc.store.write() as conn:
        mailings.mark(conn, "confirmation", f"attendee:{people[0][0]}", "x", "sent")
        mailings.mark(conn, "invitation", "email:abc", "expo-2026", "refused")
        mailings.mark(conn, "invitation", "email:def", "expo-2026", "pending")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/staff/people")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/staff/people"))
    card = page.locator("#mail-status")
    assert card.is_visible()
    text = card.inner_text()
    assert "Mail" in text and "Confirmations" in text and "Invitations" in text
    row = page.locator("tr[data-kind=invitation]")
    assert [row.locator(f".{k}").inner_text() for k in ("sent", "failed", "pending")] == [
        "0",
        "1",
        "1",
    ]
    # Confirmations: one sent (another code, so still due), three people due.
    assert page.locator("tr[data-kind=confirmation] .pending").inner_text() == "3"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "console-mail-card.png"))
    context.close()
