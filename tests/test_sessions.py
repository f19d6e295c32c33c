"""Session attendance: POST /api/v1/interactions, one attendance per person per session."""

from datetime import UTC

import pytest

from conftest import BOTH_DATABASES, auth, load_settings, running_sessions_toml


@pytest.fixture
def settings(tmp_path, database_url):
    """The demo show with its sessions running now, so that the door counts people in."""
    return load_settings(tmp_path, running_sessions_toml(), database_url=database_url)


def scan(client, token, code, place="forum-1", **extra):
    body = {"code": code, "type": "session_attended", "place": place, **extra}
    return client.post("/api/v1/interactions", json=body, headers=auth(token))


@BOTH_DATABASES
def test_door_scan_counts_a_person_once(client, make, svc):
    _, code = make.attendee(full_name="周杰")
    door = make.device("kiosk")
    first = scan(client, door, code)
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "ok" and body["attended"] == 1 and body["capacity"] == 200
    assert body["attendee"]["full_name"] == "周杰"
    again = scan(client, door, code)
    assert again.status_code == 200 and again.get_json()["reason"] == "already_attended"
    assert scan(client, door, code, place="forum-2").status_code == 201
    rows = svc.store.query("SELECT place FROM interactions WHERE type = 'session_attended'")
    assert sorted(r["place"] for r in rows) == ["forum-1", "forum-2"]


@BOTH_DATABASES
def test_same_nonce_records_nothing_new(client, make, svc):
    _, code = make.attendee()
    door = make.device("kiosk")
    a = scan(client, door, code, nonce="n-1")
    b = scan(client, door, code, nonce="n-1")
    assert a.status_code == b.status_code == 201 and a.get_json() == b.get_json()
    assert (
        svc.store.one("SELECT count(*) FROM interactions WHERE type = 'session_attended'")[0] == 1
    )


def test_invalid_and_revoked_codes(client, make, svc):
    door = make.device("kiosk")
    forged = scan(client, door, "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA")
    assert forged.status_code == 404 and forged.get_json()["reason"] == "invalid"
    attendee_id, code = make.attendee()
    with svc.store.write() as conn:
        conn.execute(
            "UPDATE badges SET revoked_at = 'x' WHERE attendee_id = :attendee_id",
            {"attendee_id": attendee_id},
        )
    assert scan(client, door, code).get_json()["reason"] == "revoked"


def test_bad_fields_are_422_naming_the_field(client, make):
    door = make.device("kiosk")
    _, code = make.attendee()
    assert scan(client, door, code, place="forum-9").get_json()["fields"].keys() == {"place"}
    res = client.post(
        "/api/v1/interactions",
        json={"code": code, "type": "dance", "place": "forum-1"},
        headers=auth(door),
    )
    assert res.status_code == 422 and "type" in res.get_json()["fields"]
    res = client.post("/api/v1/interactions", json={"type": "session_attended"}, headers=auth(door))
    assert set(res.get_json()["fields"]) == {"code", "place"}


@BOTH_DATABASES
def test_roles_and_occupancy_for_staff(client, make):
    _, code = make.attendee()
    assert scan(client, make.device("exhibitor"), code).status_code == 403
    assert scan(client, make.device("staff"), code).status_code == 201
    sessions = client.get("/api/v1/sessions", headers=auth(make.device("kiosk"))).get_json()
    forum = {s["id"]: s for s in sessions["sessions"]}
    assert forum["forum-1"]["attended"] == 1 and forum["forum-1"]["room"] == "Hall A - Room 1"
    assert forum["forum-2"]["capacity"] == 120


def test_sessions_page_shows_occupancy(staff_client, make):
    _, code = make.attendee()
    scan(staff_client, make.device("kiosk"), code)
    page = staff_client.get("/staff/sessions").get_data(as_text=True)
    assert "1 / 200" in page and "/door?session=forum-1" in page


def _move(settings, place, starts, ends):
    from dataclasses import replace

    settings.sessions[place] = replace(settings.sessions[place], starts=starts, ends=ends)


def test_the_door_refuses_a_session_that_is_over_or_not_yet_open(client, make, settings, svc):
    from datetime import timedelta

    now = settings.now()
    _move(settings, "forum-1", now - timedelta(days=5, hours=2), now - timedelta(days=5))
    _move(settings, "forum-2", now + timedelta(hours=2), now + timedelta(hours=4))
    _, code = make.attendee()
    door = make.device("kiosk")
    over = scan(client, door, code)
    body = over.get_json()
    assert over.status_code == 200 and body["reason"] == "session_ended"
    assert body["ends"].startswith((now - timedelta(days=5)).astimezone(UTC).date().isoformat())
    assert body["can_confirm"] is True
    early = scan(client, door, code, place="forum-2").get_json()
    assert early["reason"] == "session_not_started" and early["starts"]
    logged = svc.store.one("SELECT count(*) FROM interactions WHERE type = 'session_refused'")[0]
    assert logged == 2
    # The door staff confirm: the person is counted in, and the record says it was outside.
    confirmed = scan(client, door, code, confirm=True)
    assert confirmed.status_code == 201 and confirmed.get_json()["outside"] == "session_ended"
    assert scan(client, door, code, confirm="yes").get_json()["fields"].keys() == {"confirm"}


def test_the_door_grace_is_configurable_and_refusal_can_be_final(client, make, settings):
    from datetime import timedelta

    now = settings.now()
    # Starts in 20 minutes: inside the default 30 minutes' early opening.
    _move(settings, "forum-1", now + timedelta(minutes=20), now + timedelta(hours=2))
    _, code = make.attendee()
    door = make.device("kiosk")
    assert scan(client, door, code).status_code == 201
    settings.extra["door"] = {"early_minutes": 10, "outside": "refuse"}
    _, other = make.attendee()
    refused = scan(client, door, other, confirm=True).get_json()
    assert refused["reason"] == "session_not_started" and refused["can_confirm"] is False


def test_a_bad_door_table_stops_the_start(tmp_path):
    from kiosk import create_app
    from kiosk.config import ConfigError

    text = running_sessions_toml() + '\n[door]\nlate_minutes = "soon"\n'
    with pytest.raises(ConfigError, match="door.late_minutes"):
        create_app(load_settings(tmp_path, text), testing=True)
