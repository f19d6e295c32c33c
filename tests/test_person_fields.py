"""The person's field list, written once, gives the names the contract and the guides promise."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.attendees import fields
from kiosk.crm.export import PEOPLE_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_IMPORT_HEADERS = (
    "external_id",
    "full_name",
    "company",
    "job_title",
    "email",
    "phone",
    "country",
    "category",
)


def backticked(text: str) -> list[str]:
    return re.findall(r"`([a-z_:]+)`", text)


def test_people_csv_columns_are_the_documented_ones_in_order():
    guide = (ROOT / "docs" / "crm-export.md").read_text(encoding="utf-8")
    paragraph = guide.split("`people.csv`:", 1)[1].split("\n\n", 1)[0]
    assert backticked(paragraph) == PEOPLE_COLUMNS


def test_the_import_reads_the_contract_headers_and_the_readme_lists_every_column():
    assert set(CONTRACT_IMPORT_HEADERS) <= set(fields.IMPORT_COLUMNS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importing registrations", 1)[1].split("\n## ", 1)[0]
    listed = backticked(section)
    assert [c for c in fields.IMPORT_COLUMNS if c not in listed] == []


def test_the_walk_up_form_fields_are_the_documented_ones():
    guide = (ROOT / "docs" / "walk-up-and-scanner.md").read_text(encoding="utf-8")
    line = next(t for t in guide.split("\n\n") if t.startswith("Fields: "))
    assert list(fields.FORM_FIELDS) == backticked(line.split(".")[0])


def test_every_field_is_labelled_in_both_languages_and_named_once():
    names = [f.name for f in fields.PERSON]
    assert len(names) == len(set(names))
    for field in fields.PERSON:
        assert field.zh and field.en and not field.zh.isascii(), field.name
        assert field.kiosk in ("", "shown", "masked") and field.exhibitor in ("", "shown", "shared")
    # A kiosk never sees a contact detail in clear; an exhibitor only with consent.
    assert all(f.kiosk != "shown" for f in fields.PERSON if f.contact)
    assert all(f.exhibitor != "shown" for f in fields.PERSON if f.contact)


def test_the_kiosk_form_carries_the_labels(client, make):
    from conftest import auth

    form = client.get("/api/v1/registration-form", headers=auth(make.device("kiosk"))).get_json()
    asked = {name for c in form["categories"] for name in c["fields"]}
    assert asked <= set(form["labels"])
    assert form["labels"]["phone"] == {"zh": "手机号", "en": "Mobile phone"}
