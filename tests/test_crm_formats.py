"""CRM import files: Salesforce and HubSpot field rules, one record per person key, the Excel
workbook, mapping files (Zoho CRM, Odoo CRM) and a second edition updating the first."""

from __future__ import annotations

import csv

import crm_show as show
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import BOTH_DATABASES, EVENT_TOML, ROOT, Factory, load_settings, show_args
from kiosk.crm.export import (
    EXHIBITOR_COLUMNS,
    LEAD_COLUMNS,
    PEOPLE_COLUMNS,
    SALESFORCE_LEAD_COLUMNS,
    SF_INDUSTRIES,
    salesforce_industry,
)
from kiosk.services import open_services

DAY1 = "2026-11-24T01:30:00.000Z"
ZOHO = ROOT / "config" / "mappings" / "zoho-crm-leads.toml"
ODOO = ROOT / "config" / "mappings" / "odoo-crm-leads.toml"

# Salesforce object reference: Lead fields a create or update may set (the standard ones the
# export could use) and the fields the API sets itself, which an import must never carry.
LEAD_WRITABLE = {
    "FirstName", "LastName", "Company", "Title", "Email", "MobilePhone", "Phone", "Street",
    "City", "State", "PostalCode", "Country", "CountryCode", "StateCode", "Industry",
    "LeadSource", "Status", "Rating", "Description", "Website", "NumberOfEmployees",
    "HasOptedOutOfEmail",
}  # fmt: skip
LEAD_REQUIRED = {"LastName", "Company"}
READ_ONLY = {
    "Id", "CreatedDate", "LastModifiedDate", "IsConverted", "ConvertedDate", "HasResponded",
    "FirstRespondedDate", "IsDeleted", "SystemModstamp",
}  # fmt: skip
MEMBER_WRITABLE = {"Status"}


