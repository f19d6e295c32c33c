"""Device health at a show with many booth phones: dashboards get a bounded summary
(`device_summary`) that still shows a device going offline; the Devices page filters and pages."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from conftest import BOTH_DATABASES, auth
from kiosk.storage import devices as device_sql
from kiosk.storage import to_iso

pytestmark = BOTH_DATABASES

PHONES = 110


def live_client(app, client, token, **extra):
    return app.extensions["socketio"].test_client(
        app, namespace="/live", auth={"token": token, **extra}, flask_test_client=client
    )


def events(received, name):
    return [e["args"][0] for e in received if e["name"] == name]


def device_id(svc, token):
    return svc.devices.authenticate(token).id


def silent_since(svc, ids, seconds):
    """These devices last answered `seconds` ago (before this server started)."""
    at = to_iso(datetime.now(UTC) - timedelta(seconds=seconds))
    with svc.store.write() as conn:
        for i in ids:
            device_sql.touch_device(conn, i, at)


@pytest.fixture
def busy_show(make, svc):
    """A show with a kiosk at each gate and PHONES booth phones that went quiet a minute ago."""
    booth = make.exhibitor()
    phones = [
        device_id(svc, make.device("exhibitor", name=f"phone-{i}", exhibitor_id=booth))
        for i in range(PHONES)
    ]
    silent_since(svc, phones, 60)
    kiosks = {
        gate: make.device("kiosk", name=f"{gate}-1", gate=gate) for gate in ("north", "south")
    }
    return phones, kiosks


def test_a_dashboard_gets_a_bounded_summary_that_still_shows_a_kiosk_going_offline(
    app, client, make, svc, busy_show
):
    phones, kiosks = busy_show
    for token in kiosks.values():
        assert client.post("/api/v1/heartbeat", json={}, headers=auth(token)).status_code == 200
    staff = make.device("staff")
    dashboard = live_client(app, client, staff, batch=True, summary=True)
    received = dashboard.get_received("/live")
    assert not events(received, "devices")
    summary = events(received, "device_summary")[-1]
    whole = client.get("/api/v1/dashboard", headers=auth(staff)).get_json()["devices"]
    assert len([d for d in whole if d["role"] != "staff"]) == PHONES + 2
    # Every phone is counted, a few are listed: the summary stays small however many there are.
    assert summary["by_role"]["exhibitor"] == {
        "total": PHONES,
        "online": 0,
        "offline": PHONES,
        "never": 0,
        "trouble": PHONES,
    }
    assert summary["attention_total"] == PHONES and len(summary["attention"]) == 25
    assert len(json.dumps(summary)) < 10_000 < len(json.dumps(whole)) / 2
    assert [(k["name"], k["online"]) for k in summary["kiosks"]] == [
        ("north-1", True),
        ("south-1", True),
    ]

    # north-1 stops answering: the next summary puts it first among the devices in trouble.
    north = device_id(svc, kiosks["north"])
    live = app.extensions["kiosk.live"]
    live.heartbeats.shared.beat(
        north, time.time() - 30, to_iso(datetime.now(UTC) - timedelta(seconds=30)), None
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sent = events(dashboard.get_received("/live"), "device_summary")
        summary = next((s for s in sent if s["by_role"]["kiosk"]["offline"]), None)
        if summary is not None:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("no device_summary showed north-1 offline")
    assert summary["attention"][0]["name"] == "north-1"
    assert summary["attention"][0]["trouble"] == "offline"
    assert summary["by_role"]["kiosk"]["offline"] == 1
    assert len(json.dumps(summary)) < 10_000


def test_the_summary_is_sent_only_when_something_changed(app, client, make, svc):
    kiosk = make.device("kiosk", name="north-1")
    client.post("/api/v1/heartbeat", json={}, headers=auth(kiosk))
    dashboard = live_client(app, client, make.device("staff"), summary=True)
    live = app.extensions["kiosk.live"]
    # The pusher's own first round (at the first connection) is done before the clock is moved.
    deadline = time.monotonic() + 15
    while live.pusher._summary_shape is None and time.monotonic() < deadline:
        time.sleep(0.05)
    dashboard.get_received("/live")
    # Ticks of the pusher with nothing changed (heartbeats only) send no summary...
    for minutes in (1, 2, 3):
        client.post("/api/v1/heartbeat", json={}, headers=auth(kiosk))
        live.pusher.tick(time.monotonic() + 60 * minutes)
    assert not events(dashboard.get_received("/live"), "device_summary")
    # ...a printer in trouble does.
    client.post(
        "/api/v1/heartbeat",
        json={"printer": {"state": "error", "message": "paper jam"}},
        headers=auth(kiosk),
    )
    live.pusher.tick(time.monotonic() + 240)
    (summary,) = events(dashboard.get_received("/live"), "device_summary")
    (trouble,) = summary["attention"]
    assert trouble["name"] == "north-1" and trouble["trouble"] == "printer"
    assert trouble["printer_state"] == {"state": "error", "message": "paper jam"}


def test_staff_clients_that_ask_for_no_summary_keep_the_whole_list(app, client, make):
    make.device("kiosk", name="north-1")
    staff = live_client(app, client, make.device("staff"))
    received = staff.get_received("/live")
    assert not events(received, "device_summary")
    devices = events(received, "devices")[-1]
    assert "north-1" in [d["name"] for d in devices]


def test_booth_phones_receive_no_device_health(app, client, make, svc, busy_show):
    phone = make.device("exhibitor")
    other = live_client(app, client, phone, summary=True, batch=True)
    live_client(app, client, make.device("staff"), summary=True)
    app.extensions["kiosk.live"].pusher.tick(time.monotonic() + 600)
    names = {e["name"] for e in other.get_received("/live")}
    assert not names & {"device_summary", "devices", "dashboard", "stats", "printers"}


def test_the_devices_page_filters_and_pages_a_thousand_phones(staff_client, make, svc, busy_show):
    phones, _kiosks = busy_show
    page = staff_client.get("/staff/devices?lang=en").get_data(as_text=True)
    assert page.count("data-device=") == 100
    assert f"1–100 of {PHONES + 2}" in page and 'rel="next"' in page
    second = staff_client.get("/staff/devices?page=2").get_data(as_text=True)
    assert second.count("data-device=") == PHONES + 2 - 100 and 'rel="prev"' in second
    kiosks = staff_client.get("/staff/devices?role=kiosk").get_data(as_text=True)
    assert kiosks.count("data-device=") == 2 and 'rel="next"' not in kiosks
    trouble = staff_client.get("/staff/devices?state=attention&q=phone-1").get_data(as_text=True)
    # phone-1, phone-10..19, phone-100..109
    assert trouble.count("data-device=") == 1 + 10 + 10
    # Filters of no meaning show everything rather than an error.
    odd = staff_client.get("/staff/devices?role=robot&state=lost&page=x")
    assert odd.status_code == 200 and odd.get_data(as_text=True).count("data-device=") == 100
    zh = staff_client.get("/staff/devices?lang=zh&state=online").get_data(as_text=True)
    assert "没有符合条件的设备" in zh


def test_a_booth_phone_is_online_while_its_live_connection_is_open(app, client, make, svc):
    phone = make.device("exhibitor", name="phone-1")
    gone = make.device("exhibitor", name="phone-2")
    live = app.extensions["kiosk.live"]
    connected = live_client(app, client, phone)
    live_client(app, client, gone).disconnect("/live")
    # The booth page sends no heartbeat: after its connect, its open connection says it is there.
    long_ago = to_iso(datetime.now(UTC) - timedelta(seconds=60))
    for token in (phone, gone):
        live.heartbeats.shared.beat(device_id(svc, token), time.time() - 60, long_ago, None)
    live.pusher.tick(time.monotonic() + 600)
    online = {d["name"]: d["online"] for d in live.heartbeats.snapshot()}
    assert online["phone-1"] and not online["phone-2"]
    assert connected.is_connected("/live")
