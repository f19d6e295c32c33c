"""Screening (甄别): likely fakes flagged, likely duplicates queued for staff, walk-ups kept."""

from __future__ import annotations

import json

import pytest

from conftest import BOTH_DATABASES, auth
from kiosk.attendees import screening

CONSENTS = {"terms": True, "share_with_exhibitors": False}
HEADER = "external_id,full_name,company,job_title,email,phone,country,category\n"


def flags_of(svc, attendee_id: int) -> list[dict]:
    row = svc.store.one(
        "SELECT flags FROM attendees WHERE id = :attendee_id", {"attendee_id": attendee_id}
    )
    return json.loads(row["flags"])


def post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("张伟", None),
        ("Maria Smith", None),
        ("Nietzsche", None),
        ("Wertheim", None),
        ("Ng Kwok Wai", None),
        ("asdfgh", "keyboard_mash_name"),
        ("Qwert Lee", "keyboard_mash_name"),
        ("Dfgkhj", "keyboard_mash_name"),
        ("jkjkjk", "keyboard_mash_name"),
        ("哈哈哈", "keyboard_mash_name"),
        ("test", "placeholder_name"),
        ("Test 2", "placeholder_name"),
        ("测试", "placeholder_name"),
    ],
)
def test_names_that_look_typed_at_random(name, flag):
    assert screening.name_flag(name) == flag


@pytest.mark.parametrize(
    ("phone", "flag"),
    [
        ("+8613912340001", None),
        ("+4930901820", None),
        ("+8613800138000", "placeholder_phone"),
        ("+8613900000000", "placeholder_phone"),
        ("+8613912345678", "placeholder_phone"),
        ("+8613987654321", "placeholder_phone"),
        ("+12025550123", "placeholder_phone"),
    ],
)
def test_placeholder_phone_numbers(phone, flag):
    assert screening.phone_flag(phone) == flag


@pytest.mark.parametrize(
    ("email", "flag"),
    [
        ("wang@qq.com", None),
        ("anna@example.de", None),
        ("x@mailinator.com", "disposable_email"),
        ("x@inbox.mailinator.com", "disposable_email"),
        ("x@10minutemail.com", "disposable_email"),
    ],
)
def test_disposable_mail_domains_come_from_the_maintained_list(email, flag):
    assert screening.email_flag(email) == flag


def test_registration_writes_flags_and_a_correction_clears_them(svc, make, staff_client):
    pid, _ = make.attendee(full_name="asdfgh", email="who@mailinator.com")
    assert flags_of(svc, pid) == [
        {"flag": "disposable_email", "field": "email"},
        {"flag": "keyboard_mash_name", "field": "full_name"},
    ]
    page = staff_client.get(f"/staff/people/{pid}").get_data(as_text=True)
    assert "一次性邮箱" in page
    post(staff_client, f"/staff/people/{pid}", full_name="Li Na", email="li.na@example.com")
    assert flags_of(svc, pid) == []
    clean, _ = make.attendee(full_name="Anna Müller")
    assert flags_of(svc, clean) == []


def test_a_walk_up_with_a_bad_phone_is_registered_and_flagged(client, make, svc):
    kiosk = auth(make.device("kiosk"))
    body = {
        "full_name": "采购商甲",
        "company": "甲公司",
        "email": "jia@example.com",
        "phone": "12345",
        "category": "buyer",  # the buyer form requires a phone
        "consents": CONSENTS,
    }
    res = client.post("/api/v1/registrations", json=body, headers=kiosk)
    assert res.status_code == 201, res.get_json()
    pid = res.get_json()["attendee"]["id"]
    row = svc.store.one("SELECT phone FROM attendees WHERE id = :pid", {"pid": pid})
    assert row["phone"] == ""
    assert flags_of(svc, pid) == [{"flag": "invalid_phone", "field": "phone", "typed": "12345"}]
    code = res.get_json()["badge"]["code"]
    checked = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north", "direction": "in", "nonce": "n-1"},
        headers=kiosk,
    )
    assert checked.status_code == 201


def test_a_bad_phone_is_still_named_while_the_form_needs_correcting(client, make, svc):
    kiosk = auth(make.device("kiosk"))
    body = {"full_name": "", "email": "x@example.com", "phone": "12345", "consents": CONSENTS}
    res = client.post("/api/v1/registrations", json=body, headers=kiosk)
    assert res.status_code == 422
    assert set(res.get_json()["fields"]) == {"full_name", "phone"}
    staff = auth(make.device("staff"))
    res = client.post(
        "/api/v1/registrations", json={**body, "full_name": "Desk Person"}, headers=staff
    )
    assert res.status_code == 422 and "phone" in res.get_json()["fields"]  # staff can fix it
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 0


