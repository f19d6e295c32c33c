"""POST /api/v1/checkins: entry, exit, refusals that say why, the nonce."""

from conftest import BOTH_DATABASES, auth

pytestmark = BOTH_DATABASES


def post(client, token, **body):
    return client.post("/api/v1/checkins", json=body, headers=auth(token))


def test_first_scan_checks_in_and_greets_by_name(client, make):
    _, code = make.attendee(full_name="张伟", company="华为", language="zh")
    res = post(client, make.device(), code=code, gate="north", direction="in")
    assert res.status_code == 201
    body = res.get_json()
    assert body["status"] == "ok"
    assert body["attendee"]["full_name"] == "张伟"
    assert body["attendee"]["language"] == "zh"
    assert "email" not in body["attendee"]


def test_second_entry_says_when_and_where(client, make):
    _, code = make.attendee()
    token = make.device()
    post(client, token, code=code, gate="north")
    res = post(client, make.device(gate="south"), code=code, gate="south")
    assert res.status_code == 200
    body = res.get_json()
    assert body["reason"] == "already_checked_in"
    assert body["checked_in_gate"] == "north"
    assert body["checked_in_gate_name"]["en"] == "North 1"
    assert "at North 1" in body["message"]


def test_exit_then_entry_again_is_fine(client, make):
    _, code = make.attendee()
    token = make.device()
    assert post(client, token, code=code, gate="north").status_code == 201
    assert post(client, token, code=code, gate="north", direction="out").status_code == 201
    res = post(client, token, code=code, gate="south", direction="in")
    assert res.status_code == 201
    assert res.get_json()["first_visit"] is False


def test_exit_without_entry_is_refused(client, make):
    _, code = make.attendee()
    res = post(client, make.device(), code=code, gate="north", direction="out")
    assert res.get_json()["reason"] == "not_checked_in"


def test_forged_code_is_404_invalid_and_writes_nothing(client, make, svc):
    _, code = make.attendee()
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    before = svc.store.one("SELECT count(*) AS n FROM interactions")["n"]
    res = post(client, make.device(), code=forged, gate="north", nonce="n-1")
    assert res.status_code == 404
    assert res.get_json() == {
        "status": "error",
        "reason": "invalid",
        "message": "not a valid badge",
    }
    assert svc.store.one("SELECT count(*) AS n FROM interactions")["n"] == before
    assert svc.store.one("SELECT count(*) AS n FROM nonces")["n"] == 0


def test_revoked_code_is_refused(client, make, svc):
    attendee_id, code = make.attendee()
    from kiosk.storage.attendees import revoke_badges

    with svc.store.write() as conn:
        revoke_badges(conn, attendee_id, "reprint")
    res = post(client, make.device(), code=code, gate="north")
    assert res.status_code == 200
    assert res.get_json()["reason"] == "revoked"


def test_same_nonce_returns_first_answer_and_records_nothing(client, make, svc):
    _, code = make.attendee()
    token = make.device()
    first = post(client, token, code=code, gate="north", nonce="abc")
    again = post(client, token, code=code, gate="north", nonce="abc")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    n = svc.store.one(
        "SELECT count(*) AS n FROM interactions WHERE type LIKE 'checkin%' OR type LIKE 'checked%'"
    )["n"]
    assert n == 1


def test_lower_case_and_spaces_from_a_scanner_still_match(client, make):
    _, code = make.attendee()
    res = post(client, make.device(), code=f"  {code.lower()}\n", gate="north")
    assert res.status_code == 201


def test_bad_fields_are_422_with_the_field(client, make):
    token = make.device()
    res = post(client, token, code="K1-X", gate="west")
    assert res.status_code == 422
    assert "gate" in res.get_json()["fields"]
    res = post(client, token, code="x", gate="north", direction="sideways")
    assert "direction" in res.get_json()["fields"]
    res = post(client, token, gate="north")
    assert "code" in res.get_json()["fields"]
    res = post(client, token, code=["K1"], gate="north")
    assert res.status_code == 422
    for gate, direction in ((["north"], "in"), ({"north": 1}, "in"), ("north", ["in"])):
        res = post(client, token, code="K1-X", gate=gate, direction=direction)
        assert res.status_code == 422 and res.get_json()["fields"]
        res = client.post(
            "/api/v1/scans",
            json={"code": "K1-X", "gate": gate, "direction": direction},
            headers=auth(token),
        )
        assert res.status_code == 422


def test_not_json_is_400(client, make):
    res = client.post("/api/v1/checkins", data="nonsense", headers=auth(make.device()))
    assert res.status_code == 400
    assert res.get_json()["error"] == "bad_request"


def test_find_me_checks_in_by_attendee_id(client, make):
    attendee_id, _ = make.attendee(full_name="Anna Müller", email="anna@example.de")
    kiosk = make.device()
    res = post(client, kiosk, attendee_id=attendee_id, gate="north", verify="Anna@Example.de")
    assert res.status_code == 201
    assert res.get_json()["attendee"]["full_name"] == "Anna Müller"
    staff = make.device("staff")
    assert post(client, staff, attendee_id=999999, gate="north").status_code == 404


def test_every_checkin_is_in_the_timeline(client, make):
    attendee_id, code = make.attendee()
    token = make.device()
    post(client, token, code=code, gate="north")
    post(client, token, code=code, gate="north")
    post(client, token, code=code, gate="north", direction="out")
    staff = make.device("staff")
    timeline = client.get(f"/api/v1/attendees/{attendee_id}", headers=auth(staff)).get_json()[
        "timeline"
    ]
    assert [t["type"] for t in timeline] == [
        "registered",
        "checked_in",
        "checkin_refused",
        "checked_out",
    ]
    assert timeline[2]["data"]["reason"] == "already_checked_in"
