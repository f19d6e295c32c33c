"""Session attendance: POST /api/v1/interactions, one attendance per person per session."""

from conftest import auth


def scan(client, token, code, place="forum-1", **extra):
    body = {"code": code, "type": "session_attended", "place": place, **extra}
    return client.post("/api/v1/interactions", json=body, headers=auth(token))


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
        conn.execute("UPDATE badges SET revoked_at = 'x' WHERE attendee_id = ?", (attendee_id,))
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
