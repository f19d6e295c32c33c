"""A valid passage: a check-in voided at the desk counts nowhere, in no figure of the show."""

import json

from conftest import auth
from kiosk.crm import report


def void(staff_client, attendee_id, interaction_id):
    res = staff_client.post(
        f"/staff/people/{attendee_id}/void/{interaction_id}",
        data={"csrf_token": staff_client.csrf, "reason": "scanned the wrong badge"},
    )
    assert res.status_code == 302


def exported(runner, tmp_path) -> dict[int, dict]:
    out = tmp_path / "export"
    result = runner.invoke("export", "--format", "jsonl", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = (out / "people.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


def test_a_voided_checkin_leaves_every_count_chart_report_and_metric(
    staff_client, make, svc, runner, tmp_path
):
    kiosk, staff = make.device("kiosk", gate="north"), auth(make.device("staff"))
    wrong, wrong_code = make.attendee(full_name="Scanned By Mistake")
    right, right_code = make.attendee(full_name="Really Came")
    for code in (wrong_code, right_code):
        res = staff_client.post(
            "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk)
        )
        assert res.status_code == 201
    timeline = staff_client.get(f"/api/v1/attendees/{wrong}", headers=staff).get_json()["timeline"]
    (entry,) = [i["id"] for i in timeline if i["type"] == "checked_in"]
    before = staff_client.get("/api/v1/stats", headers=staff).get_json()
    assert sum(before["by_hour"].values()) == 2 and before["by_gate"]["north"]["in"] == 2

    void(staff_client, wrong, entry)

    stats = staff_client.get("/api/v1/stats", headers=staff).get_json()
    assert sum(stats["by_hour"].values()) == 1
    assert stats["by_gate"]["north"] == {"in": 1, "out": 0, "inside": 1}
    assert stats["checked_in"] == 1 and stats["inside_now"] == 1

    board = staff_client.get("/api/v1/dashboard", headers=staff).get_json()["dashboard"]
    assert sum(bucket["n"] for bucket in board["arrivals"]) == 1
    assert [p["attendee_id"] for p in board["latest"]] == [right]

    figures = report.collect(svc.store, svc.settings)
    assert sum(figures["grid"].values()) == 1
    assert [(g["gate"], g["entries"]) for g in figures["gates"]] == [("north", 1)]
    assert sum(c["attended"] or 0 for c in figures["categories"]) == 1
    assert sum(figures["returning"].values()) == 1

    records = exported(runner, tmp_path)
    gone, came = records[wrong]["metrics"], records[right]["metrics"]
    assert (gone["attended"], gone["first_check_in"]) == (False, None)
    assert gone["contribution"]["days_attended"] == 0 and gone["loyalty"]["editions_attended"] == 0
    assert came["attended"] and came["contribution"]["days_attended"] == 1
    # The log keeps the check-in, marked as voided, and the row that voided it.
    voided = [i for i in records[wrong]["timeline"] if i["id"] == entry]
    assert voided[0]["voided"] is True
    assert records[wrong]["timeline"][-1]["type"] == "checkin_voided"
    assert not any(i.get("voided") for i in records[right]["timeline"])
