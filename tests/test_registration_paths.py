"""One way onto the file: the walk-up kiosk, the staff desk and the import register alike."""

from __future__ import annotations

import pytest

from conftest import BOTH_DATABASES, auth
from kiosk.attendees.importer import import_attendees

CONSENTS = {"terms": True, "share_with_exhibitors": False}
HEADER = "external_id,full_name,company,email,phone,category\n"


@pytest.fixture
def staff_live(app, make):
    """A staff dashboard's Socket.IO connection, its welcome messages read."""
    socketio = app.extensions["socketio"]
    live = socketio.test_client(app, namespace="/live", auth={"token": make.device("staff")})
    live.get_received("/live")
    yield live
    live.disconnect(namespace="/live")


def registrations(live) -> list[dict]:
    """The `registration` events staff received since the last call."""
    return [e["args"][0] for e in live.get_received("/live") if e["name"] == "registration"]


def registered_rows(svc, attendee_id: int) -> int:
    return svc.store.one(
        "SELECT count(*) FROM interactions WHERE type = 'registered' AND attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )[0]


def people(svc) -> int:
    return svc.store.one("SELECT count(*) FROM attendees")[0]


def walk_up(client, make, **fields):
    body = {"full_name": "王小明", "company": "云帆科技", "category": "trade", **fields}
    return client.post(
        "/api/v1/registrations",
        json={**body, "consents": CONSENTS},
        headers=auth(make.device("kiosk")),
    )


def at_the_desk(staff_client, **fields):
    data = {"category": "visitor", "language": "zh", "consent_terms": "on", **fields}
    return staff_client.post("/staff/register", data={"csrf_token": staff_client.csrf, **data})


def run_import(app, tmp_path, rows: str, name="tickets.csv"):
    """The import run against the serving show, so its events reach the live bridge."""
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    served = app.extensions["kiosk"]
    return import_attendees(served.store, served.settings, served.keys, path)


@BOTH_DATABASES
def test_walk_up_desk_and_import_each_announce_one_registration(
    app, client, staff_client, staff_live, make, svc, tmp_path
):
    kiosk = walk_up(client, make, email="xm@example.com")
    assert kiosk.status_code == 201, kiosk.get_json()
    desk = at_the_desk(staff_client, full_name="陈静", email="chen@example.com")
    assert desk.status_code == 302
    report = run_import(
        app,
        tmp_path,
        "T-1,Anna Müller,Bosch,anna@example.de,,trade\nT-2,李雷,华为,li@example.com,,media\n",
    )
    assert report.created == 2

    events = registrations(staff_live)
    ids = [row[0] for row in svc.store.query("SELECT id FROM attendees ORDER BY id")]
    assert [e["attendee_id"] for e in events] == ids
    assert [e["source"] for e in events] == ["walk-up", "staff", "import", "import"]
    assert [e["category"] for e in events] == ["trade", "visitor", "trade", "media"]
    assert all(registered_rows(svc, attendee_id) == 1 for attendee_id in ids)

    again = run_import(
        app,
        tmp_path,
        "T-1,Anna Müller,Bosch,anna@example.de,,trade\nT-2,李雷,华为,li@example.com,,media\n",
        name="again.csv",
    )
    assert (again.created, again.unchanged) == (0, 2)
    assert registrations(staff_live) == []


@pytest.mark.parametrize(
    "first, second, matched_on",
    [
        ({"email": "Xiaoming@Example.com"}, {"email": "XIAOMING@example.COM"}, "email"),
        ({"phone": "+86 139 1111 2222"}, {"phone": "13911112222"}, "phone"),
        (
            {"full_name": "周杰", "company": "远洋物流"},
            {"full_name": "周杰", "company": "远洋物流"},
            "name_company",
        ),
    ],
    ids=["email-any-case", "phone", "name-and-company"],
)
def test_kiosk_and_desk_refuse_a_person_on_file_alike(
    client, staff_client, staff_live, make, svc, first, second, matched_on
):
    known, _ = make.attendee(**{"full_name": "Zhou Jie", "company": "Ocean", **first})
    others = {"full_name": "Somebody Else", "company": "Elsewhere", "email": "else@example.com"}

    kiosk = walk_up(client, make, **{**others, **second})
    assert kiosk.status_code == 409, kiosk.get_json()
    answer = kiosk.get_json()
    assert answer["error"] == "already_registered"
    # A kiosk learns the id the person's proof goes with, not who they are nor what matched.
    assert answer["attendee_id"] == known
    assert not {"matched_on", "attendee"} & set(answer)

    staff_api = client.post(
        "/api/v1/registrations",
        json={**others, **second, "category": "vip", "consents": CONSENTS},
        headers=auth(make.device("staff")),
    )
    assert staff_api.status_code == 409 and staff_api.get_json()["attendee_id"] == known
    assert staff_api.get_json()["matched_on"] == matched_on

    staff_client.get("/staff/people?lang=en")
    desk = at_the_desk(staff_client, **{**others, **second})
    assert desk.status_code == 409
    assert f"already registered as person {known}" in desk.get_data(as_text=True)

    assert people(svc) == 1
    assert registrations(staff_live) == []
    assert not svc.store.query("SELECT * FROM audit_log WHERE action = 'person.register'")


@pytest.mark.parametrize(
    "row",
    [
        "T-9,Wang Xiaoming,Yunfan,XM@example.com,,media\n",
        "T-9,Wang Xiaoming,Yunfan,,+8613800138000,media\n",
        "T-9,王小明,云帆科技,,,media\n",
    ],
    ids=["email", "phone", "name-and-company"],
)
@BOTH_DATABASES
def test_the_import_updates_a_person_on_file_instead_of_duplicating(
    app, client, staff_live, make, svc, tmp_path, row
):
    res = walk_up(client, make, email="xm@example.com", phone="138 0013 8000")
    walked_up = res.get_json()["attendee"]["id"]
    registrations(staff_live)

    report = run_import(app, tmp_path, row)
    assert (report.created, report.updated) == (0, 1), report
    assert people(svc) == 1
    person = svc.store.one(
        "SELECT * FROM attendees WHERE id = :walked_up", {"walked_up": walked_up}
    )
    assert person["external_id"] == "T-9" and person["source"] == "walk-up"
    assert person["email_key"] == "xm@example.com"  # what they typed stays
    assert registered_rows(svc, walked_up) == 1
    assert registrations(staff_live) == []

    again = run_import(app, tmp_path, row, name="again.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


@BOTH_DATABASES
def test_two_tickets_sharing_an_inbox_are_two_people(app, staff_live, svc, tmp_path):
    report = run_import(
        app,
        tmp_path,
        "T-1,Li Na,Acme,office@acme.example,,trade\nT-2,Wu Gang,Acme,office@acme.example,,trade\n",
    )
    assert report.created == 2 and people(svc) == 2
    assert len(registrations(staff_live)) == 2


@BOTH_DATABASES
def test_staff_registering_through_the_api_is_audited(client, make, svc):
    token = make.device("staff", name="desk-tablet")
    res = client.post(
        "/api/v1/registrations",
        json={
            "full_name": "Grace Wu",
            "company": "Daily",
            "category": "media",
            "consents": CONSENTS,
        },
        headers=auth(token),
    )
    assert res.status_code == 201
    attendee_id = res.get_json()["attendee"]["id"]
    (entry,) = svc.store.query("SELECT * FROM audit_log WHERE action = 'person.register'")
    assert entry["actor"].endswith(":desk-tablet")
    assert entry["target"] == f"attendee:{attendee_id}"
    row = svc.store.one(
        "SELECT source FROM attendees WHERE id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert row["source"] == "staff"
