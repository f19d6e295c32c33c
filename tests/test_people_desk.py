"""The registration desk: correct, reprint, void a check-in, merge and unmerge, register."""

import json

from conftest import BOTH_DATABASES, auth
from kiosk.stats.counts import compute


def post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def checkin(client, make, code, direction="in"):
    return client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north", "direction": direction},
        headers=auth(make.device()),
    )


def audit(svc, action):
    return svc.store.query(
        "SELECT * FROM audit_log WHERE action = :action ORDER BY id", {"action": action}
    )


@BOTH_DATABASES
def test_search_and_person_page_with_timeline(staff_client, make):
    attendee_id, code = make.attendee(full_name="张伟", company="华为")
    checkin(staff_client, make, code)
    page = staff_client.get("/staff/people?q=zhangwei").get_data(as_text=True)
    assert f"/staff/people/{attendee_id}" in page and "华为" in page
    person = staff_client.get(f"/staff/people/{attendee_id}").get_data(as_text=True)
    assert "registered" in person and "checked_in" in person and code in person


@BOTH_DATABASES
def test_correcting_a_name_is_audited_with_who_before_and_after(staff_client, make, svc):
    attendee_id, _ = make.attendee(full_name="Jon Smith")
    res = post(staff_client, f"/staff/people/{attendee_id}", full_name="John Smith")
    assert res.status_code == 302
    row = svc.store.one(
        "SELECT full_name FROM attendees WHERE id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert row["full_name"] == "John Smith"
    (entry,) = audit(svc, "person.update")
    assert entry["actor"] == "staff:alice" and entry["target"] == f"attendee:{attendee_id}"
    assert json.loads(entry["before"]) == {"full_name": "Jon Smith"}
    assert json.loads(entry["after"]) == {"full_name": "John Smith"}
    logged = svc.store.one(
        "SELECT data FROM interactions WHERE type = 'updated' AND attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
    assert json.loads(logged["data"])["fields"] == ["full_name"]


def test_bad_correction_names_the_field_and_changes_nothing(staff_client, make, svc):
    attendee_id, _ = make.attendee(full_name="Ann Lee")
    res = post(staff_client, f"/staff/people/{attendee_id}", email="not-an-email")
    assert res.status_code == 422 and "email" in res.get_data(as_text=True)
    assert not audit(svc, "person.update")


@BOTH_DATABASES
def test_reprint_revokes_the_old_code(staff_client, make, svc):
    attendee_id, old = make.attendee()
    post(staff_client, f"/staff/people/{attendee_id}/reprint")
    refused = checkin(staff_client, make, old)
    assert refused.status_code == 200 and refused.get_json()["reason"] == "revoked"
    page = staff_client.get(f"/staff/people/{attendee_id}").get_data(as_text=True)
    assert "badge_reprinted" in page and f"/api/v1/attendees/{attendee_id}/badge.png" in page
    new_code = staff_client.get(f"/api/v1/attendees/{attendee_id}").get_json()["badge"]["code"]
    assert new_code != old and checkin(staff_client, make, new_code).status_code == 201
    assert audit(svc, "badge.reprint")[0]["actor"] == "staff:alice"


@BOTH_DATABASES
def test_void_a_checkin_keeps_the_log_and_frees_the_person(staff_client, make, svc):
    attendee_id, code = make.attendee()
    interaction_id = (
        checkin(staff_client, make, code).get_json()
        and svc.store.one("SELECT id FROM interactions WHERE type = 'checked_in'")["id"]
    )
    post(staff_client, f"/staff/people/{attendee_id}/void/{interaction_id}", reason="wrong badge")
    types = [r["type"] for r in svc.store.query("SELECT type FROM interactions ORDER BY id")]
    assert "checked_in" in types and types[-1] == "checkin_voided"
    assert (
        svc.store.one(
            "SELECT * FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
        )
        is None
    )
    # The person can check in again; the voided one is not a double entry.
    assert checkin(staff_client, make, code).status_code == 201
    gates = compute(svc.store.conn, svc.settings)["by_gate"]
    assert sum(g["in"] for g in gates.values()) == 1
    assert audit(svc, "checkin.void")[0]["target"] == f"interaction:{interaction_id}"
    # Voiding it twice, or through another person's page, changes nothing.
    other, _ = make.attendee()
    post(staff_client, f"/staff/people/{attendee_id}/void/{interaction_id}", reason="again")
    latest = svc.store.one("SELECT max(id) FROM interactions WHERE type = 'checked_in'")[0]
    post(staff_client, f"/staff/people/{other}/void/{latest}", reason="not theirs")
    assert len(audit(svc, "checkin.void")) == 1


@BOTH_DATABASES
def test_merge_keeps_both_histories_and_can_be_undone(staff_client, make, svc):
    keep, keep_code = make.attendee(full_name="Li Lei", email="li@example.com")
    dup, dup_code = make.attendee(full_name="Li  Lei", email="lilei@example.com")
    checkin(staff_client, make, dup_code)
    res = post(staff_client, f"/staff/people/{keep}/merge", other_id=str(dup))
    assert res.status_code == 302
    row = svc.store.one("SELECT status, merged_into FROM attendees WHERE id = :dup", {"dup": dup})
    assert (row["status"], row["merged_into"]) == ("merged", keep)
    page = staff_client.get(f"/staff/people/{keep}?lang=en").get_data(as_text=True)
    assert f"(from #{dup})" in page and f"#{dup} merged into #{keep}" in page
    # The merged record's badge no longer works; the survivor is inside (presence moved).
    assert checkin(staff_client, make, dup_code).get_json()["reason"] == "revoked"
    assert checkin(staff_client, make, keep_code).get_json()["reason"] == "already_checked_in"
    merged = svc.store.query("SELECT attendee_id FROM interactions WHERE type = 'merged'")
    assert sorted(r["attendee_id"] for r in merged) == sorted([keep, dup])
    post(staff_client, f"/staff/people/{dup}/unmerge")
    row = svc.store.one("SELECT status, merged_into FROM attendees WHERE id = :dup", {"dup": dup})
    assert (row["status"], row["merged_into"]) == ("active", None)
    assert [
        r["action"]
        for r in svc.store.query("SELECT action FROM audit_log WHERE action LIKE 'person.%'")
    ] == [
        "person.merge",
        "person.unmerge",
    ]


def test_merge_refuses_itself_and_unknown_ids(staff_client, make, svc):
    keep, _ = make.attendee()
    post(staff_client, f"/staff/people/{keep}/merge", other_id=str(keep))
    post(staff_client, f"/staff/people/{keep}/merge", other_id="999")
    post(staff_client, f"/staff/people/{keep}/merge", other_id="abc")
    assert not audit(svc, "person.merge")


@BOTH_DATABASES
def test_register_at_the_desk(staff_client, svc):
    data = {
        "full_name": "陈静",
        "email": "chen@example.com",
        "category": "visitor",
        "language": "zh",
    }
    missing_terms = post(staff_client, "/staff/register", **data)
    assert missing_terms.status_code == 422 and "consent_terms" in missing_terms.get_data(
        as_text=True
    )
    res = post(staff_client, "/staff/register", **data, consent_terms="on")
    assert res.status_code == 302
    row = svc.store.one("SELECT id, source FROM attendees WHERE email_key = 'chen@example.com'")
    assert row["source"] == "staff"
    assert audit(svc, "person.register")[0]["actor"] == "staff:alice"
    again = post(staff_client, "/staff/register", **data, consent_terms="on")
    # The console speaks the show's language (zh) until staff switch it.
    assert again.status_code == 409 and f"已登记为 {row['id']} 号" in again.get_data(as_text=True)


@BOTH_DATABASES
def test_the_desk_recognises_a_person_by_phone_or_name_and_company(staff_client, make, svc):
    known, _ = make.attendee(
        full_name="周杰", company="远洋物流", email="zj@example.com", phone="+8613911112222"
    )
    by_phone = {"full_name": "Zhou Jie", "phone": "139 1111 2222", "category": "vip"}
    by_name = {"full_name": "周杰", "company": "远洋物流", "category": "vip"}
    for data in (by_phone, by_name):
        res = post(staff_client, "/staff/register", **data, consent_terms="on")
        assert res.status_code == 409 and f"已登记为 {known} 号" in res.get_data(as_text=True)
        # One tap to the record on file.
        assert f'href="/staff/people/{known}"' in res.get_data(as_text=True)
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 1
