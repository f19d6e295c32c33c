"""POST /api/v1/registrations: a walk-up visitor registered once, with consents kept as shown."""

from __future__ import annotations

import json

import pytest

from conftest import BOTH_DATABASES, auth, load_settings
from kiosk.attendees import walkup
from kiosk.config import ConfigError

pytestmark = BOTH_DATABASES

CONSENTS = {"terms": True, "share_with_exhibitors": False}


def _body(**fields):
    return {
        "full_name": "王小明",
        "company": "杭州云帆科技有限公司",
        "email": "Xiaoming.Wang@Example.COM",
        "phone": "138 0013 8000",
        "category": "trade",
        "language": "zh",
        "consents": CONSENTS,
        **fields,
    }


@pytest.fixture
def kiosk(make):
    return auth(make.device("kiosk"))


def test_registration_creates_person_badge_and_consents(client, kiosk, svc):
    res = client.post("/api/v1/registrations", json=_body(), headers=kiosk)
    assert res.status_code == 201, res.get_json()
    data = res.get_json()
    attendee_id = data["attendee"]["id"]
    assert data["attendee"]["full_name"] == "王小明"
    assert data["badge"]["png_url"] == f"/api/v1/attendees/{attendee_id}/badge.png"
    assert data["badge"]["code"].startswith("K")
    row = svc.store.one("SELECT * FROM attendees WHERE id = :id", {"id": attendee_id})
    assert row["email"] == "Xiaoming.Wang@example.com" and row["phone"] == "+8613800138000"
    assert row["source"] == "walk-up" and row["language"] == "zh"
    consents = svc.store.query(
        "SELECT consent, granted, version, text, language, at FROM consents"
        " WHERE attendee_id = :id ORDER BY consent",
        {"id": attendee_id},
    )
    by_key = {r["consent"]: r for r in consents}
    assert by_key["terms"]["granted"] == 1 and by_key["terms"]["version"] == "2026-1"
    assert by_key["terms"]["text"] == svc.settings.consents["terms"].text["zh"]
    assert by_key["share_with_exhibitors"]["granted"] == 0
    assert by_key["terms"]["at"].endswith("Z")
    types = [
        r["type"]
        for r in svc.store.query(
            "SELECT type FROM interactions WHERE attendee_id = :id ORDER BY id",
            {"id": attendee_id},
        )
    ]
    assert types[0] == "registered"
    assert sorted(types[1:]) == ["consent_given", "consent_withdrawn"]
    scan = client.post(
        "/api/v1/checkins",
        json={"code": data["badge"]["code"], "gate": "north"},
        headers=kiosk,
    )
    assert scan.status_code == 201


@pytest.mark.parametrize(
    "again",
    [
        {"email": "XIAOMING.WANG@example.com", "phone": "", "company": "Other"},
        {"email": "other@example.com", "phone": "+86 138-0013-8000", "company": "Other"},
        {"email": "other@example.com", "phone": "", "full_name": "王小明"},
    ],
    ids=["same-email-any-case", "same-phone", "same-name-and-company"],
)
def test_the_same_person_is_recognised_not_duplicated(client, kiosk, svc, again):
    first = client.post("/api/v1/registrations", json=_body(), headers=kiosk).get_json()
    res = client.post("/api/v1/registrations", json=_body(**again), headers=kiosk)
    assert res.status_code == 409
    data = res.get_json()
    assert data["error"] == "already_registered"
    assert data["attendee_id"] == first["attendee"]["id"]
    # The kiosk names nobody: the person proves who they are before anything is shown.
    assert "attendee" not in data and "王小明" not in res.get_data(as_text=True)
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 1


def test_field_errors_name_each_field(client, kiosk, svc):
    res = client.post(
        "/api/v1/registrations",
        json=_body(email="not-an-email", phone="12", company="", consents={"terms": False}),
        headers=kiosk,
    )
    assert res.status_code == 422
    fields = res.get_json()["fields"]
    assert set(fields) == {"email", "phone", "company", "consents.terms"}
    assert fields["company"] == "required" and fields["consents.terms"] == "required"
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 0


@pytest.mark.parametrize(
    "body, field",
    [
        (_body(category="staff"), "category"),
        (_body(category="nope"), "category"),
        (_body(category=["visitor"]), "category"),
        (_body(category={"id": "visitor"}), "category"),
        (_body(consents={"terms": "yes"}), "consents.terms"),
        (_body(consents={"marketing": True, "terms": True}), "consents.marketing"),
        (_body(consents=["terms"]), "consents"),
        (_body(full_name="x" * 201), "full_name"),
        (_body(category="buyer", phone=""), "phone"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, kiosk, body, field):
    res = client.post("/api/v1/registrations", json=body, headers=kiosk)
    assert res.status_code == 422 and field in res.get_json()["fields"]


def test_not_json_is_a_400_and_roles_are_checked(client, make):
    kiosk = auth(make.device("kiosk"))
    assert client.post("/api/v1/registrations", data="x", headers=kiosk).status_code == 400
    assert client.post("/api/v1/registrations", json=_body()).status_code == 401
    exhibitor = auth(make.device("exhibitor"))
    assert client.post("/api/v1/registrations", json=_body(), headers=exhibitor).status_code == 403
    staff = auth(make.device("staff"))
    res = client.post("/api/v1/registrations", json=_body(category="vip"), headers=staff)
    assert res.status_code == 201


def test_registration_form_follows_the_configuration(client, kiosk):
    res = client.get("/api/v1/registration-form", headers=kiosk)
    data = res.get_json()
    ids = [c["id"] for c in data["categories"]]
    assert ids == ["visitor", "trade", "buyer", "media"]
    buyer = next(c for c in data["categories"] if c["id"] == "buyer")
    assert "purchasing_role" in buyer["fields"] and "phone" in buyer["required"]
    terms = next(c for c in data["consents"] if c["id"] == "terms")
    assert terms["required"] and terms["text"]["zh"].startswith("我同意")


def test_registration_is_pushed_live_to_staff(app, client, make):
    staff_token = make.device("staff")
    socketio = app.extensions["socketio"]
    live = socketio.test_client(app, namespace="/live", auth={"token": staff_token})
    live.get_received("/live")
    res = client.post("/api/v1/registrations", json=_body(), headers=auth(make.device("kiosk")))
    events = [e for e in live.get_received("/live") if e["name"] == "registration"]
    assert events and events[0]["args"][0]["attendee_id"] == res.get_json()["attendee"]["id"]
    assert "王小明" not in json.dumps(events[0]["args"][0], ensure_ascii=False)


def test_a_bad_registration_section_is_a_config_error(tmp_path):
    from conftest import EVENT_TOML

    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        'fields = ["full_name", "company", "job_title", "email", "phone"]',
        'fields = ["full_name", "shoe_size"]',
    )
    settings = load_settings(tmp_path, text)
    with pytest.raises(ConfigError, match="registration.fields: unknown field 'shoe_size'"):
        walkup.form(settings)


def test_two_kiosks_registering_the_same_person_at_once_make_one(live_server, make, svc):
    import threading

    import requests

    tokens = [make.device("kiosk") for _ in range(4)]
    answers = []
    start = threading.Barrier(len(tokens))

    def submit(token):
        start.wait()
        res = requests.post(
            f"{live_server.url}/api/v1/registrations", json=_body(), headers=auth(token), timeout=10
        )
        answers.append(res.status_code)

    threads = [threading.Thread(target=submit, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201, 409, 409, 409]
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 1
