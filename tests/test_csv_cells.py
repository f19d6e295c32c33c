"""Every CSV we write follows one cell rule: a formula never runs, an E.164 phone keeps its `+`.

The organiser's CRM export, an exhibitor's lead download and the staff audit log are opened in
Excel or LibreOffice and imported into CRMs.
"""

from __future__ import annotations

import csv
import io

import pytest

from conftest import auth
from kiosk.attendees import registry
from kiosk.storage.interactions import audit as write_audit

PHONE = "+8613912345678"
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def neutral(cell: str, written: str) -> bool:
    """Shown as the text written, behind an apostrophe that keeps it from running."""
    return cell == "'" + written


def person_with(make, svc, formula: str) -> tuple[int, str]:
    """A visitor sharing contact details (with exhibitors and the CRM), with the formula as their company, title and city.

    Registration trims text, so the formula is stored as it could arrive from older data.
    """
    attendee_id, code = make.attendee(full_name="Li Na", phone=PHONE, email="li@example.com")
    with svc.store.write() as conn:
        conn.execute(
            "UPDATE attendees SET company = :formula, job_title = :formula, city = :formula"
            " WHERE id = :attendee_id",
            {"formula": formula, "attendee_id": attendee_id},
        )
        registry.record_consents(
            conn,
            svc.settings,
            attendee_id,
            {"terms": True, "share_with_exhibitors": True},
            language="en",
        )
    return attendee_id, code


@pytest.mark.parametrize("formula", FORMULAS, ids=["=", "+", "-", "@", "tab", "cr"])
def test_crm_export_csv(runner, make, svc, tmp_path, formula):
    person_with(make, svc, formula)
    result = runner.invoke("export", "--format", "csv", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    (row,) = rows_of((tmp_path / "out" / "people.csv").read_bytes().decode("utf-8"))
    assert row["phone"] == PHONE
    assert neutral(row["company"], formula) and neutral(row["job_title"], formula)


@pytest.mark.parametrize("formula", FORMULAS, ids=["=", "+", "-", "@", "tab", "cr"])
def test_exhibitor_lead_csv(client, make, svc, formula):
    exhibitor_id = make.exhibitor()
    token = make.device("exhibitor", exhibitor_id=exhibitor_id)
    _, code = person_with(make, svc, formula)
    scan = client.post(
        "/api/v1/leads",
        json={"code": code, "client_ref": "r1", "notes": formula.strip()},
        headers=auth(token),
    )
    assert scan.status_code == 201, scan.get_json()
    res = client.get("/api/v1/leads.csv", headers=auth(token))
    (row,) = rows_of(res.data.decode("utf-8"))
    assert row["phone"] == PHONE
    assert neutral(row["company"], formula) and neutral(row["city"], formula)
    assert neutral(row["notes"], formula.strip())


@pytest.mark.parametrize("formula", FORMULAS, ids=["=", "+", "-", "@", "tab", "cr"])
def test_staff_audit_csv(staff_client, svc, formula):
    with svc.store.write() as conn:
        write_audit(conn, formula, "person.update", PHONE, before={"phone": PHONE})
    res = staff_client.get("/staff/audit.csv")
    (row,) = [r for r in rows_of(res.get_data(as_text=True)) if r["action"] == "person.update"]
    assert row["target"] == PHONE
    assert neutral(row["actor"], formula)


def test_numbers_and_text_that_only_look_like_phones():
    from kiosk.tabular import cell

    assert cell(-3) == "-3" and cell(2.5) == "2.5" and cell(True) == "true"
    assert cell(PHONE) == PHONE
    assert cell("+86 139 1234 5678") == "'+86 139 1234 5678"  # not validated E.164: text
    assert cell("+8613912345678+1") == "'+8613912345678+1"
    assert cell(["a", 1]) == '["a",1]' and cell(None) == ""
