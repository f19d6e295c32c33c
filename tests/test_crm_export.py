"""`kiosk export` in every format, read back with independent parsers and checked against the
database."""

from __future__ import annotations

import csv
import json

import crm_show as show
import pytest
import vobject

from conftest import BOTH_DATABASES
from kiosk.crm.export import (
    HUBSPOT_COLUMNS,
    INTERACTION_COLUMNS,
    LEAD_COLUMNS,
    PEOPLE_COLUMNS,
    SALESFORCE_LEAD_COLUMNS,
)

DAY1 = "2026-11-24T01:30:00.000Z"
DAY2 = "2026-11-25T06:10:00.000Z"


@pytest.fixture
def floor(svc, make):
    """A small show: CJK and Latin names, a formula in a company, consents given and withdrawn."""
    acme, beta = make.exhibitor("Acme", "A1"), make.exhibitor("Beta; Co", "B-2")
    p = {}
    p["wang"], _ = make.attendee(full_name="王小明", email="Wang.XM@Example.COM", company="")
    p["anna"], _ = make.attendee(
        full_name="Anna Maria Schmidt",
        company='=HYPERLINK("http://x")',
        job_title="Head of Procurement",
        phone="+49 151 23456789",
        category="buyer",
    )
    p["quiet"], _ = make.attendee(full_name="Quiet Person", company="Hidden GmbH")
    p["booth"], _ = make.attendee(full_name="李雷", company="韩梅梅贸易")
    p["gone"], _ = make.attendee(full_name="Gone Person", company="Erased AG")
    with svc.store.write() as conn:
        for pid in (p["wang"], p["anna"], p["booth"]):
            show.consent(conn, pid, "terms", True, at=DAY1)  # contact details may reach the CRM
        show.consent(conn, p["wang"], "share_with_exhibitors", True, at=DAY1)
        show.consent(conn, p["anna"], "share_with_exhibitors", True, at=DAY1)
        show.consent(conn, p["quiet"], "terms", True, at=DAY1)
        show.consent(conn, p["quiet"], "terms", False, at=DAY2)  # withdrawn
        show.consent(conn, p["quiet"], "share_with_exhibitors", True, at=DAY1)
        show.consent(conn, p["booth"], "share_with_exhibitors", False, at=DAY1)
        show.consent(conn, p["booth"], "share_with_exhibitors", True, exhibitor_id=beta, at=DAY2)
        for pid in p.values():
            show.check_in(conn, pid, DAY1)
        show.check_out(conn, p["anna"], DAY2, gate="south")
        show.lead(conn, acme, p["wang"], DAY1, "warm", notes="likes; gears, 齿轮" + "回访" * 80)
        show.lead(conn, acme, p["anna"], DAY1, "hot", scans=3)
        show.lead(conn, beta, p["anna"], DAY2, "hot", answers={"budget": "=1+1"})
        show.lead(conn, acme, p["quiet"], DAY1, "cold")
        show.lead(conn, acme, p["booth"], DAY1, "warm")
        show.lead(conn, beta, p["booth"], DAY2, "hot")
        show.session(conn, p["anna"], "forum-1", DAY1)
        show.survey(conn, p["anna"], DAY2, 5, 9, return_intent=True)
        show.history(conn, p["anna"], "expo-2025", 2025)
    from kiosk.crm.erase import erase

    erase(svc.store, svc.keys, p["gone"], actor="test")
    return {"people": p, "acme": acme, "beta": beta}


def export(runner, tmp_path, fmt):
    out = tmp_path / fmt
    result = runner.invoke("export", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"export {fmt}: ")
    return out


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


