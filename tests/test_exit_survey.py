"""The exit survey: POST /api/v1/surveys/responses, one per badge per day, results on the dashboard."""

from conftest import BOTH_DATABASES, auth

GOOD = {
    "satisfaction": 4,
    "recommend": 9,
    "return_intent": True,
    "purpose": ["sourcing", "seminars"],
    "comment": "More seats in forum 1",
}


def answer(client, token, **body):
    return client.post("/api/v1/surveys/responses", json=body, headers=auth(token))


@BOTH_DATABASES
def test_anonymous_and_badge_answers(client, make, svc):
    exit_kiosk = make.device("kiosk")
    anon = answer(client, exit_kiosk, **GOOD)
    assert anon.status_code == 201 and anon.get_json()["response"]["anonymous"] is True
    attendee_id, code = make.attendee()
    tied = answer(client, exit_kiosk, **GOOD, code=code)
    assert tied.get_json()["response"]["attendee_id"] == attendee_id
    again = answer(client, exit_kiosk, **{**GOOD, "satisfaction": 1}, code=code)
    assert again.status_code == 409 and again.get_json()["error"] == "already_answered"
    rows = svc.store.query("SELECT attendee_id FROM survey_responses ORDER BY id")
    assert [r["attendee_id"] for r in rows] == [None, attendee_id]
    logged = svc.store.query("SELECT attendee_id FROM interactions WHERE type = 'survey_answered'")
    assert [r["attendee_id"] for r in logged] == [None, attendee_id]


def test_out_of_range_values_are_422(client, make, svc):
    token = make.device("kiosk")
    for bad, field in (
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"recommend": 11}, "recommend"),
        ({"recommend": -1}, "recommend"),
        ({"recommend": "9"}, "recommend"),
        ({"return_intent": "maybe"}, "return_intent"),
        ({"purpose": ["shopping"]}, "purpose"),
        ({"comment": "x" * 1001}, "comment"),
    ):
        res = answer(client, token, **{**GOOD, **bad})
        assert res.status_code == 422 and field in res.get_json()["fields"], bad
    assert svc.store.one("SELECT count(*) FROM survey_responses")[0] == 0


def test_forged_badge_is_404_and_exhibitors_cannot_answer(client, make):
    res = answer(client, make.device("kiosk"), **GOOD, code="K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA")
    assert res.status_code == 404
    assert answer(client, make.device("exhibitor"), **GOOD).status_code == 403


@BOTH_DATABASES
def test_results_reach_the_dashboard(client, make):
    token = make.device("kiosk")
    answer(client, token, **GOOD)
    answer(client, token, **{**GOOD, "satisfaction": 2, "recommend": 3, "return_intent": False})
    survey = client.get("/api/v1/dashboard", headers=auth(make.device("staff"))).get_json()[
        "dashboard"
    ]["survey"]
    assert survey["answers"] == 2 and survey["satisfaction_mean"] == 3.0
    assert survey["nps"] == 0 and survey["return_yes"] == 50
    assert survey["purposes"] == {"sourcing": 2, "seminars": 2}


@BOTH_DATABASES
def test_a_scanned_badge_is_checked_before_the_visitor_answers(client, make, svc):
    exit_kiosk = make.device("kiosk")
    attendee_id, code = make.attendee(full_name="林小红", company="Acme")

    def check(code):
        return client.post("/api/v1/surveys/badge", json={"code": code}, headers=auth(exit_kiosk))

    fine = check(code)
    assert fine.status_code == 200 and fine.get_json() == {"ok": True}
    forged = check("K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA")
    assert forged.status_code == 404 and "林小红" not in forged.get_data(as_text=True)
    assert check("").status_code == 422
    answer(client, exit_kiosk, **GOOD, code=code)
    again = check(code)
    assert again.status_code == 409 and again.get_json()["error"] == "already_answered"
    assert "林小红" not in again.get_data(as_text=True)
    assert "Acme" not in again.get_data(as_text=True)
    other_id, other = make.attendee()
    with svc.store.write() as conn:
        conn.execute(
            "UPDATE badges SET revoked_at = 'x' WHERE attendee_id = :other_id",
            {"other_id": other_id},
        )
    assert check(other).get_json()["error"] == "revoked"
    exhibitor = client.post(
        "/api/v1/surveys/badge", json={"code": code}, headers=auth(make.device("exhibitor"))
    )
    assert exhibitor.status_code == 403
