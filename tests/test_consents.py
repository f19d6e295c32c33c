"""Consent as data: imported with version, time and source; absent means not allowed; every
export says which answer allows what, and only a granted consent lets contact details travel."""

from __future__ import annotations

import csv
import json

import crm_show as show
import pytest

from conftest import BOTH_DATABASES, load_settings, show_args
from kiosk.attendees.consents import allows
from kiosk.services import open_services

pytestmark = BOTH_DATABASES

HEADER = "external_id,full_name,email,category,consent_terms,consent_terms_version,consent_terms_at"


def write(tmp_path, text, name="reg.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def consents_of(svc, external_id):
    return svc.store.query(
        "SELECT c.* FROM consents c JOIN attendees a ON a.id = c.attendee_id"
        " WHERE a.external_id = :external_id ORDER BY c.consent",
        {"external_id": external_id},
    )


def test_import_records_each_consent_with_version_time_and_source(tmp_path, runner, svc):
    path = write(
        tmp_path,
        HEADER
        + ",consent_share_with_exhibitors\n"
        + "T-1,Li Lei,li@example.com,visitor,yes,2025-3,2026-10-01T09:30:00,no\n"
        + "T-2,Han Mei,han@example.com,visitor,no,,,\n"
        + "T-3,Default Dan,dan@example.com,visitor,,,,\n"
        + "T-4,Bad Time,bad@example.com,visitor,yes,,yesterday,\n",
    )
    result = runner.invoke("import", "attendees", str(path))
    assert "4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected" in result.stdout
    assert f"{path}:5: consent_terms_at: expected an ISO 8601 time" in result.stderr
    share, terms = consents_of(svc, "T-1")
    assert (terms["granted"], terms["version"], terms["source"]) == (1, "2025-3", "import")
    assert terms["at"] == "2026-10-01T01:30:00.000Z"  # the show's time zone, stored in UTC
    assert terms["text"] == ""  # not the text of this show's version
    assert (share["consent"], share["granted"], share["version"]) == (
        "share_with_exhibitors",
        0,
        "2026-1",
    )
    (han,) = consents_of(svc, "T-2")
    assert (han["granted"], han["source"]) == (0, "import")
    # No answer in the file: the demo show's documented default for terms, source import.
    (dan,) = consents_of(svc, "T-3")
    assert (dan["consent"], dan["granted"], dan["version"], dan["source"]) == (
        "terms",
        1,
        "2026-1",
        "import",
    )
    assert dan["text"].startswith("我同意")
    again = runner.invoke("import", "attendees", str(path))
    assert "3 created" not in again.stdout and "0 created, 0 updated, 3 unchanged" in again.stdout


def test_a_consent_column_the_show_does_not_have_refuses_the_file(tmp_path, settings, svc, capsys):
    from kiosk.cli import main

    path = write(tmp_path, "full_name,consent_newsletter\nLi Lei,yes\n")
    args = show_args(settings)
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "attendees", str(path), *args])
    assert exit_info.value.code == 2
    assert "unknown consent column consent_newsletter" in capsys.readouterr().err
    assert svc.store.one("SELECT count(*) FROM attendees")[0] == 0


def test_without_an_import_default_nothing_is_assumed(tmp_path, database_url):
    from conftest import EVENT_TOML

    toml = EVENT_TOML.read_text(encoding="utf-8").replace("import_default = true\n", "")
    settings = load_settings(tmp_path, toml, database_url=database_url)
    svc = open_services(settings)
    path = write(tmp_path, "external_id,full_name,email\nT-9,No Answer,na@example.com\n")
    from kiosk.attendees.importer import import_attendees

    import_attendees(svc.store, settings, svc.keys, path)
    assert consents_of(svc, "T-9") == []
    pid = svc.store.one("SELECT id FROM attendees WHERE external_id = 'T-9'")[0]
    assert not allows(svc.store.conn, settings, pid, "crm")
    svc.store.close()