@BOTH_DATABASES
def test_correcting_the_phone_at_the_desk_clears_invalid_phone(client, make, svc, staff_client):
    kiosk = auth(make.device("kiosk"))
    body = {"full_name": "Wu Lei", "email": "wu@example.com", "phone": "0000", "consents": CONSENTS}
    pid = client.post("/api/v1/registrations", json=body, headers=kiosk).get_json()["attendee"][
        "id"
    ]
    post(staff_client, f"/staff/people/{pid}", company="Acme")
    assert [f["flag"] for f in flags_of(svc, pid)] == ["invalid_phone"]  # another field
    post(staff_client, f"/staff/people/{pid}", phone="+8613912340007")
    assert flags_of(svc, pid) == []


@pytest.fixture
def doubles(runner, tmp_path, svc):
    """Two tickets for one person (same phone, another e-mail), two namesakes at one company,
    and two people who only share a first name."""
    path = tmp_path / "reg.csv"
    path.write_text(
        HEADER
        + "T-1,张伟,华为,采购经理,zhang.wei@example.com,13912340001,CN,buyer\n"
        + "T-2,Zhang Wei,Huawei,,zw@private.example,+86 139 1234 0001,CN,visitor\n"
        + "T-3,Anna Müller,Bosch,Engineer,anna@bosch.example,,DE,trade\n"
        + "T-4,anna müller,BOSCH,,anna.m@gmail.example,,DE,visitor\n"
        + "T-5,Anna Schmidt,Bosch,,schmidt@bosch.example,,DE,visitor\n",
        encoding="utf-8",
    )
    result = runner.invoke("import", "attendees", str(path))
    assert "5 created" in result.stdout, result.output
    ids = {
        r["external_id"]: r["id"] for r in svc.store.query("SELECT id, external_id FROM attendees")
    }
    return ids


@BOTH_DATABASES
def test_likely_duplicates_are_listed_for_review(doubles, staff_client):
    page = staff_client.get("/staff/review?lang=en").get_data(as_text=True)
    assert f'data-pair="{doubles["T-1"]}-{doubles["T-2"]}"' in page
    assert f'data-pair="{doubles["T-3"]}-{doubles["T-4"]}"' in page
    assert "same phone" in page and "same name and company" in page
    assert str(doubles["T-5"]) + "-" not in page and f'-{doubles["T-5"]}"' not in page
    assert "To review" in page and "Two different people" in page


@BOTH_DATABASES
def test_dismissing_a_pair_is_audited_and_it_stays_dismissed(doubles, staff_client, svc):
    a, b = doubles["T-3"], doubles["T-4"]
    staff_client.get("/staff/review?lang=en")  # the console in English from here on
    res = post(staff_client, "/staff/review/dismiss", first_id=str(b), second_id=str(a))
    assert res.status_code == 302
    page = staff_client.get("/staff/review").get_data(as_text=True)
    assert f'data-pair="{a}-{b}"' not in page and "kept apart" in page
    (entry,) = svc.store.query("SELECT * FROM audit_log WHERE action = 'person.duplicate_dismiss'")
    assert entry["actor"] == "staff:alice" and json.loads(entry["after"]) == {
        "first_id": a,
        "second_id": b,
    }
    post(staff_client, "/staff/review/dismiss", first_id=str(a), second_id=str(b))
    page = staff_client.get("/staff/review").get_data(as_text=True)
    assert "dismissed already" in page
    assert len(svc.store.query("SELECT * FROM duplicate_reviews")) == 1


def test_merging_from_the_review_list_uses_the_desk_merge(doubles, staff_client, svc):
    keep, gone = doubles["T-1"], doubles["T-2"]
    staff_client.get("/staff/review?lang=en")  # the console in English from here on
    post(staff_client, "/staff/review/merge", keep_id=str(keep), merge_id=str(gone))
    row = svc.store.one(
        "SELECT status, merged_into FROM attendees WHERE id = :gone", {"gone": gone}
    )
    assert (row["status"], row["merged_into"]) == ("merged", keep)
    assert len(svc.store.query("SELECT * FROM audit_log WHERE action = 'person.merge'")) == 1
    page = staff_client.get("/staff/review").get_data(as_text=True)
    assert f'data-pair="{keep}-{gone}"' not in page
    bad = post(staff_client, "/staff/review/merge", keep_id="x", merge_id=str(gone))
    assert bad.status_code == 302
    assert "keep_id: give a record id" in staff_client.get("/staff/review").get_data(as_text=True)


def test_flags_travel_in_the_crm_export(svc, make, runner, tmp_path):
    make.attendee(full_name="Test", email="t@mailinator.com")
    make.attendee(full_name="Li Na")
    result = runner.invoke("export", "--format", "jsonl", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "people.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["flags"] for r in records] == [["disposable_email", "placeholder_name"], []]
