"""`kiosk erase`: a person anonymised on request, the counts kept, the erasure audited."""

from __future__ import annotations

import json

import crm_show as show
import pytest
from click.testing import CliRunner

from conftest import BOTH_DATABASES, show_args
from kiosk.cli import cli
from kiosk.stats.counts import compute

pytestmark = BOTH_DATABASES

DAY1 = "2026-11-24T01:30:00.000Z"


def test_erase_blanks_the_person_keeps_counts_and_audits(svc, make, runner):
    acme = make.exhibitor()
    pid, code = make.attendee(
        full_name="张伟", company="Secret Ltd", email="zw@example.com", phone="+8613912345678"
    )
    with svc.store.write() as conn:
        show.check_in(conn, pid, DAY1)
        show.lead(conn, acme, pid, DAY1, "hot", notes="call 张伟 at home")
        show.survey(conn, pid, DAY1, 4, 8, return_intent=True, comment="张伟 says hi")
        show.history(conn, pid, "expo-2025", 2025, email_key="zw@example.com")
    before = compute(svc.store.conn, svc.settings)
    interactions = svc.store.one("SELECT count(*) AS n FROM interactions")["n"]

    result = runner.invoke("erase", str(pid), "--reason", "request 42")
    assert result.exit_code == 0 and f"attendee {pid} erased" in result.output

    row = dict(svc.store.one("SELECT * FROM attendees WHERE id = :pid", {"pid": pid}))
    assert row["status"] == "erased" and row["full_name"] == f"erased #{pid}"
    assert row["email"] == row["phone"] == row["company"] == row["search_keys"] == ""
    assert row["category"] == "visitor"
    lead = svc.store.one("SELECT * FROM leads WHERE attendee_id = :pid", {"pid": pid})
    assert lead["rating"] == "hot" and lead["notes"] == ""
    assert svc.store.one("SELECT comment FROM survey_responses")["comment"] == ""
    assert svc.store.one("SELECT email_key FROM history")["email_key"].startswith("erased:")
    assert (
        svc.store.one("SELECT revoked_reason FROM badges WHERE attendee_id = :pid", {"pid": pid})[0]
        == "erased"
    )

    after = compute(svc.store.conn, svc.settings)
    for key in ("checked_in", "by_gate", "by_hour", "leads"):
        assert after[key] == before[key]
    assert svc.store.one("SELECT count(*) AS n FROM interactions")["n"] == interactions + 1
    audit = svc.store.one("SELECT * FROM audit_log WHERE action = 'attendee.erase'")
    assert audit["target"] == f"attendee:{pid}"
    text = audit["before"] + audit["after"]
    assert "张伟" not in text and "zw@example.com" not in text
    assert json.loads(audit["after"])["reason"] == "request 42"
    dump = "\n".join(str(tuple(r)) for r in svc.store.query("SELECT * FROM attendees"))
    assert "张伟" not in dump and "Secret" not in dump


def test_erasing_twice_or_an_unknown_person_is_a_clear_error(svc, make, settings, capsys):
    from kiosk.cli import main

    pid, _ = make.attendee()
    args = show_args(settings)
    main(["erase", str(pid), *args])
    for target, message in ((pid, "already erased"), (9999, "no such person")):
        with pytest.raises(SystemExit) as exit_info:
            main(["erase", str(target), *args])
        assert exit_info.value.code == 1
        assert message in capsys.readouterr().err


def _file_bytes(svc) -> bytes:
    """The raw SQLite file and its WAL as they lie on disk; on PostgreSQL, every row of every
    table (old row versions there are left to VACUUM)."""
    settings = svc.settings
    if settings.database_url:
        tables = svc.store.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        rows = [tuple(r) for (t,) in tables for r in svc.store.query(f"SELECT * FROM {t}")]
        return json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")
    path = settings.db_path
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _missing(data: bytes, values) -> list[str]:
    return [v for v in values if v.encode("utf-8") not in data]


