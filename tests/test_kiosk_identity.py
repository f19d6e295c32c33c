"""Identity at the kiosk: a person found by name proves who they are; a kiosk sees and prints
only what it may (kiosk.checkin.identity)."""

from datetime import UTC, datetime

import pytest

from conftest import BOTH_DATABASES, auth
from kiosk import create_app
from kiosk.checkin import identity
from kiosk.devices import DeviceRegistry


def checkin(client, token, **body):
    return client.post("/api/v1/checkins", json={"gate": "north", **body}, headers=auth(token))


@pytest.fixture
def zhang(make):
    attendee_id, code = make.attendee(
        full_name="张伟", company="华为技术", email="zhang.wei@example.cn", phone="13912345678"
    )
    return attendee_id, code


@BOTH_DATABASES
def test_find_me_needs_the_last_four_digits_or_the_whole_email(client, make, zhang):
    attendee_id, _ = zhang
    kiosk = make.device()
    res = checkin(client, kiosk, attendee_id=attendee_id)
    assert res.status_code == 422 and res.get_json()["error"] == "verification_required"
    assert "张伟" not in res.get_data(as_text=True) and "华为" not in res.get_data(as_text=True)
    res = checkin(client, kiosk, attendee_id=attendee_id, verify="1234")
    assert res.status_code == 422 and res.get_json()["error"] == "verification_failed"
    assert "张伟" not in res.get_data(as_text=True)
    res = checkin(client, kiosk, attendee_id=attendee_id, verify="5678")
    assert res.status_code == 201 and res.get_json()["attendee"]["full_name"] == "张伟"
    res = checkin(client, kiosk, attendee_id=attendee_id, verify=" Zhang.Wei@EXAMPLE.cn ")
    assert res.status_code == 200 and res.get_json()["reason"] == "already_checked_in"


@pytest.mark.parametrize("answer", ["56", "12345678", "zhang.wei", "", 5678, ["5678"], "x" * 201])
def test_an_answer_of_the_wrong_shape_names_the_field_and_is_not_counted(
    client, make, svc, zhang, answer
):
    kiosk = make.device()
    res = checkin(client, kiosk, attendee_id=zhang[0], verify=answer)
    assert res.status_code == 422 and "verify" in res.get_json()["fields"]
    assert res.get_json()["error"] == "invalid_fields"
    assert svc.store.one("SELECT count(*) AS n FROM device_quotas")["n"] == 0


def test_a_person_without_phone_or_email_is_sent_to_the_desk(client, make):
    attendee_id, _ = make.attendee(full_name="无名氏", email="", category="vip")
    res = checkin(client, make.device(), attendee_id=attendee_id, verify="0000")
    assert res.status_code == 422 and res.get_json()["error"] == "verification_unavailable"
    assert "desk" in res.get_json()["message"]


def test_staff_and_a_badge_code_need_no_proof(client, make, zhang):
    attendee_id, code = zhang
    res = checkin(client, make.device("staff"), attendee_id=attendee_id)
    assert res.status_code == 201
    res = checkin(client, make.device(), code=code, direction="out")
    assert res.status_code == 201


@BOTH_DATABASES
def test_wrong_answers_are_limited_per_kiosk_and_audited_without_the_answer(
    client, make, svc, zhang
):
    attendee_id, _ = zhang
    kiosk = make.device()
    for guess in range(identity.WRONG_ANSWERS.limit):
        res = checkin(client, kiosk, attendee_id=attendee_id, verify=f"{guess:04d}")
        assert res.status_code == 422, guess
    # Past the limit even the right answer waits: guessing cannot go on.
    res = checkin(client, kiosk, attendee_id=attendee_id, verify="5678")
    assert res.status_code == 429 and res.get_json()["error"] == "rate_limited"
    assert 0 < int(res.headers["Retry-After"]) <= identity.WRONG_ANSWERS.window_s
    assert res.get_json()["retry_after"] == int(res.headers["Retry-After"])
    # Another kiosk is not held up by this one.
    assert checkin(client, make.device(), attendee_id=attendee_id, verify="5678").status_code == 201
    rows = svc.store.query("SELECT * FROM audit_log WHERE action = 'identity.refused'")
    assert len(rows) == identity.WRONG_ANSWERS.limit
    assert all(r["target"] == f"attendee:{attendee_id}" for r in rows)
    assert not any("0001" in (r["after"] or "") for r in rows)


