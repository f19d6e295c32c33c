"""Lead capture API: scans, upserts, resends, roles, consent, questions, downloads."""

import csv
import io

import vobject

from conftest import BOTH_DATABASES, auth
from kiosk.storage import reports

pytestmark = BOTH_DATABASES

QUESTIONS = [
    {
        "id": "budget",
        "type": "single",
        "label": {"zh": "预算", "en": "Budget"},
        "options": ["small", "large"],
    },
    {
        "id": "products",
        "type": "multiple",
        "label": "Products",
        "options": ["pumps", "valves", "seals"],
    },
    {"id": "project", "type": "text", "label": "Project"},
]


def exhibitor_device(make, exhibitor_id=None):
    exhibitor_id = exhibitor_id or make.exhibitor()
    return exhibitor_id, make.device("exhibitor", exhibitor_id=exhibitor_id)


def scan(client, token, code, ref, **extra):
    return client.post(
        "/api/v1/leads", json={"code": code, "client_ref": ref, **extra}, headers=auth(token)
    )


def consented(make, **fields):
    """A visitor who agreed to share contact details with exhibitors."""
    fields = {"company": "Sino Pumps", "country": "CN", "phone": "+8613800138000", **fields}
    attendee_id, code = make.attendee(**fields)
    from kiosk.attendees import registry

    with make.svc.store.write() as conn:
        registry.record_consents(
            conn, make.svc.settings, attendee_id, {"share_with_exhibitors": True}, language="en"
        )
    return attendee_id, code


def test_scan_creates_then_updates_one_lead(client, make, svc):
    _, token = exhibitor_device(make)
    attendee_id, code = consented(make, full_name="Wang Fang")
    first = scan(
        client,
        token,
        code,
        "r1",
        scanned_at="2026-05-01T09:00:00.000Z",
        rating="warm",
        notes="wants pumps",
    )
    assert first.status_code == 201
    lead = first.get_json()["lead"]
    assert lead["visitor"]["full_name"] == "Wang Fang"
    assert lead["rating"] == "warm" and lead["scans"] == 1
    again = scan(
        client, token, code, "r2", scanned_at="2026-05-01T10:00:00.000Z", rating=None, notes=None
    )
    assert again.status_code == 200
    lead = again.get_json()["lead"]
    assert (lead["id"], lead["scans"], lead["rating"], lead["notes"]) == (
        first.get_json()["lead"]["id"],
        2,
        "warm",
        "wants pumps",
    )
    assert lead["first_scanned_at"] == "2026-05-01T09:00:00.000Z"
    assert lead["last_scanned_at"] == "2026-05-01T10:00:00.000Z"
    rows = svc.store.query(
        "SELECT at, data FROM interactions WHERE type = 'lead_captured' ORDER BY at"
    )
    assert [r["at"] for r in rows] == ["2026-05-01T09:00:00.000Z", "2026-05-01T10:00:00.000Z"]


def test_same_client_ref_twice_records_one_scan(client, make, svc):
    _, token = exhibitor_device(make)
    _, code = make.attendee()
    assert scan(client, token, code, "same").status_code == 201
    resent = scan(client, token, code, "same")
    assert resent.status_code == 200 and resent.get_json()["duplicate"] is True
    assert svc.store.one("SELECT scans FROM leads")[0] == 1
    assert svc.store.one("SELECT count(*) FROM interactions WHERE type='lead_captured'")[0] == 1


def test_invalid_codes_and_bad_fields(client, make):
    _, token = exhibitor_device(make)
    _, code = make.attendee()
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    res = scan(client, token, forged, "x1")
    assert res.status_code == 404 and res.get_json()["error"] == "invalid_code"
    res = scan(client, token, code, "x2", rating="lukewarm", scanned_at="yesterday")
    assert res.status_code == 422
    assert set(res.get_json()["fields"]) == {"rating", "scanned_at"}
    res = scan(client, token, code, "", answers={"nope": 1})
    assert set(res.get_json()["fields"]) == {"client_ref", "answers.nope"}
    res = scan(client, token, code, "x3", scanned_at="2099-01-01T00:00:00Z")
    assert res.get_json()["fields"] == {"scanned_at": "lies in the future"}
    assert client.post("/api/v1/leads", data="[]", headers=auth(token)).status_code == 400