@BOTH_DATABASES
def test_jsonl_carries_each_person_whole(svc, runner, tmp_path, floor):
    out = export(runner, tmp_path, "jsonl")
    lines = (out / "people.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    conn = svc.store.conn
    assert [r["id"] for r in records] == [
        r[0] for r in conn.execute("SELECT id FROM attendees ORDER BY id")
    ]
    p = floor["people"]
    by_id = {r["id"]: r for r in records}
    for pid, record in by_id.items():
        timeline = conn.execute(
            "SELECT id, type FROM interactions WHERE attendee_id = :pid ORDER BY at, id",
            {"pid": pid},
        ).fetchall()
        assert [(t["id"], t["type"]) for t in record["timeline"]] == [tuple(t) for t in timeline]
    wang = by_id[p["wang"]]
    assert wang["email"] == "wang.xm@example.com"
    assert wang["leads"][0]["exhibitor"] == "Acme" and wang["leads"][0]["rating"] == "warm"
    assert "notes" not in wang["leads"][0]  # booth notes stay with the exhibitor
    anna = by_id[p["anna"]]
    assert anna["metrics"]["lifecycle_stage"] == "formation"
    assert anna["metrics"]["key_account"] is True
    assert anna["surveys"][0]["recommend"] == 9
    assert anna["history"] == [{"edition": "expo-2025", "year": 2025, "attended": True}]
    quiet = by_id[p["quiet"]]
    assert quiet["contact_withheld"] is True
    assert quiet["email"] == "" and quiet["phone"] == ""
    assert [c["granted"] for c in quiet["consents"] if c["consent"] == "terms"] == [True, False]
    gone = by_id[p["gone"]]
    assert gone["status"] == "erased" and gone["full_name"] == f"erased #{p['gone']}"
    assert gone["company"] == "" and "erased" in [t["type"] for t in gone["timeline"]]


@BOTH_DATABASES
def test_csv_files_match_the_database(svc, runner, tmp_path, floor):
    out = export(runner, tmp_path, "csv")
    conn = svc.store.conn
    header, people = read_csv(out / "people.csv")
    assert header == PEOPLE_COLUMNS
    assert len(people) == conn.execute("SELECT count(*) FROM attendees").fetchone()[0]
    anna = next(r for r in people if r["full_name"] == "Anna Maria Schmidt")
    assert anna["company"] == '\'=HYPERLINK("http://x")'  # formula-safe
    assert anna["phone"] == "+4915123456789"  # a phone number is left readable
    assert anna["hot_leads"] == "2" and anna["key_account"] == "true"
    assert all(r["email"] == r["email"].lower() for r in people)
    header, interactions = read_csv(out / "interactions.csv")
    assert header == INTERACTION_COLUMNS
    ids = [int(r["id"]) for r in interactions]
    assert ids == [r[0] for r in conn.execute("SELECT id FROM interactions ORDER BY id")]
    header, leads = read_csv(out / "leads.csv")
    assert header == LEAD_COLUMNS
    assert len(leads) == 6
    beta_answers = next(r for r in leads if r["answers"] != "{}")
    assert json.loads(beta_answers["answers"]) == {"budget": "=1+1"}
    shared = {
        (int(r["exhibitor_id"]), int(r["attendee_id"]))
        for r in leads
        if r["contact_shared"] == "true"
    }
    p = floor["people"]
    assert (floor["beta"], p["booth"]) in shared and (floor["acme"], p["booth"]) not in shared
    _, exhibitors = read_csv(out / "exhibitors.csv")
    assert {r["name"]: (r["leads"], r["hot_leads"]) for r in exhibitors} == {
        "Acme": ("4", "1"),
        "Beta; Co": ("2", "2"),
    }


@BOTH_DATABASES
def test_hubspot_contacts_and_attendance(runner, tmp_path, floor):
    out = export(runner, tmp_path, "hubspot")
    header, contacts = read_csv(out / "hubspot_contacts.csv")
    assert header == HUBSPOT_COLUMNS
    names = {(r["firstname"], r["lastname"]) for r in contacts}
    assert ("", "王小明") in names  # a CJK name is not split
    assert ("Anna Maria", "Schmidt") in names
    assert not any(r["lastname"] in ("Quiet", "Person") for r in contacts)  # consent withdrawn
    assert len(contacts) == 3  # wang, anna, booth; quiet withdrew, gone was erased
    assert len({r["email"] for r in contacts}) == len(contacts)  # one row per e-mail
    anna = next(r for r in contacts if r["lastname"] == "Schmidt")
    assert anna["kiosk_person_key"] == f"email:{anna['email']}"
    _, events = read_csv(out / "hubspot_event_attendance.csv")
    assert {r["email"] for r in events} == {r["email"] for r in contacts}
    assert {r["externalEventId"] for r in events} == {"expo-2026"}
    states = sorted((r["email"], r["subscriberState"]) for r in events)
    assert states == sorted((r["email"], s) for r in contacts for s in ("register", "attend"))
    attend = next(
        r for r in events if r["email"] == anna["email"] and r["subscriberState"] == "attend"
    )
    assert int(attend["joinedAt"]) == 1795483800000  # DAY1 in milliseconds since 1970
    assert int(attend["leftAt"]) == 1795587000000  # her check-out on DAY2


@BOTH_DATABASES
def test_salesforce_lead_has_last_name_and_company_always(runner, tmp_path, floor):
    out = export(runner, tmp_path, "salesforce")
    header, leads = read_csv(out / "salesforce_leads.csv")
    assert header == SALESFORCE_LEAD_COLUMNS
    assert all(r["LastName"] and r["Company"] for r in leads)
    wang = next(r for r in leads if r["LastName"] == "王小明")
    assert wang["FirstName"] == "" and wang["Company"] == "[not provided]"
    anna = next(r for r in leads if r["LastName"] == "Schmidt")
    assert anna["Rating"] == "Hot" and anna["Company"].startswith("'=")
    assert anna["Kiosk_Person_Key__c"] == f"email:{anna['Email']}"
    _, members = read_csv(out / "salesforce_campaign_members.csv")
    assert {m["Lead.Kiosk_Person_Key__c"] for m in members} == {
        r["Kiosk_Person_Key__c"] for r in leads
    }
    assert {m["Kiosk_Member_Key__c"] for m in members} == {
        f"expo-2026:{r['Kiosk_Person_Key__c']}" for r in leads
    }
    assert {m["Status"] for m in members} == {"Attended"}


@BOTH_DATABASES
def test_vcards_only_for_leads_who_share_their_contact(svc, runner, tmp_path, floor):
    out = export(runner, tmp_path, "vcard")
    files = sorted((out / "vcard").glob("*.vcf"))
    assert [f.name for f in files] == [f"{floor['acme']}-a1.vcf", f"{floor['beta']}-b-2.vcf"]
    cards = {f.name: list(vobject.readComponents(f.read_text(encoding="utf-8"))) for f in files}
    acme = {c.fn.value: c for c in cards[files[0].name]}
    beta = {c.fn.value: c for c in cards[files[1].name]}
    # Acme: wang and anna share show-wide; quiet shared but then withdrew the terms
    assert set(acme) == {"王小明", "Anna Maria Schmidt"}
    # Beta: anna, and 李雷 who said no show-wide but yes at this booth
    assert set(beta) == {"Anna Maria Schmidt", "李雷"}
    wang = acme["王小明"]
    assert wang.version.value == "4.0"
    assert wang.n.value.family == "王小明" and wang.n.value.given == ""
    assert wang.email.value == "wang.xm@example.com"
    assert "likes; gears, 齿轮" + "回访" * 80 in wang.note.value  # folded, read back whole
    raw = (out / "vcard" / files[0].name).read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    assert beta["Anna Maria Schmidt"].tel.value == "tel:+4915123456789"
    assert beta["Anna Maria Schmidt"].org.value == ['=HYPERLINK("http://x")']


@BOTH_DATABASES
def test_a_failed_export_leaves_no_partial_file(svc, runner, tmp_path, floor, monkeypatch):
    from kiosk.crm import export as module

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module.vcard, "card", broken)
    with pytest.raises(RuntimeError):
        runner.invoke("export", "--format", "vcard", "--out", str(tmp_path / "v"))
    assert list((tmp_path / "v").rglob("*.vcf")) == []
    assert list((tmp_path / "v").rglob("*.partial")) == []


def test_unknown_format_is_refused(runner, tmp_path):
    result = runner.invoke("export", "--format", "xml", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "xml" in result.output


def test_every_export_column_is_documented():
    from pathlib import Path

    from kiosk.crm import export as module

    docs = (Path(__file__).parent.parent / "docs" / "crm-export.md").read_text(encoding="utf-8")
    for name in dir(module):
        if name.endswith("_COLUMNS"):
            for column in getattr(module, name):
                assert f"`{column}`" in docs, f"{name}: {column} is not in docs/crm-export.md"


def test_progress_bar_on_a_terminal_only(svc, make, settings, tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    from conftest import ROOT, show_args

    for _ in range(3):
        make.attendee()
    argv = [sys.executable, "-m", "kiosk", "export", "--format", "jsonl", *show_args(settings)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.run(
        [*argv, "--out", str(tmp_path / "tty")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=slave,
        timeout=60,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    on_terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "people: 100%" in on_terminal and "3/3" in on_terminal
    piped = subprocess.run(
        [*argv, "--out", str(tmp_path / "pipe")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.stderr == ""
    assert piped.stdout.startswith("export jsonl: 3 people; deletions.jsonl 0, people.jsonl 3 in ")
