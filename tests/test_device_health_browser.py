"""The console's device summary in a real headless Chromium: counts, what needs attention, the
gates' kiosks, and the way to the Devices page for the rest."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

from conftest import STAFF_PASSWORD, auth
from kiosk.staff.accounts import create_staff
from kiosk.storage import devices as device_sql
from kiosk.storage import to_iso

pytestmark = pytest.mark.browser


def test_the_dashboard_summarises_devices_and_leads_to_the_rest(live_server, make, svc, browser):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    booth = make.exhibitor()
    phones = [make.device("exhibitor", name=f"phone-{i}", exhibitor_id=booth) for i in range(30)]
    a_minute_ago = to_iso(datetime.now(UTC) - timedelta(seconds=60))
    with svc.store.write() as conn:
        for token in phones:
            device_sql.touch_device(conn, svc.devices.authenticate(token).id, a_minute_ago)
    north = make.device("kiosk", name="north-1", gate="north")
    make.device("kiosk", name="south-1", gate="south")
    beat = requests.post(
        live_server.url + "/api/v1/heartbeat", json={}, headers=auth(north), timeout=10
    )
    assert beat.status_code == 200

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/staff/live?lang=en")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.click("#sign-in")
        page.wait_for_url(re.compile(r"/staff/live"))
        page.wait_for_function("document.querySelectorAll('#attention tr[data-device]').length")
        assert page.locator("#attention tr[data-trouble=offline]").count() == 25
        phones_line = page.inner_text("#device-counts [data-role=exhibitor]")
        assert "0 of 30 online" in phones_line and "30 offline" in phones_line
        north_row = page.locator("#devices tr", has_text="north-1")
        assert north_row.get_attribute("data-online") == "true"
        assert "never" in page.inner_text("#devices tr:has-text('south-1')")
        page.click("#devices-more a:has-text('5 more need attention')")
        page.wait_for_url(re.compile(r"/staff/devices\?state=attention"))
        assert page.locator("#devices tr[data-device]").count() == 30
    finally:
        context.close()