def test_roles_kiosk_cannot_capture_and_exhibitors_are_fenced(client, make):
    _, code = make.attendee()
    assert scan(client, make.device("kiosk"), code, "k").status_code == 403
    assert scan(client, make.device("staff"), code, "s").status_code == 403
    ex_a, token_a = exhibitor_device(make)
    ex_b, token_b = exhibitor_device(make)
    lead_id = scan(client, token_a, code, "a1").get_json()["lead"]["id"]
    assert (
        client.patch(
            f"/api/v1/leads/{lead_id}", json={"rating": "hot"}, headers=auth(token_b)
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/leads/{lead_id}/consent",
            json={"agree": True, "language": "en"},
            headers=auth(token_b),
        ).status_code
        == 403
    )
    assert client.get("/api/v1/leads", headers=auth(token_b)).get_json()["leads"] == []
    assert (
        client.get("/api/v1/leads.csv", headers=auth(token_b)).data.decode("utf-8-sig").count("\n")
        == 1
    )
    assert (
        client.patch(
            "/api/v1/leads/9999", json={"rating": "hot"}, headers=auth(token_a)
        ).status_code
        == 404
    )
    staff = make.device("staff")
    assert len(client.get("/api/v1/leads", headers=auth(staff)).get_json()["leads"]) == 1
    assert (
        client.get(f"/api/v1/leads?exhibitor_id={ex_b}", headers=auth(staff)).get_json()["leads"]
        == []
    )
    assert client.get("/api/v1/leads", headers=auth(make.device("kiosk"))).status_code == 403
    assert (
        client.patch(
            f"/api/v1/leads/{lead_id}", json={"rating": "hot"}, headers=auth(staff)
        ).status_code
        == 403
    )
    counts = client.get("/api/v1/leads/counts", headers=auth(staff)).get_json()["exhibitors"]
    assert {c["id"]: c["leads"] for c in counts} == {ex_a: 1, ex_b: 0}
    assert client.get("/api/v1/leads/counts", headers=auth(token_a)).status_code == 403
    stats = client.get("/api/v1/stats", headers=auth(staff)).get_json()
    assert stats["leads"] == 1
    assert [(e["id"], e["leads"]) for e in stats["leads_by_exhibitor"]] == [(ex_a, 1)]


def test_withheld_consent_means_no_contact_anywhere(client, make):
    _, token = exhibitor_device(make)
    _, code = make.attendee(
        full_name="Li Lei",
        email="lilei@example.com",
        company="Secret Co",
        country="CN",
        phone="+8613900139000",
    )
    lead = scan(client, token, code, "c1").get_json()["lead"]
    assert lead["visitor"] == {
        "id": lead["visitor"]["id"],
        "company": "Secret Co",
        "country": "CN",
        "category": "visitor",
        "contact_shared": False,
    }
    answers = [
        client.get("/api/v1/leads", headers=auth(token)).data,
        client.get("/api/v1/leads", headers=auth(make.device("staff"))).data,
        client.get("/api/v1/leads.csv", headers=auth(token)).data,
        client.get("/api/v1/leads.vcf", headers=auth(token)).data,
        client.patch(
            f"/api/v1/leads/{lead['id']}", json={"notes": "met"}, headers=auth(token)
        ).data,
    ]
    for body in answers:
        text = body.decode("utf-8")
        assert "Li Lei" not in text and "lilei" not in text and "139" not in text
    # Searching by the hidden name finds nothing; by the visible company it does.
    assert client.get("/api/v1/leads?q=li lei", headers=auth(token)).get_json()["leads"] == []
    assert len(client.get("/api/v1/leads?q=secret", headers=auth(token)).get_json()["leads"]) == 1


def test_consent_on_the_spot_stores_text_and_version(client, make, svc):
    _, token = exhibitor_device(make)
    attendee_id, code = make.attendee(full_name="张伟", email="zw@example.com")
    lead_id = scan(client, token, code, "c1").get_json()["lead"]["id"]
    res = client.post(
        f"/api/v1/leads/{lead_id}/consent",
        json={"agree": False, "language": "zh"},
        headers=auth(token),
    )
    assert res.status_code == 422 and "agree" in res.get_json()["fields"]
    res = client.post(
        f"/api/v1/leads/{lead_id}/consent",
        json={"agree": True, "language": "zh"},
        headers=auth(token),
    )
    assert res.status_code == 200
    assert res.get_json()["lead"]["visitor"]["email"] == "zw@example.com"
    row = svc.store.one("SELECT * FROM consents WHERE attendee_id = :id", {"id": attendee_id})
    assert row["consent"] == "share_with_exhibitors" and row["granted"] == 1
    assert row["version"] == svc.settings.consents["share_with_exhibitors"].version
    assert row["text"] == svc.settings.consents["share_with_exhibitors"].text["zh"]
    assert svc.store.one("SELECT count(*) FROM interactions WHERE type='consent_given'")[0] == 1


