"""The one scan step shared by gates and session doors: code check, revocation, nonce, refusals."""

import json
import time

import pytest

from conftest import BOTH_DATABASES, auth, load_settings, running_sessions_toml
from kiosk.checkin import refusals
from kiosk.storage import Store
from kiosk.storage.attendees import revoke_badges
from kiosk.storage.migrations import migrate

pytestmark = BOTH_DATABASES

FORGED = "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA"

# A gate and a session door: the endpoint, its body, the interaction a refusal logs, the audit target.
PLACES = {
    "gate": ("/api/v1/checkins", {"gate": "north"}, "checkin_refused", "gate:north"),
    "door": (
        "/api/v1/interactions",
        {"type": "session_attended", "place": "forum-1"},
        "session_refused",
        "session:forum-1",
    ),
}


@pytest.fixture
def settings(tmp_path, database_url):
    """The demo show with its sessions running now, so that the door counts people in."""
    return load_settings(tmp_path, running_sessions_toml(), database_url=database_url)


def count(svc, sql, *args) -> int:
    return svc.store.one(f"SELECT count(*) FROM {sql}", args)[0]


@pytest.mark.parametrize("where", PLACES)
def test_a_revoked_badge_is_refused_and_logged_alike_at_gate_and_door(where, client, make, svc):
    path, place, refused_type, target = PLACES[where]
    attendee_id, code = make.attendee(full_name="王芳")
    with svc.store.write() as conn:
        revoke_badges(conn, attendee_id, "reprinted")
    res = client.post(path, json={"code": code, **place}, headers=auth(make.device()))
    assert res.status_code == 200
    body = res.get_json()
    assert (body["status"], body["reason"]) == ("error", "revoked")
    assert body["message"] == "this badge was replaced or cancelled"
    assert body["attendee"]["full_name"] == "王芳"
    logged = svc.store.one(
        "SELECT * FROM interactions WHERE attendee_id = :id AND type = :type",
        {"id": attendee_id, "type": refused_type},
    )
    assert json.loads(logged["data"]) == {"reason": "revoked"}
    (audit,) = svc.store.query("SELECT * FROM audit_log WHERE action = 'scan.refused'")
    assert audit["target"] == target and json.loads(audit["after"])["attendee_id"] == attendee_id


@pytest.mark.parametrize("where", PLACES)
def test_a_nonce_replays_the_first_answer_alike_at_gate_and_door(where, client, make, svc):
    path, place, _, _ = PLACES[where]
    _, code = make.attendee()
    kiosk = make.device()
    first = client.post(path, json={"code": code, "nonce": "n-1", **place}, headers=auth(kiosk))
    rows = count(svc, "interactions")
    again = client.post(path, json={"code": code, "nonce": "n-1", **place}, headers=auth(kiosk))
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert count(svc, "interactions") == rows
    # A fresh nonce is a new scan: the same badge is refused as already in.
    third = client.post(path, json={"code": code, "nonce": "n-2", **place}, headers=auth(kiosk))
    assert third.status_code == 200 and third.get_json()["reason"].startswith("already_")
    # Nonces are per device: another device's n-1 is its own scan.
    other = client.post(
        path, json={"code": code, "nonce": "n-1", **place}, headers=auth(make.device())
    )
    assert other.get_json()["status"] == "error"


@pytest.mark.parametrize("where", PLACES)
def test_a_forged_code_costs_no_write_at_gate_or_door(where, client, make, svc, monkeypatch):
    path, place, _, _ = PLACES[where]
    kiosk = make.device()
    client.get("/api/v1/me", headers=auth(kiosk))  # a device's first request notes it was seen
    writes = []
    real_write = Store.write
    monkeypatch.setattr(Store, "write", lambda self: writes.append(1) or real_write(self))
    res = client.post(path, json={"code": FORGED, "nonce": "n-1", **place}, headers=auth(kiosk))
    assert res.status_code == 404
    assert res.get_json() == {
        "status": "error",
        "reason": "invalid",
        "message": "not a valid badge",
    }
    assert writes == []