def export(runner, tmp_path, fmt, *extra):
    out = tmp_path / fmt
    result = runner.invoke("export", "--format", fmt, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def read_csv(path, encoding="utf-8"):
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


@pytest.fixture
def twins(svc, make):
    """One person registered twice with the same e-mail, a phone-only exhibitor, a CRM id."""
    p = {}
    p["first"], _ = make.attendee(full_name="Anna Early", email="anna@example.com", city="Köln")
    p["second"], _ = make.attendee(
        full_name="Anna Schmidt",
        email="Anna@Example.com",
        company="Acme",
        industry="机械制造",
        country="de",
    )
    p["zhao"], _ = make.attendee(
        full_name="赵六", email="", phone="+8613912345670", category="exhibitor", company="赵氏"
    )
    p["li"], _ = make.attendee(full_name="李四", email="li@example.com", crm_id="C-17")
    with svc.store.write() as conn:
        for pid in p.values():
            show.consent(conn, pid, "terms", True, at=DAY1)  # contact details may reach the CRM
        show.check_in(conn, p["second"], DAY1)
    return p


@BOTH_DATABASES
def test_salesforce_columns_are_writable_fields_with_upsert_keys(runner, tmp_path, twins):
    out = export(runner, tmp_path, "salesforce")
    header, leads = read_csv(out / "salesforce_leads.csv")
    standard = {c for c in header if not c.endswith("__c")}
    assert header == SALESFORCE_LEAD_COLUMNS
    assert standard <= LEAD_WRITABLE and not set(header) & READ_ONLY
    assert set(header) >= LEAD_REQUIRED
    assert header[0] == "Kiosk_Person_Key__c"  # the upsert external id
    keys = [r["Kiosk_Person_Key__c"] for r in leads]
    assert len(keys) == len(set(keys)) == 3  # the two Annas are one lead
    assert set(keys) == {"email:anna@example.com", "phone:+8613912345670", "crm:C-17"}
    anna = next(r for r in leads if r["Kiosk_Person_Key__c"] == "email:anna@example.com")
    # the Anna who came speaks for both; the other fills her blanks
    assert (anna["LastName"], anna["Company"], anna["City"]) == ("Schmidt", "Acme", "Köln")
    assert anna["Industry"] == "Machinery" and anna["Kiosk_Industry__c"] == "机械制造"
    assert anna["CountryCode"] == "DE"
    assert all(r["Industry"] in SF_INDUSTRIES or r["Industry"] == "" for r in leads)
    header, members = read_csv(out / "salesforce_campaign_members.csv")
    assert set(header) - {"Kiosk_Member_Key__c"} - MEMBER_WRITABLE == {
        "Lead.Kiosk_Person_Key__c",
        "Campaign.Kiosk_Event_Id__c",
    }
    assert not set(header) & READ_ONLY
    assert sorted(m["Kiosk_Member_Key__c"] for m in members) == sorted(
        f"expo-2026:{k}" for k in keys
    )
    assert {m["Lead.Kiosk_Person_Key__c"]: m["Status"] for m in members}[
        "email:anna@example.com"
    ] == "Attended"


def test_industry_text_becomes_a_picklist_value():
    assert salesforce_industry("") == ""
    assert salesforce_industry("banking") == "Banking"
    assert salesforce_industry("汽车零部件") == "Transportation"
    assert salesforce_industry("Industrial Software") == "Technology"
    assert salesforce_industry("Pottery") == "Other"


@BOTH_DATABASES
def test_hubspot_one_contact_per_email(runner, tmp_path, twins):
    out = export(runner, tmp_path, "hubspot")
    _, contacts = read_csv(out / "hubspot_contacts.csv")
    emails = [r["email"] for r in contacts]
    assert sorted(emails) == ["anna@example.com", "li@example.com"]  # 赵六 has no e-mail
    anna = contacts[emails.index("anna@example.com")]
    assert (anna["lastname"], anna["company"], anna["city"]) == ("Schmidt", "Acme", "Köln")
    assert contacts[emails.index("li@example.com")]["kiosk_person_key"] == "crm:C-17"
    _, events = read_csv(out / "hubspot_event_attendance.csv")
    assert sorted((r["email"], r["subscriberState"]) for r in events) == [
        ("anna@example.com", "attend"),
        ("anna@example.com", "register"),
        ("li@example.com", "register"),
    ]


@BOTH_DATABASES
def test_xlsx_workbook_types_ids_and_phones_as_text(svc, make, runner, tmp_path):
    acme = make.exhibitor("Acme", "A1")
    wang, _ = make.attendee(
        full_name="王小明", company='=HYPERLINK("http://x")', phone="+8613912345678"
    )
    with svc.store.write() as conn:
        show.consent(conn, wang, "terms", True, at=DAY1)
        show.lead(conn, acme, wang, DAY1, "hot", notes="=1+1 & <b>\x07")
    out = export(runner, tmp_path, "xlsx")
    book = openpyxl.load_workbook(out / "kiosk-export.xlsx")
    assert book.sheetnames == ["people", "leads", "exhibitors"]
    people = list(book["people"].iter_rows())
    assert [c.value for c in people[0]] == PEOPLE_COLUMNS
    row = {h: c for h, c in zip(PEOPLE_COLUMNS, people[1], strict=True)}
    assert row["full_name"].value == "王小明"
    assert row["phone"].value == "+8613912345678" and row["phone"].data_type == "s"
    assert row["phone"].number_format == "@"
    assert row["id"].value == str(wang) and row["id"].number_format == "@"
    assert row["company"].value == '=HYPERLINK("http://x")' and row["company"].data_type == "s"
    assert row["leads"].value == 1 and row["key_account"].value in (True, False)
    leads = list(book["leads"].values)
    assert list(leads[0]) == LEAD_COLUMNS
    assert dict(zip(LEAD_COLUMNS, leads[1], strict=True))["notes"] == "=1+1 & <b>"
    exhibitors = list(book["exhibitors"].values)
    assert list(exhibitors[0]) == EXHIBITOR_COLUMNS and exhibitors[1][1] == "Acme"


@BOTH_DATABASES
def test_zoho_and_odoo_mappings(runner, tmp_path, twins):
    out = export(runner, tmp_path, "mapped", "--mapping", str(ZOHO))
    raw = (out / "zoho_crm_leads.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel and Zoho read it as UTF-8
    header, rows = read_csv(out / "zoho_crm_leads.csv", encoding="utf-8-sig")
    assert header[:4] == ["Kiosk Person Key", "First Name", "Last Name", "Company"]
    assert all(r["Last Name"] and r["Company"] for r in rows)  # Zoho's required fields
    assert len(rows) == 3
    zhao = next(r for r in rows if r["Last Name"] == "赵六")
    assert zhao["Mobile"] == "+8613912345670" and zhao["Email"] == ""
    assert zhao["Lead Source"] == "Trade Show"
    li = next(r for r in rows if r["Kiosk Person Key"] == "crm:C-17")
    assert li["Company"] == "[not provided]"
    assert li["Description"].startswith("expo-2026: registered, ")

    out = export(runner, tmp_path, "mapped", "--mapping", str(ODOO))
    header, rows = read_csv(out / "odoo_crm_leads.csv")
    assert header[:3] == ["id", "name", "type"]
    ids = {r["id"] for r in rows}
    assert ids == {"kiosk.email_anna_example_com", "kiosk.phone_8613912345670", "kiosk.crm_c_17"}
    anna = next(r for r in rows if r["id"] == "kiosk.email_anna_example_com")
    assert anna["name"] == "expo-2026: Anna Schmidt" and anna["email_from"] == "anna@example.com"
    assert anna["country_id/id"] == "base.de" and anna["type"] == "lead"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x'\n", "file: required"),
        ("file = 'x.csv'\n[[columns]]\nheader = 'A'\nvalue = 'shoe_size'\n", "unknown value"),
        ("file = 'x.csv'\n[[columns]]\nheader = 'A'\n", "exactly one of value, text, template"),
        ("file = '../x.csv'\n[[columns]]\nheader = 'A'\ntext = 'a'\n", "file: required"),
        ("file = 'x.csv'\n[[columns]]\nheader = 'A'\ntemplate = '{nope}'\n", "'{nope}'"),
        ("file = 'x.csv'\ncolumns = [", "not TOML"),
    ],
)
def test_a_bad_mapping_file_is_one_clear_error(runner, tmp_path, text, message):
    mapping = tmp_path / "bad.toml"
    mapping.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        "export", "--format", "mapped", "--mapping", str(mapping), "--out", str(out)
    )
    assert result.exit_code == 1
    assert message in result.output and str(mapping) in result.output
    assert not out.exists() or not any(out.iterdir())