def test_consent_given_at_one_booth_shares_with_that_booth_only(client, make, svc):
    _, booth_a = exhibitor_device(make)
    _, booth_b = exhibitor_device(make)
    attendee_id, code = make.attendee(full_name="李娜", email="ln@example.com")
    lead_a = scan(client, booth_a, code, "a1").get_json()["lead"]["id"]
    lead_b = scan(client, booth_b, code, "b1").get_json()["lead"]["id"]
    agreed = client.post(
        f"/api/v1/leads/{lead_a}/consent",
        json={"agree": True, "language": "zh"},
        headers=auth(booth_a),
    )
    assert agreed.get_json()["lead"]["visitor"]["email"] == "ln@example.com"
    for token, lead_id, sees in ((booth_a, lead_a, True), (booth_b, lead_b, False)):
        listed = client.get("/api/v1/leads", headers=auth(token)).get_json()["leads"]
        assert [lead["id"] for lead in listed] == [lead_id]
        assert (listed[0]["visitor"].get("email") == "ln@example.com") is sees
        download = client.get("/api/v1/leads.csv", headers=auth(token)).get_data(as_text=True)
        assert ("ln@example.com" in download) is sees


def test_questions_set_by_staff_and_answers_validated(client, make, svc):
    ex, token = exhibitor_device(make)
    staff = make.device("staff")
    bad = client.put(
        f"/api/v1/exhibitors/{ex}/questions",
        json={"questions": [{"id": "q", "type": "single", "label": "Q", "options": ["only"]}]},
        headers=auth(staff),
    )
    assert bad.status_code == 422 and "questions[0].options" in bad.get_json()["fields"]
    assert (
        client.put(
            f"/api/v1/exhibitors/{ex}/questions", json={"questions": QUESTIONS}, headers=auth(token)
        ).status_code
        == 403
    )
    res = client.put(
        f"/api/v1/exhibitors/{ex}/questions", json={"questions": QUESTIONS}, headers=auth(staff)
    )
    assert res.status_code == 200
    assert (
        svc.store.one("SELECT count(*) FROM audit_log WHERE action='exhibitor.questions'")[0] == 1
    )
    me = client.get("/api/v1/exhibitor", headers=auth(token)).get_json()
    assert [q["id"] for q in me["questions"]] == ["budget", "products", "project"]
    assert me["consent"]["text"]["en"]
    _, code = make.attendee(company="Flow AG")
    lead_id = scan(client, token, code, "q1", answers={"budget": "large"}).get_json()["lead"]["id"]
    res = client.patch(
        f"/api/v1/leads/{lead_id}",
        json={"answers": {"budget": "huge", "products": ["pumps", "x"], "nope": "1"}},
        headers=auth(token),
    )
    assert set(res.get_json()["fields"]) == {"answers.budget", "answers.products", "answers.nope"}
    res = client.patch(
        f"/api/v1/leads/{lead_id}",
        json={
            "answers": {"products": ["valves", "pumps"], "project": "Line 3"},
            "follow_up": ["call", "quote"],
            "rating": "hot",
        },
        headers=auth(token),
    )
    lead = res.get_json()["lead"]
    assert lead["answers"] == {
        "budget": "large",
        "products": ["pumps", "valves"],
        "project": "Line 3",
    }
    assert lead["follow_up"] == ["call", "quote"] and lead["rating"] == "hot"
    assert (
        client.patch(
            f"/api/v1/leads/{lead_id}", json={"follow_up": ["dance"]}, headers=auth(token)
        ).status_code
        == 422
    )
    assert svc.store.one("SELECT count(*) FROM interactions WHERE type='lead_updated'")[0] == 1
    for query, n in (
        ("answer.budget=large", 1),
        ("answer.products=seals", 0),
        ("rating=hot", 1),
        ("rating=cold", 0),
        ("follow_up=call", 1),
        ("q=line", 1),
    ):
        got = client.get(f"/api/v1/leads?{query}", headers=auth(token)).get_json()["leads"]
        assert len(got) == n, query