@BOTH_DATABASES
def test_the_limits_are_kept_in_the_database_for_every_server_process(
    client, settings, make, zhang
):
    kiosk = make.device()
    for guess in range(identity.WRONG_ANSWERS.limit):
        checkin(client, kiosk, attendee_id=zhang[0], verify=f"{guess:04d}")
    other_process = create_app(settings, testing=True).test_client()
    res = checkin(other_process, kiosk, attendee_id=zhang[0], verify="5678")
    assert res.status_code == 429


def test_a_walk_up_registered_here_checks_in_without_a_question(client, make):
    kiosk = make.device()
    body = {
        "full_name": "李雪梅",
        "company": "恒信精密",
        "email": "xuemei@example.cn",
        "consents": {"terms": True},
    }
    res = client.post("/api/v1/registrations", json=body, headers=auth(kiosk))
    assert res.status_code == 201
    attendee_id = res.get_json()["attendee"]["id"]
    elsewhere = checkin(client, make.device(), attendee_id=attendee_id)
    assert elsewhere.get_json()["error"] == "verification_required"
    assert checkin(client, kiosk, attendee_id=attendee_id).status_code == 201
    png = client.get(f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(kiosk))
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_a_walk_up_on_file_learns_nothing_but_to_prove_it(client, make, zhang):
    kiosk = make.device()
    body = {"full_name": "Someone", "email": "ZHANG.WEI@example.cn", "consents": {"terms": True}}
    res = client.post("/api/v1/registrations", json=body, headers=auth(kiosk))
    assert res.status_code == 409
    assert set(res.get_json()) == {"error", "message", "attendee_id"}
    assert "张伟" not in res.get_data(as_text=True) and "华为" not in res.get_data(as_text=True)
    answer = checkin(client, kiosk, attendee_id=res.get_json()["attendee_id"])
    assert answer.get_json()["error"] == "verification_required"


def test_a_kiosk_gets_a_badge_only_of_a_person_it_just_served(client, make, svc, zhang):
    attendee_id, code = zhang
    kiosk, other = make.device(), make.device()
    for path in ("badge.png", "badge.pdf"):
        res = client.get(f"/api/v1/attendees/{attendee_id}/{path}", headers=auth(kiosk))
        assert res.status_code == 403 and res.get_json()["error"] == "not_served_here"
    res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=auth(kiosk))
    assert res.status_code == 403
    assert checkin(client, kiosk, code=code).status_code == 201
    assert (
        client.get(f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(kiosk)).status_code
        == 200
    )
    res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=auth(kiosk))
    assert res.status_code == 200
    res = client.get(f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(other))
    assert res.status_code == 403
    staff = make.device("staff")
    res = client.get(f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(staff))
    assert res.status_code == 200
    # Minutes later the kiosk has no more business with that badge.
    device = DeviceRegistry(svc.store).authenticate(kiosk)
    later = datetime.now(UTC) + identity.SERVED_FOR
    assert identity.served_here(svc.store.conn, device, attendee_id)
    assert not identity.served_here(svc.store.conn, device, attendee_id, now=later)


@BOTH_DATABASES
def test_kiosk_searches_are_limited_per_kiosk_staff_are_not(client, make, zhang):
    kiosk, staff = make.device(), make.device("staff")
    for _ in range(identity.SEARCHES.limit):
        res = client.get("/api/v1/attendees?q=zhangwei", headers=auth(kiosk))
        assert res.status_code == 200
    res = client.get("/api/v1/attendees?q=zhangwei", headers=auth(kiosk))
    assert res.status_code == 429 and res.get_json()["error"] == "rate_limited"
    assert 0 < int(res.headers["Retry-After"]) <= identity.SEARCHES.window_s
    assert client.get("/api/v1/attendees?q=zw", headers=auth(make.device())).status_code == 200
    for _ in range(identity.SEARCHES.limit + 5):
        assert client.get("/api/v1/attendees?q=zw", headers=auth(staff)).status_code == 200