def test_allows_reads_the_latest_answer_of_the_consent_covering_the_purpose(svc, make):
    exhibitor = make.exhibitor()
    pid, _ = make.attendee()
    conn = svc.store.conn
    assert [allows(conn, svc.settings, pid, p) for p in ("crm", "share_with_exhibitors")] == [
        False,
        False,
    ]
    with svc.store.write() as w:
        show.consent(w, pid, "terms", True, at="2026-11-24T01:00:00.000Z")
        show.consent(w, pid, "share_with_exhibitors", False, at="2026-11-24T01:00:00.000Z")
        show.consent(w, pid, "share_with_exhibitors", True, exhibitor_id=exhibitor)
    assert allows(conn, svc.settings, pid, "crm")
    assert not allows(conn, svc.settings, pid, "share_with_exhibitors")
    assert allows(conn, svc.settings, pid, "share_with_exhibitors", exhibitor_id=exhibitor)
    assert not allows(conn, svc.settings, pid, "marketing")  # no such consent in the demo show
    with svc.store.write() as w:
        show.consent(w, pid, "terms", False, at="2026-11-25T01:00:00.000Z")
    assert not allows(conn, svc.settings, pid, "crm")
    with pytest.raises(ValueError, match="unknown purpose"):
        allows(conn, svc.settings, pid, "selling")


def test_exports_carry_permissions_and_only_consented_contacts_travel(
    svc, make, runner, tmp_path, client
):
    from conftest import auth

    kiosk = make.device("kiosk")
    body = {
        "full_name": "Walk Up",
        "email": "walk@example.com",
        "category": "visitor",
        "consents": {"terms": True, "share_with_exhibitors": False},
    }
    res = client.post("/api/v1/registrations", json=body, headers=auth(kiosk))
    assert res.status_code == 201, res.get_json()
    walked = res.get_json()["attendee"]["id"]
    silent, _ = make.attendee(full_name="Never Asked", email="never@example.com")

    out = tmp_path / "jsonl"
    assert runner.invoke("export", "--format", "jsonl", "--out", str(out)).exit_code == 0
    records = {
        r["id"]: r
        for r in map(json.loads, (out / "people.jsonl").read_text(encoding="utf-8").splitlines())
    }
    crm = records[walked]["permissions"]["crm"]
    assert crm["allowed"] is True and crm["consent"] == "terms" and crm["source"] == "walk-up"
    assert crm["version"] == "2026-1" and crm["at"].endswith("Z")
    assert records[walked]["permissions"]["share_with_exhibitors"]["allowed"] is False
    assert records[walked]["consents"][0]["source"] == "walk-up"
    never = records[silent]
    assert never["permissions"]["crm"] == {
        "allowed": False,
        "consent": "terms",
        "granted": None,
        "version": "",
        "at": "",
        "source": "",
    }
    assert never["contact_withheld"] is True and never["email"] == ""

    out = tmp_path / "hubspot"
    assert runner.invoke("export", "--format", "hubspot", "--out", str(out)).exit_code == 0
    with (out / "hubspot_contacts.csv").open(encoding="utf-8", newline="") as fh:
        contacts = list(csv.DictReader(fh))
    assert [c["email"] for c in contacts] == ["walk@example.com"]
    assert contacts[0]["kiosk_crm_consent"] == "true"
    assert contacts[0]["kiosk_crm_consent_source"] == "walk-up"
    assert contacts[0]["kiosk_marketing_consent"] == "false"

    out = tmp_path / "salesforce"
    assert runner.invoke("export", "--format", "salesforce", "--out", str(out)).exit_code == 0
    with (out / "salesforce_leads.csv").open(encoding="utf-8", newline="") as fh:
        leads = list(csv.DictReader(fh))
    assert [lead["Email"] for lead in leads] == ["walk@example.com"]
    assert leads[0]["Kiosk_Crm_Consent__c"] == "true"
    assert leads[0]["Kiosk_Crm_Consent_Version__c"] == "2026-1"
    assert leads[0]["HasOptedOutOfEmail"] == "true"