def test_csv_is_excel_ready_and_formula_safe(client, make):
    _, token = exhibitor_device(make)
    _, code = consented(make, full_name='=HYPERLINK("x")', company="+Evil")
    scan(client, token, code, "f1", notes="-2+3", rating="hot")
    res = client.get("/api/v1/leads.csv", headers=auth(token))
    assert res.mimetype == "text/csv"
    assert res.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert rows[0]["full_name"] == '\'=HYPERLINK("x")'
    assert rows[0]["company"] == "'+Evil" and rows[0]["notes"] == "'-2+3"
    assert rows[0]["rating"] == "hot"


def test_vcard_4_parses(client, make):
    _, token = exhibitor_device(make)
    _, code = consented(make, full_name="王芳", email="wf@example.com", job_title="Buyer")
    scan(client, token, code, "v1", rating="hot", notes="line, 3; urgent")
    res = client.get("/api/v1/leads.vcf", headers=auth(token))
    card = next(vobject.readComponents(res.data.decode("utf-8")))
    assert card.version.value == "4.0"
    assert card.fn.value == "王芳"
    assert card.email.value == "wf@example.com"
    assert "line, 3; urgent" in card.note.value


def test_lead_event_reaches_exhibitor_room(app, make, svc):
    ex, token = exhibitor_device(make)
    other_ex, other = exhibitor_device(make)
    staff = make.device("staff")
    sio = app.extensions["socketio"]
    c = app.test_client()
    mine = sio.test_client(app, namespace="/live", auth={"token": token}, flask_test_client=c)
    theirs = sio.test_client(app, namespace="/live", auth={"token": other}, flask_test_client=c)
    desk = sio.test_client(app, namespace="/live", auth={"token": staff}, flask_test_client=c)
    desk.get_received("/live")
    _, code = make.attendee()
    scan(c, token, code, "e1")
    assert [e["name"] for e in mine.get_received("/live")] == ["lead"]
    assert theirs.get_received("/live") == []
    assert "lead" in [e["name"] for e in desk.get_received("/live")]
    assert reports.leads_per_exhibitor(svc.store.conn)[0]["leads"] == 1
    for cl in (mine, theirs, desk):
        cl.disconnect("/live")


def test_batch_of_queued_scans_in_order_exactly_once(client, make, svc):
    _, token = exhibitor_device(make)
    codes = [make.attendee()[1] for _ in range(3)]
    scans = [
        {"code": codes[0], "client_ref": "b1", "scanned_at": "2026-05-01T09:00:00.000Z"},
        {"code": codes[1], "client_ref": "b2", "scanned_at": "2026-05-01T09:01:00.000Z"},
        {"code": "K1-FORGED", "client_ref": "b3"},
        {
            "code": codes[0],
            "client_ref": "b4",
            "scanned_at": "2026-05-01T09:02:00.000Z",
            "rating": "hot",
        },
        {"code": codes[2], "client_ref": "b5", "rating": "boiling"},
    ]
    res = client.post("/api/v1/leads/batch", json={"scans": scans}, headers=auth(token))
    assert res.status_code == 200
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == [201, 201, 404, 200, 422]
    assert results[3]["lead"]["scans"] == 2 and results[3]["lead"]["rating"] == "hot"
    assert results[4]["fields"] == {"rating": "one of hot, warm, cold (or '' to clear)"}
    again = client.post("/api/v1/leads/batch", json={"scans": scans}, headers=auth(token))
    assert [r.get("duplicate") for r in again.get_json()["results"]] == [
        True,
        True,
        None,
        True,
        None,
    ]
    assert svc.store.one("SELECT count(*) FROM lead_scans")[0] == 3
    logged = svc.store.query("SELECT at FROM interactions WHERE type='lead_captured' ORDER BY id")
    assert [r["at"] for r in logged] == [s["scanned_at"] for s in (scans[0], scans[1], scans[3])]
    for bad in ({"scans": []}, {"scans": "x"}, {"scans": [{}] * 201}):
        r = client.post("/api/v1/leads/batch", json=bad, headers=auth(token))
        assert r.status_code == 422 and "scans" in r.get_json()["fields"]
    assert (
        client.post(
            "/api/v1/leads/batch", json={"scans": scans}, headers=auth(make.device("kiosk"))
        ).status_code
        == 403
    )