def test_forged_burst_is_one_audit_row_and_valid_checkins_go_on(app, client, make, svc):
    _, code = make.attendee(full_name="李雷")
    kiosk = make.device(name="north-7")
    forged = {"code": FORGED, "gate": "north"}
    before = {t: count(svc, t) for t in ("interactions", "nonces", "audit_log")}
    started = time.monotonic()
    for _ in range(250):
        assert client.post("/api/v1/checkins", json=forged, headers=auth(kiosk)).status_code == 404
    valid = client.post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk)
    )
    assert valid.status_code == 201 and valid.get_json()["attendee"]["full_name"] == "李雷"
    for _ in range(250):
        assert client.post("/api/v1/checkins", json=forged, headers=auth(kiosk)).status_code == 404
    assert time.monotonic() - started < 30
    # Nothing was written for the 500 refusals: only the valid check-in's row.
    assert count(svc, "interactions") == before["interactions"] + 1
    assert count(svc, "nonces") == before["nonces"]
    assert count(svc, "audit_log WHERE action = 'scan.refused'") == 0

    assert refusals.flush(svc.store) == 1
    (row,) = svc.store.query("SELECT * FROM audit_log WHERE action = 'scan.refused'")
    after = json.loads(row["after"])
    assert (row["target"], after["reason"], after["count"]) == ("gate:north", "invalid", 500)
    assert row["actor"] == f"device:{after['device_id']}"
    assert after["first_at"] <= after["last_at"]
    assert refusals.flush(svc.store) == 0  # written once


def test_the_tally_is_written_by_the_next_scan_once_a_minute_old(client, make, svc):
    kiosk, south = make.device(), make.device(gate="south")
    for token, gate in ((kiosk, "north"), (kiosk, "north"), (south, "south")):
        client.post("/api/v1/checkins", json={"code": FORGED, "gate": gate}, headers=auth(token))
    tally = refusals.tally_of(svc.store)
    _, code = make.attendee()
    client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk))
    assert count(svc, "audit_log WHERE action = 'scan.refused'") == 0  # not a minute old yet
    real_clock = tally.clock
    tally.clock = lambda: real_clock() + refusals.FLUSH_EVERY_S
    try:
        _, other = make.attendee()
        client.post("/api/v1/checkins", json={"code": other, "gate": "north"}, headers=auth(kiosk))
    finally:
        tally.clock = real_clock
    rows = svc.store.query("SELECT * FROM audit_log WHERE action = 'scan.refused' ORDER BY id")
    assert sorted((r["target"], json.loads(r["after"])["count"]) for r in rows) == [
        ("gate:north", 2),
        ("gate:south", 1),
    ]


@pytest.mark.sqlite_only("converts nonces of SQLite shows made before i9_nonce_outcomes")
def test_nonces_kept_before_the_upgrade_still_replay(settings, client, make, svc):
    """Nonce rows that kept an HTTP answer are converted to outcomes by the migration."""
    _, code = make.attendee()
    kiosk = make.device()
    first = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north", "nonce": "old"},
        headers=auth(kiosk),
    )
    body = first.get_json()
    with svc.store.write() as conn:
        (device_id, at) = conn.execute("SELECT device_id, at FROM nonces").fetchone()
        conn.execute("DROP TABLE nonces")
        conn.execute(
            "CREATE TABLE nonces (device_id INTEGER NOT NULL, nonce TEXT NOT NULL,"
            " status INTEGER NOT NULL, response TEXT NOT NULL, at TEXT NOT NULL,"
            " PRIMARY KEY (device_id, nonce)) WITHOUT ROWID"
        )
        conn.execute(
            "INSERT INTO nonces VALUES (:device_id, 'old', 201, :body, :at)",
            {"device_id": device_id, "body": json.dumps(body), "at": at},
        )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'i9_nonce_outcomes'")
    assert migrate(svc.store) == ["i9_nonce_outcomes"]
    again = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north", "nonce": "old"},
        headers=auth(kiosk),
    )
    assert again.status_code == 201 and again.get_json() == body
