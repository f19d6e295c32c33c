"""Kiosk modes (entry, exit, both ways), the show day's close, refusals that name the day, and
kiosks without a printer: through the API, the CLI and the console."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from conftest import BOTH_DATABASES, EVENT_TOML, auth, load_settings
from kiosk.checkin import dayclose
from kiosk.checkin.service import check_in
from kiosk.devices import DeviceError, create_device
from kiosk.services import open_services
from kiosk.stats import counts


def at(text: str, settings) -> datetime:
    """A local moment of the show."""
    return datetime.fromisoformat(text).replace(tzinfo=settings.timezone)


def scan(svc, device, code, direction, when):
    return check_in(
        svc.store,
        svc.settings,
        svc.keys,
        code=code,
        gate="north",
        direction=direction,
        nonce=uuid.uuid4().hex,
        device=device,
        now=when,
    )


def kiosk(svc, direction="in", **kw):
    device, token = create_device(
        svc.store,
        svc.settings,
        role="kiosk",
        name=f"k-{direction}",
        gate="north",
        direction=direction,
        **kw,
    )
    return device, token


def presence(svc, attendee_id):
    row = svc.store.one(
        "SELECT state FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    return row["state"] if row else None


@BOTH_DATABASES
def test_a_both_ways_kiosk_lets_a_person_in_then_out_and_never_reverses_a_repeat(svc, make):
    device, _ = kiosk(svc, "both")
    attendee_id, code = make.attendee()
    t0 = at("2026-11-24T10:00", svc.settings)
    first = scan(svc, device, code, "both", t0)
    assert first.ok and first.details["direction"] == "in"
    repeat = scan(svc, device, code, "both", t0 + timedelta(seconds=20))
    assert repeat.reason == "already_checked_in" and repeat.details["direction"] == "in"
    out = scan(svc, device, code, "both", t0 + timedelta(hours=3))
    assert out.ok and out.details["direction"] == "out" and presence(svc, attendee_id) == "out"
    again = scan(svc, device, code, "both", t0 + timedelta(hours=3, seconds=30))
    assert again.reason == "already_checked_out" and again.details["checked_out_local"] == "13:00"
    back = scan(svc, device, code, "both", t0 + timedelta(hours=4))
    assert back.ok and back.details["direction"] == "in" and presence(svc, attendee_id) == "in"


@BOTH_DATABASES
def test_a_second_exit_says_when_the_person_left(svc, make):
    device, _ = kiosk(svc, "out")
    _, code = make.attendee()
    t0 = at("2026-11-24T09:40", svc.settings)
    assert scan(svc, device, code, "in", t0).ok
    assert scan(svc, device, code, "out", at("2026-11-24T17:05", svc.settings)).ok
    second = scan(svc, device, code, "out", at("2026-11-24T17:30", svc.settings))
    assert second.reason == "already_checked_out"
    assert second.message == "already left at 17:05"
    assert second.details["checked_out_today"] is True and second.details["day_closed"] is False
    never = scan(svc, device, make.attendee()[1], "out", t0)
    assert never.reason == "not_checked_in"


@BOTH_DATABASES
def test_the_day_close_lets_everyone_in_next_morning_and_keeps_the_counts_right(svc, make):
    device, _ = kiosk(svc)
    stayed, stayed_code = make.attendee()
    left, left_code = make.attendee()
    assert scan(svc, device, stayed_code, "in", at("2026-11-24T10:00", svc.settings)).ok
    assert scan(svc, device, left_code, "in", at("2026-11-24T10:05", svc.settings)).ok
    assert scan(svc, device, left_code, "out", at("2026-11-24T16:00", svc.settings)).ok
    before = counts.compute(svc.store.conn, svc.settings)
    assert before["inside_now"] == 1

    closed = dayclose.close_day(svc.store, svc.settings, at("2026-11-25T08:00", svc.settings))
    assert closed == 1
    after = counts.compute(svc.store.conn, svc.settings)
    assert after["inside_now"] == 0 and after["checked_in"] == before["checked_in"]
    row = svc.store.one("SELECT * FROM interactions WHERE type = 'day_closed'")
    assert row["attendee_id"] == stayed and row["at"].startswith("2026-11-24T16:00")  # 00:00 +08
    exits = svc.store.one("SELECT count(*) AS n FROM interactions WHERE type = 'checked_out'")
    assert exits["n"] == 1
    assert dayclose.close_day(svc.store, svc.settings, at("2026-11-25T08:01", svc.settings)) == 0

    morning = scan(svc, device, stayed_code, "in", at("2026-11-25T09:00", svc.settings))
    assert morning.ok and morning.details["first_visit"] is False


@BOTH_DATABASES
def test_a_check_in_closes_a_day_the_timer_missed(svc, make):
    device, _ = kiosk(svc)
    attendee_id, code = make.attendee()
    assert scan(svc, device, code, "in", at("2026-11-24T10:00", svc.settings)).ok
    assert scan(svc, device, code, "in", at("2026-11-25T09:00", svc.settings)).ok
    types = [
        r["type"]
        for r in svc.store.query(
            "SELECT type FROM interactions WHERE attendee_id = :attendee_id AND type != 'registered' ORDER BY id",
            {"attendee_id": attendee_id},
        )
    ]
    assert types == ["checked_in", "day_closed", "checked_in"]


@BOTH_DATABASES
def test_a_day_closing_late_names_the_day_of_an_earlier_check_in(tmp_path, make, database_url):
    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        'days = ["2026-11-24"', 'day_closes = "04:00"\ndays = ["2026-11-24"', 1
    )
    settings = load_settings(tmp_path, text, database_url=database_url)
    svc = open_services(settings)
    try:
        from conftest import Factory

        device, _ = kiosk(svc)
        _, code = Factory(svc).attendee()
        assert scan(svc, device, code, "in", at("2026-11-24T23:10", settings)).ok
        late = scan(svc, device, code, "in", at("2026-11-25T01:30", settings))
        assert late.reason == "already_checked_in"
        assert late.message == "already checked in on Tue 24 Nov at 23:10 at North 1"
        assert late.details["checked_in_day"] == "2026-11-24"
        assert late.details["checked_in_today"] is False
        # At 04:00 the day closed: the morning's scan goes in.
        assert scan(svc, device, code, "in", at("2026-11-25T08:30", settings)).ok
    finally:
        svc.store.close()


@BOTH_DATABASES
def test_voiding_a_later_check_in_keeps_a_closed_day_closed(svc, make):
    from kiosk.attendees import desk

    device, _ = kiosk(svc)
    attendee_id, code = make.attendee()
    assert scan(svc, device, code, "in", at("2026-11-24T10:00", svc.settings)).ok
    assert scan(svc, device, code, "in", at("2026-11-25T09:00", svc.settings)).ok
    last = svc.store.one(
        "SELECT id FROM interactions WHERE type = 'checked_in' ORDER BY id DESC LIMIT 1"
    )
    desk.void_checkin(svc.store, attendee_id, last["id"], "double scan", actor="t", device_id=1)
    assert presence(svc, attendee_id) == "out"


def test_a_kiosk_direction_must_be_one_its_gate_allows(tmp_path):
    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        '[gates.north]\nname = { zh = "北1门", en = "North 1" }\ndirections = ["in", "out"]',
        '[gates.north]\nname = { zh = "北1门", en = "North 1" }\ndirections = ["in"]',
    )
    settings = load_settings(tmp_path, text)
    svc = open_services(settings)
    try:
        with pytest.raises(DeviceError) as refused:
            create_device(
                svc.store, settings, role="kiosk", name="n", gate="north", direction="both"
            )
        assert refused.value.field == "direction"
        with pytest.raises(DeviceError):
            create_device(svc.store, settings, role="kiosk", name="n", direction="sideways")
    finally:
        svc.store.close()


def test_the_cli_creates_an_exit_kiosk_and_the_api_uses_its_direction(runner, client, make, svc):
    res = runner.invoke(
        "devices",
        "add",
        "--role",
        "kiosk",
        "--name",
        "exit-1",
        "--gate",
        "north",
        "--direction",
        "out",
        "--printing",
        "none",
    )
    assert res.exit_code == 0, res.output
    token = res.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers=auth(token)).get_json()["device"]
    assert (me["direction"], me["printing"]) == ("out", "none")
    _, code = make.attendee()
    entry = make.device(gate="north")
    client.post(
        "/api/v1/checkins",
        headers=auth(entry),
        json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
    )
    # The exit kiosk sends no direction: the server uses the device's.
    res = client.post(
        "/api/v1/checkins",
        headers=auth(token),
        json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
    )
    body = res.get_json()
    assert res.status_code == 201 and body["direction"] == "out" and body["at_local"]


def test_a_kiosk_without_a_printer_sends_the_visitor_to_the_desk_and_tells_staff(app, client, make):
    token = make.device(gate="north", printing="none", name="no-printer")
    attendee_id, code = make.attendee()
    client.post(
        "/api/v1/checkins",
        headers=auth(token),
        json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
    )
    res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=auth(token))
    body = res.get_json()
    assert res.status_code == 503 and body["error"] == "print_failed"
    assert body["reason"] == "no_printer"
    alerts = app.extensions["kiosk.live"].alerts.latest()
    assert any(a["kind"] == "print_failed" and a["device"] == "no-printer" for a in alerts)


@BOTH_DATABASES
def test_the_console_sets_a_kiosks_mode_and_shows_its_printer(staff_client, svc, make):
    page = staff_client.get("/staff/devices")
    assert page.status_code == 200
    token = make.device(gate="north", name="hall-b")
    device_id = svc.store.one("SELECT id FROM devices WHERE name = 'hall-b'")["id"]
    res = staff_client.post(
        f"/staff/devices/{device_id}/mode",
        data={"direction": "both", "printing": "browser", "csrf_token": staff_client.csrf},
    )
    assert res.status_code == 302
    row = svc.store.one(
        "SELECT direction, printing FROM devices WHERE id = :device_id", {"device_id": device_id}
    )
    assert (row["direction"], row["printing"]) == ("both", "browser")
    audit = svc.store.one("SELECT * FROM audit_log WHERE action = 'device.mode'")
    assert audit is not None
    html = staff_client.get("/staff/devices?lang=en").get_data(as_text=True)
    assert '<option value="both" selected>both ways</option>' in html
    assert '<option value="browser" selected>browser</option>' in html
    html = staff_client.get("/staff/devices?lang=zh").get_data(as_text=True)
    assert '<option value="both" selected>双向</option>' in html and "both ways" not in html
    assert token
