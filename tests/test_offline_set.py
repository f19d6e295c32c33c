"""The offline set a kiosk keeps, and the check-ins it made offline, synced later."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from conftest import BOTH_DATABASES, auth
from kiosk.attendees import desk
from kiosk.checkin import offline


@pytest.fixture(autouse=True)
def _rebuild_at_once(monkeypatch):
    # A changed show is rebuilt at most once a second in service; tests look at once.
    monkeypatch.setattr(offline, "REBUILD_EVERY_S", 0.0)


def fetch(client, token, **params):
    res = client.get("/api/v1/offline/set", query_string=params, headers=auth(token))
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def read(body, code):
    """What a kiosk reads from its set with a code in hand."""
    salt = base64.urlsafe_b64decode(body["salt"] + "=" * (-len(body["salt"]) % 4))
    lookup = offline.lookup_key(salt, code)
    return offline.open_entry(salt, code, body["entries"][lookup])


@BOTH_DATABASES
def test_a_kiosk_reads_a_visitor_only_with_their_code(client, make):
    _, code = make.attendee(
        full_name="Anna Müller", email="anna@example.de", phone="+49 30 1234567", language="zh"
    )
    token = make.device("kiosk", gate="north")
    res = client.get("/api/v1/offline/set", headers=auth(token))
    text = res.get_data(as_text=True)
    body = res.get_json()
    assert body["full"] is True and body["size"] == 1
    # Nothing in the set names anyone, nor their code: a stolen kiosk tells nothing.
    for secret in ("Anna", "Müller", "anna@example.de", "1234567", code, code.split("-")[1]):
        assert secret not in text
    assert read(body, code) == {"n": "Anna Müller", "c": "visitor", "l": "zh"}
    forged = "K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB"
    assert (
        offline.lookup_key(
            offline.set_salt(client.application.extensions["kiosk"].settings), forged
        )
        not in body["entries"]
    )
    assert body["gate"]["id"] == "north" and body["table"][-1] == {"if": {}, "then": "ok"}


@BOTH_DATABASES
def test_an_unchanged_set_costs_a_revision_and_changes_come_as_changes(client, make, svc):
    _, first = make.attendee(full_name="Li Lei")
    token = make.device("kiosk", gate="north")
    body = fetch(client, token)
    again = fetch(client, token, since=body["revision"])
    assert again == {"revision": body["revision"], "unchanged": True}
    # A new registration and a replaced badge reach the kiosk as changes only.
    _, second = make.attendee(full_name="Han Meimei", language="zh")
    attendee_id = svc.store.one("SELECT attendee_id FROM badges")["attendee_id"]
    new_code = desk.reprint(svc.store, svc.keys, attendee_id, actor="staff:test", device_id=None)
    delta = fetch(client, token, since=body["revision"])
    assert delta["full"] is False and len(delta["entries"]) == 3
    merged = {**body["entries"], **delta["entries"]}
    body = {**delta, "entries": merged}
    assert read(body, second)["n"] == "Han Meimei"
    assert read(body, first) == {"n": "Li Lei", "c": "visitor", "l": "", "r": 1}
    assert "r" not in read(body, new_code)


def test_a_kiosk_checked_in_online_is_known_inside(client, make):
    _, code = make.attendee(full_name="Wang Fang")
    token = make.device("kiosk", gate="north")
    res = client.post("/api/v1/checkins", json={"code": code, "gate": "south"}, headers=auth(token))
    assert res.status_code == 201
    entry = read(fetch(client, token), code)
    assert (entry["p"], entry["g"]) == ("in", "south")


def test_only_kiosks_and_staff_get_a_set(client, make):
    res = client.get("/api/v1/offline/set", headers=auth(make.device("exhibitor")))
    assert res.status_code == 403
    assert client.get("/api/v1/offline/set").status_code == 401


def _item(code, at, gate="north"):
    return {"code": code, "gate": gate, "direction": "in", "nonce": str(uuid.uuid4()), "at": at}


@BOTH_DATABASES
def test_offline_check_ins_are_recorded_at_their_time_exactly_once(client, make, svc):
    codes = [make.attendee()[1] for _ in range(3)]
    token = make.device("kiosk", gate="north")
    start = datetime.now(UTC) - timedelta(minutes=30)
    items = [_item(c, (start + timedelta(minutes=i)).isoformat()) for i, c in enumerate(codes)] + [
        _item("K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB", start.isoformat())
    ]
    for _ in range(2):  # the answer was lost: the kiosk sends the batch again
        res = client.post("/api/v1/offline/checkins", json={"checkins": items}, headers=auth(token))
        assert res.status_code == 200
        assert [r["status"] for r in res.get_json()["results"]] == ["recorded"] * 3 + ["invalid"]
    rows = svc.store.query("SELECT at FROM interactions WHERE type = 'checked_in' ORDER BY id")
    assert len(rows) == 3
    assert [datetime.fromisoformat(r["at"].replace("Z", "+00:00")) for r in rows] == [
        start.replace(microsecond=start.microsecond // 1000 * 1000) + timedelta(minutes=i)
        for i in range(3)
    ]


@BOTH_DATABASES
def test_one_badge_admitted_at_two_kiosks_is_one_check_in_and_one_conflict(
    client, make, svc, staff_client
):
    attendee_id, code = make.attendee(full_name="Zhao Min")
    north, south = make.device("kiosk", gate="north"), make.device("kiosk", gate="south")
    at = datetime.now(UTC) - timedelta(minutes=10)
    for token, gate, minute in ((north, "north", 0), (south, "south", 2)):
        body = {"checkins": [_item(code, (at + timedelta(minutes=minute)).isoformat(), gate)]}
        for _ in range(2):
            res = client.post("/api/v1/offline/checkins", json=body, headers=auth(token))
            assert res.status_code == 200
    assert res.get_json()["results"][0] == {
        "nonce": body["checkins"][0]["nonce"],
        "status": "conflict",
        "reason": "already_checked_in",
    }
    checked = svc.store.one("SELECT count(*) AS n FROM interactions WHERE type = 'checked_in'")
    assert checked["n"] == 1
    report = staff_client.get("/api/v1/offline/kiosks").get_json()
    assert len(report["conflicts"]) == 1
    conflict = report["conflicts"][0]
    assert (conflict["attendee_id"], conflict["full_name"], conflict["gate"]) == (
        attendee_id,
        "Zhao Min",
        "south",
    )
    assert conflict["standing"]["checked_in_gate"] == "north"
    audit = svc.store.one("SELECT * FROM audit_log WHERE action = 'checkin.offline_conflict'")
    assert json.loads(audit["after"])["gate"] == "south"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"gate": "north", "nonce": "n1", "at": "2026-11-24T09:00:00Z"}, "checkins[0].code"),
        ({"code": "K1-X", "gate": "north", "at": "2026-11-24T09:00:00Z"}, "checkins[0].nonce"),
        ({"code": "K1-X", "gate": "north", "nonce": "n1", "at": "yesterday"}, "checkins[0].at"),
        (
            {"code": "K1-X", "gate": "north", "nonce": "n1", "at": "2099-01-01T00:00:00Z"},
            "checkins[0].at",
        ),
        ({"code": "K1-X", "nonce": "n1", "at": "2020-01-01T00:00:00Z"}, "checkins[0].at"),
        ({"code": "K1-X", "nonce": "n1", "at": "0001-01-01T00:00:00+14:00"}, "checkins[0].at"),
        ({"code": "K1-X", "nonce": "n1", "at": "2026-11-24T09:00:00"}, "checkins[0].at"),
    ],
)
def test_a_bad_offline_check_in_is_a_422_naming_it(client, make, item, field):
    res = client.post(
        "/api/v1/offline/checkins", json={"checkins": [item]}, headers=auth(make.device("kiosk"))
    )
    assert res.status_code == 422
    assert field in res.get_json()["fields"]


def test_the_kiosk_state_shows_queue_and_sync(client, make, staff_client):
    token = make.device("kiosk", name="north-1", gate="north")
    fetch(client, token, peek="1", queue=7, offline_since="2026-11-24T09:00:00Z")
    kiosks = staff_client.get("/api/v1/offline/kiosks").get_json()["kiosks"]
    mine = next(k for k in kiosks if k["name"] == "north-1")
    assert (mine["state"], mine["queue"], mine["alert"]) == ("online", 7, False)


@BOTH_DATABASES
def test_a_kiosk_offline_too_long_is_an_alert_on_the_console(client, make, staff_client, svc):
    token = make.device("kiosk", name="south-2", gate="south")
    fetch(client, token, peek="1", queue=3)
    states = client.application.extensions["kiosk.kiosk_states"]
    device_id = svc.devices.authenticate(token).id
    page = staff_client.get("/staff/offline").get_data(as_text=True)
    assert 'data-kiosk="south-2" data-state="online"' in page and "offline-alert" not in page
    # Silent for six minutes (default: 5).
    states.shared.kiosk_seen(device_id, time.time() - 6 * 60, 3, None)
    page = staff_client.get("/staff/offline").get_data(as_text=True)
    assert 'data-kiosk="south-2" data-state="offline"' in page
    assert "offline-alert" in page and "south-2 (" in page


@pytest.mark.parametrize("value", ["5", 0, -1, 10_000, True])
def test_a_bad_alert_time_stops_the_start(tmp_path, value):
    from conftest import EVENT_TOML, load_settings
    from kiosk import create_app
    from kiosk.config import ConfigError

    text = (
        EVENT_TOML.read_text(encoding="utf-8")
        + f"\n[offline]\nalert_after_minutes = {json.dumps(value)}\n"
    )
    settings = load_settings(tmp_path, text)
    with pytest.raises(ConfigError, match="offline.alert_after_minutes"):
        create_app(settings, testing=True)


@BOTH_DATABASES
def test_an_erased_person_leaves_the_set_and_a_revoked_badge_is_marked(client, make, svc):
    from kiosk.crm.erase import erase
    from kiosk.storage.attendees import revoke_badges

    erased_id, erased_code = make.attendee(full_name="Gone Person")
    revoked_id, revoked_code = make.attendee(full_name="Lost Badge")
    token = make.device("kiosk", gate="north")
    body = fetch(client, token)
    assert body["size"] == 2
    erase(svc.store, svc.keys, erased_id, actor="staff:test")
    with svc.store.write() as conn:  # a revocation that logs nothing is seen all the same
        revoke_badges(conn, revoked_id, "lost")
    delta = fetch(client, token, since=body["revision"])
    assert delta["full"] is False and delta["size"] == 1
    salt = base64.urlsafe_b64decode(body["salt"] + "=" * (-len(body["salt"]) % 4))
    assert delta["removed"] == [offline.lookup_key(salt, erased_code)]
    assert (
        read({**delta, "entries": {**body["entries"], **delta["entries"]}}, revoked_code)["r"] == 1
    )


def test_a_peek_answers_the_revision_only(client, make):
    make.attendee()
    token = make.device("kiosk")
    body = fetch(client, token)
    assert fetch(client, token, peek="1", since=body["revision"]) == {
        "revision": body["revision"],
        "unchanged": True,
    }
    make.attendee()
    assert fetch(client, token)["size"] == 2  # a pull brings the set up to date
    assert fetch(client, token, peek="1", since=body["revision"])["unchanged"] is False