def test_mapped_needs_its_mapping_and_only_it_takes_one(runner, tmp_path):
    result = runner.invoke("export", "--format", "mapped", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "--mapping" in result.output
    result = runner.invoke(
        "export", "--format", "csv", "--mapping", str(ZOHO), "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 2 and "--mapping" in result.output


def edition(tmp_path, year: int):
    """A show of another edition: its own database and [event] id."""
    text = EVENT_TOML.read_text(encoding="utf-8")
    text = text.replace('id = "expo-2026"', f'id = "expo-{year}"').replace(
        "edition = 2026", f"edition = {year}"
    )
    directory = tmp_path / str(year)
    directory.mkdir()
    settings = load_settings(directory, text)
    return settings, open_services(settings)


def register_edition(tmp_path, year: int, people: list[dict]):
    """An edition's show with these people registered, each agreeing to the terms on day 1."""
    settings, services = edition(tmp_path, year)
    try:
        make = Factory(services)
        with services.store.write() as conn:
            for p in people:
                show.consent(conn, make.attendee(**p)[0], "terms", True, at=DAY1)
    finally:
        services.store.close()
    return settings


def run_export(settings, fmt, out, *extra):
    from kiosk.cli import cli

    argv = ["export", "--format", fmt, "--out", str(out), *extra]
    argv += show_args(settings)
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_a_second_edition_updates_the_records_of_the_first(tmp_path):
    crm = {"salesforce": {}, "hubspot": {}, "odoo": {}}
    created = {name: [] for name in crm}
    people = {
        2025: [
            {"full_name": "Anna Schmidt", "email": "anna@example.com", "company": "Acme"},
            {"full_name": "李四", "email": "li@old.example", "crm_id": "C-17"},
            {"full_name": "赵六", "email": "", "phone": "+8613912345670", "category": "exhibitor",
             "company": "赵氏"},
            {"full_name": "Only Once", "email": "once@example.com"},
        ],
        2026: [
            {"full_name": "Anna Schmidt", "email": "ANNA@example.com", "company": "Acme AG"},
            {"full_name": "李四", "email": "li@new.example", "crm_id": "C-17"},
            {"full_name": "赵六", "email": "", "phone": "+8613912345670", "category": "exhibitor",
             "company": "赵氏集团"},
            {"full_name": "New Comer", "email": "new@example.com"},
        ],
    }  # fmt: skip
    for year, persons in people.items():
        settings, services = edition(tmp_path, year)
        try:
            make = Factory(services)
            ids = [make.attendee(**p)[0] for p in persons]
            with services.store.write() as conn:
                for pid in ids:
                    show.consent(conn, pid, "terms", True, at=DAY1)
                show.check_in(conn, ids[0], DAY1)
                if year == 2026:
                    show.history(conn, ids[0], "expo-2025", 2025, email_key="anna@example.com")
        finally:
            services.store.close()
        out = tmp_path / f"out-{year}"
        run_export(settings, "salesforce", out)
        run_export(settings, "hubspot", out)
        run_export(settings, "mapped", out, "--mapping", str(ODOO))
        # what each CRM does with the file: upsert on its key
        for name, file, key in (
            ("salesforce", "salesforce_leads.csv", "Kiosk_Person_Key__c"),
            ("hubspot", "hubspot_contacts.csv", "email"),
            ("odoo", "odoo_crm_leads.csv", "id"),
        ):
            _, rows = read_csv(out / file)
            for row in rows:
                if row[key] not in crm[name]:
                    created[name].append(row[key])
                crm[name][row[key]] = row
    # the second edition made one new record (New Comer), and updated the three who came back
    assert len(crm["salesforce"]) == 5 and created["salesforce"][-1] == "email:new@example.com"
    assert crm["salesforce"]["email:anna@example.com"]["Company"] == "Acme AG"
    assert crm["salesforce"]["email:anna@example.com"]["Kiosk_Editions_Attended__c"] == "2"
    assert crm["salesforce"]["crm:C-17"]["Email"] == "li@new.example"
    assert crm["salesforce"]["phone:+8613912345670"]["Company"] == "赵氏集团"
    assert len(crm["odoo"]) == 5 and crm["odoo"]["kiosk.crm_c_17"]["email_from"] == "li@new.example"
    # HubSpot keys on the e-mail: 李四's new address is a new contact there (documented)
    assert "anna@example.com" in created["hubspot"][:3] and len(crm["hubspot"]) == 5
    assert crm["hubspot"]["li@new.example"]["kiosk_person_key"] == "crm:C-17"


def test_hubspot_record_ids_update_the_contacts_of_the_first_edition(tmp_path):
    """HubSpot (simulated as its import documents it) gives each new contact a record id; the
    next edition's ticketing import carries it as crm_id, and the rows update those contacts,
    a changed e-mail included."""
    hubspot: dict[str, dict] = {}  # record id -> contact

    def hubspot_import(path):
        created = 0
        for row in read_csv(path)[1]:
            by_email = {c["email"]: rid for rid, c in hubspot.items()}
            rid = row["hs_object_id"] or by_email.get(row["email"])
            if rid is None:
                rid, created = str(9001 + len(hubspot)), created + 1
            assert not row["hs_object_id"] or rid in hubspot, "an unknown Record ID is refused"
            hubspot[rid] = {**hubspot.get(rid, {}), **{k: v for k, v in row.items() if v}}
        return created

    people = [
        {"full_name": "李四", "email": "li@old.example"},
        {"full_name": "Anna Schmidt", "email": "anna@example.com", "crm_id": "C-17"},
    ]
    settings = register_edition(tmp_path, 2025, people)
    run_export(settings, "hubspot", tmp_path / "out-2025")
    _, first = read_csv(tmp_path / "out-2025" / "hubspot_contacts.csv")
    assert [r["hs_object_id"] for r in first] == ["", ""]  # C-17 is no HubSpot id
    assert hubspot_import(tmp_path / "out-2025" / "hubspot_contacts.csv") == 2
    li_id = next(rid for rid, c in hubspot.items() if c["email"] == "li@old.example")

    # the next edition: the ticketing system knows 李四 by the HubSpot record id, new e-mail
    people[0].update(email="li@new.example", crm_id=li_id, company="李氏")
    settings = register_edition(tmp_path, 2026, people)
    run_export(settings, "hubspot", tmp_path / "out-2026")
    _, second = read_csv(tmp_path / "out-2026" / "hubspot_contacts.csv")
    assert {r["email"]: r["hs_object_id"] for r in second} == {
        "li@new.example": li_id,
        "anna@example.com": "",
    }
    assert hubspot_import(tmp_path / "out-2026" / "hubspot_contacts.csv") == 0
    assert len(hubspot) == 2
    assert hubspot[li_id]["email"] == "li@new.example" and hubspot[li_id]["company"] == "李氏"
    assert hubspot[li_id]["kiosk_person_key"] == f"crm:{li_id}"