def test_nothing_the_person_gave_is_left_in_the_file_or_its_wal(
    client, svc, make, settings, runner, tmp_path
):
    """A person who went everywhere: erased, no value they gave is anywhere in the raw bytes."""
    from conftest import auth
    from kiosk.attendees import desk, registration
    from kiosk.attendees.fields import clean_person
    from kiosk.exhibitors.manage import set_questions

    kiosk, staff = make.device("kiosk"), make.device("staff")
    exhibitor = make.exhibitor()
    question = {"id": "project", "type": "text", "label": {"zh": "项目", "en": "Project"}}
    set_questions(svc.store, exhibitor, [question], actor="test", languages=settings.languages)
    booth = make.device("exhibitor", exhibitor_id=exhibitor)
    # Neighbours on the same pages, so that the person's rows share pages with others' rows.
    with svc.store.write() as conn:
        for n in range(150):
            person = clean_person(
                {"full_name": f"Neighbour {n}", "email": f"n{n}@example.com", "company": "Other"},
                settings,
            )
            registration.create(
                conn, settings, svc.keys, registration.Applicant(person, {}), source="test"
            )
    given = {
        "full_name": "Quentin Zarathustra",
        "company": "Zarathustra Pumpworks",
        "job_title": "Chief Valve Whisperer",
        "email": "quentin.zarathustra@pumpworks.example",
        "phone": "+8613987654321",
        "city": "Xanaduopolis",
        "address": "17 Quillfeather Lane",
        "main_business": "Hydraulic obelisks",
        "budget": "Nineteen gold bars",
        "category": "buyer",
        "consents": {"terms": True, "share_with_exhibitors": True},
    }
    res = client.post("/api/v1/registrations", json=given, headers=auth(staff))
    assert res.status_code == 201, res.get_json()
    pid, code = res.get_json()["attendee"]["id"], res.get_json()["badge"]["code"]
    scan = {"code": code, "gate": "north", "direction": "in", "nonce": "n-1"}
    assert client.post("/api/v1/checkins", json=scan, headers=auth(kiosk)).status_code == 201
    lead = {
        "code": code,
        "client_ref": "c1",
        "notes": "Quentin wants 40 gilded impellers",
        "answers": {"project": "Dam at Lake Vhorl"},
    }
    assert client.post("/api/v1/leads", json=lead, headers=auth(booth)).status_code == 201
    survey = {"code": code, "satisfaction": 2, "recommend": 3, "comment": "Zarathustra dislikes"}
    res = client.post("/api/v1/surveys/responses", json=survey, headers=auth(kiosk))
    assert res.status_code == 201, res.get_json()
    desk.correct(
        svc.store,
        settings,
        pid,
        {"full_name": "Quentin Zarathustra-Vogt", "phone": "+8613911112222"},
        actor="staff:alice",
        device_id=1,
    )
    passage = svc.store.one("SELECT id FROM interactions WHERE type = 'checked_in'")["id"]
    desk.void_checkin(
        svc.store, pid, passage, "Quentin came back for his umbrella", actor="staff:a", device_id=1
    )
    # A second registration of the same person, merged into the first by staff.
    twin = {**given, "email": "qz.private@mailbox.example", "phone": "+8613955556666"}
    twin.pop("address")
    twin["full_name"] = "Q. Zarathustra"
    res = client.post("/api/v1/registrations", json=twin, headers=auth(staff))
    assert res.status_code == 201, res.get_json()
    twin_id = res.get_json()["attendee"]["id"]
    desk.merge(svc.store, pid, twin_id, actor="staff:alice", device_id=1)
    history_csv = tmp_path / "history.csv"
    history_csv.write_text(
        "email,edition,year,note\nquentin.zarathustra@pumpworks.example,expo-2025,2025,"
        "Zarathustra's assistant called\n",
        encoding="utf-8",
    )
    assert runner.invoke("import", "history", str(history_csv)).exit_code == 0
    values = [
        "Quentin Zarathustra",
        "Zarathustra-Vogt",
        "Q. Zarathustra",
        "Zarathustra Pumpworks",
        "Chief Valve Whisperer",
        "quentin.zarathustra@pumpworks.example",
        "qz.private@mailbox.example",
        "13987654321",
        "13911112222",
        "13955556666",
        "Xanaduopolis",
        "Quillfeather",
        "Hydraulic obelisks",
        "Nineteen gold bars",
        "Lake Vhorl",
        "gilded impellers",
        "Zarathustra dislikes",
        "came back for his umbrella",
        "assistant called",
    ]
    assert _missing(_file_bytes(svc), values) == []  # the search finds them before
    audit_rows = svc.store.one("SELECT count(*) FROM audit_log")[0]

    result = runner.invoke("erase", str(pid), "--reason", "request 7")
    assert result.exit_code == 0, result.output
    assert f"attendee {pid} erased with merged duplicates {twin_id}" in result.output

    wal = settings.db_path.with_name(settings.db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    data = _file_bytes(svc)
    left = [v for v in values if v.encode("utf-8") in data]
    left += [v.lower() for v in values if v.lower().encode("utf-8") in data]
    assert left == []
    # The audit log keeps who changed which fields when, without the values.
    assert svc.store.one("SELECT count(*) FROM audit_log")[0] == audit_rows + 1
    update = svc.store.one("SELECT * FROM audit_log WHERE action = 'person.update'")
    assert json.loads(update["before"]) == {"full_name": "[erased]", "phone": "[erased]"}
    assert update["actor"] == "staff:alice"
    # The same nonce still answers, greeting the record as it is now.
    again = client.post("/api/v1/checkins", json=scan, headers=auth(kiosk)).get_json()
    assert again["status"] == "ok" and again["attendee"]["full_name"] == f"erased #{pid}"
    # Counts stay: the passage, the lead and its rating, the survey scores.
    assert (
        svc.store.one("SELECT count(*) FROM leads WHERE attendee_id = :pid", {"pid": pid})[0] == 1
    )
    assert svc.store.one("SELECT satisfaction FROM survey_responses")[0] == 2
    twin_row = svc.store.one(
        "SELECT status, merged_into FROM attendees WHERE id = :twin_id", {"twin_id": twin_id}
    )
    assert tuple(twin_row) == ("erased", pid)


def test_a_merged_duplicate_is_erased_through_its_survivor(svc, make, runner):
    from kiosk.attendees import desk

    make.device("staff")
    survivor, _ = make.attendee()
    twin, _ = make.attendee()
    desk.merge(svc.store, survivor, twin, actor="staff:alice", device_id=1)
    result = runner.invoke("erase", str(twin))
    assert result.exit_code == 1
    assert f"was merged into {survivor}" in result.output


def test_each_crm_export_carries_a_deletion_list(svc, make, runner, tmp_path):
    import csv

    keep, _ = make.attendee(full_name="Kept Person")
    gone, _ = make.attendee(full_name="Gone Person", email="gone@example.com")
    with svc.store.write() as conn:
        for person in (keep, gone):
            show.consent(conn, person, "terms", True)
        conn.execute(
            "UPDATE attendees SET crm_id = '00Q5g00000AbCdE' WHERE id = :gone", {"gone": gone}
        )
    assert runner.invoke("erase", str(gone)).exit_code == 0
    event = svc.settings.event_id
    expected = {
        "hubspot": (
            "hubspot_deletions.csv",
            {"kiosk_attendee_id": str(gone), "crm_id": "00Q5g00000AbCdE"},
        ),
        "salesforce": (
            "salesforce_deletions.csv",
            {"Kiosk_Attendee_Id__c": f"{event}:{gone}", "Id": "00Q5g00000AbCdE"},
        ),
        "csv": ("deletions.csv", {"id": str(gone), "event": event}),
        "vcard": ("vcard/deletions.csv", {"attendee_id": str(gone)}),
    }
    for fmt, (name, cells) in expected.items():
        out = tmp_path / fmt
        assert runner.invoke("export", "--format", fmt, "--out", str(out)).exit_code == 0
        text = (out / name).read_text(encoding="utf-8")
        rows = list(csv.DictReader(text.splitlines()))
        assert len(rows) == 1 and cells.items() <= rows[0].items(), (fmt, rows)
        assert "gone@example.com" not in text and "Gone Person" not in text
    assert "urn:uuid:" in (tmp_path / "vcard" / "vcard/deletions.csv").read_text()
    out = tmp_path / "jsonl"
    assert runner.invoke("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    lines = (out / "deletions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [gone]
    contacts = (tmp_path / "hubspot" / "hubspot_contacts.csv").read_text(encoding="utf-8")
    assert "gone@example.com" not in contacts and str(keep) in contacts


def test_importing_the_ticketing_file_again_does_not_bring_an_erased_person_back(
    svc, runner, tmp_path, settings
):
    path = tmp_path / "reg.csv"
    path.write_text(
        "external_id,full_name,email\nT-1,Erin Erased,erin@example.com\nT-2,Kai Kept,kai@example.com\n",
        encoding="utf-8",
    )
    assert "2 created" in runner.invoke("import", "attendees", str(path)).stdout
    erin = svc.store.one("SELECT id FROM attendees WHERE external_id = 'T-1'")[0]
    assert runner.invoke("erase", str(erin)).exit_code == 0
    again = runner.invoke("import", "attendees", str(path))
    assert "0 created, 0 updated, 1 unchanged, 0 rejected, 1 erased on request" in again.stdout
    # Under another ticket id, the same e-mail is still the erased person.
    path.write_text("external_id,full_name,email\nT-9,Erin E.,ERIN@example.com\n", encoding="utf-8")
    assert "1 erased on request" in runner.invoke("import", "attendees", str(path)).stdout
    assert svc.store.one("SELECT count(*) FROM attendees")[0] == 2
    data = _file_bytes(svc)
    assert b"erin@example.com" not in data and b"T-1" not in data


@pytest.mark.sqlite_only("a SQLite reader holding the WAL keeps the erased values on disk")
def test_a_reader_holding_an_old_snapshot_is_reported_not_waited_for(
    svc, make, runner, settings, monkeypatch
):
    import sqlite3

    from kiosk import storage

    monkeypatch.setattr(storage, "CHECKPOINT_TRIES", 2)
    pid, _ = make.attendee(full_name="Wendy Walheld")
    reader = sqlite3.connect(settings.db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM attendees").fetchone()  # a snapshot, held open
    try:
        result = CliRunner().invoke(
            cli,
            [
                "erase",
                str(pid),
                "--db",
                str(settings.db_path),
                "--config",
                str(settings.config_path),
            ],
        )
    finally:
        reader.close()
    assert result.exit_code == 0 and f"attendee {pid} erased" in result.stdout
    assert "still holds pages from before the erasure" in result.stderr
    assert svc.store.checkpoint()  # the reader gone, the WAL empties
    assert b"Wendy Walheld" not in _file_bytes(svc)
