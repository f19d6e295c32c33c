"""A person's export record: static data, consents, timeline, leads, metrics; consent applied."""

from __future__ import annotations

import re

import orjson

from kiosk.attendees import consents, screening
from kiosk.attendees.fields import CONTACT_FIELDS, PERSON
from kiosk.config import Settings
from kiosk.crm import metrics
from kiosk.crm.identity import person_key
from kiosk.crm.people import Person

PASSAGES = ("checked_in", "checked_out")
# A person's static record: every field of a person, in the export's order.
STATIC_FIELDS = tuple(f.name for f in PERSON)
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")


def contact_consent(settings: Settings) -> str:
    """The consent that lets contact details reach the organiser's CRM ([crm] contact_consent)."""
    return consents.consent_for(settings, "crm")


def share_consent(settings: Settings) -> str:
    """The consent that lets an exhibitor receive a visitor's contact details."""
    return consents.consent_for(settings, "share_with_exhibitors")


def consent_state(person: Person) -> dict[str, bool]:
    """The latest show-wide answer to each consent."""
    state: dict[str, bool] = {}
    for row in person.consents:
        if row["exhibitor_id"] is None:
            state[row["consent"]] = bool(row["granted"])
    return state


def permissions(person: Person, settings: Settings) -> dict[str, dict]:
    """Per purpose (crm, share_with_exhibitors, marketing): allowed, by which consent, version,
    time and source; an erased person allows nothing."""
    granted = consents.permissions(person.consents, settings)
    if person.row["status"] == "erased":
        return {purpose: {**p, "allowed": False} for purpose, p in granted.items()}
    return granted


def contact_allowed(person: Person, settings: Settings) -> bool:
    """Contact details travel only with a granted consent covering the CRM, never once erased."""
    return permissions(person, settings)["crm"]["allowed"]


# Column names of each purpose's permission in the CRM files: (HubSpot, Salesforce) prefixes.
CONSENT_COLUMNS = {
    "crm": ("kiosk_crm_consent", "Kiosk_Crm_Consent"),
    "share_with_exhibitors": ("kiosk_share_consent", "Kiosk_Share_Consent"),
    "marketing": ("kiosk_marketing_consent", "Kiosk_Marketing_Consent"),
}
PERMISSION_PARTS = ("allowed", "version", "at", "source")


def _consent_column(crm: str, purpose: str, part: str) -> str:
    hubspot, salesforce = CONSENT_COLUMNS[purpose]
    suffix = "" if part == "allowed" else f"_{part}"
    if crm == "hubspot":
        return hubspot + suffix
    return f"{salesforce}{suffix.title()}__c"


def consent_columns(crm: str) -> list[str]:
    """The permission columns of a CRM file ("hubspot" or "salesforce")."""
    return [_consent_column(crm, p, part) for p in CONSENT_COLUMNS for part in PERMISSION_PARTS]


# (column, purpose, part) of every permission cell, per CRM file.
_CONSENT_CELLS = {
    crm: tuple(
        (_consent_column(crm, purpose, part), purpose, part)
        for purpose in CONSENT_COLUMNS
        for part in PERMISSION_PARTS
    )
    for crm in ("hubspot", "salesforce")
}


def consent_cells(record: dict, crm: str) -> dict:
    """A record's permissions under a CRM file's column names."""
    granted = record["permissions"]
    return {column: granted[purpose][part] for column, purpose, part in _CONSENT_CELLS[crm]}


def normal_email(value: str) -> str:
    """The email as every export writes it: trimmed and lower-cased."""
    return (value or "").strip().lower()


def split_name(full_name: str) -> tuple[str, str]:
    """(given, family): a CJK name is never split (it all goes in family); else the last word."""
    name = " ".join((full_name or "").split())
    if not name or CJK.search(name) or " " not in name:
        return "", name
    given, family = name.rsplit(" ", 1)
    return given, family


def loads(text: str | None, empty: str = "{}"):
    """A stored JSON value; the empty object or list (most rows) without parsing."""
    if not text or text == empty:
        return {} if empty == "{}" else []
    return orjson.loads(text)


def timeline(person: Person, *, passages_only: bool = False) -> list[dict]:
    """The person's whole interaction log; a check-in or out that was voided says so.

    With passages_only, just the valid check-ins and check-outs (what CRM files need).
    """
    if passages_only:
        return [_item(i) for i in person.passages]
    valid = {p["id"] for p in person.passages}
    items = []
    for i in person.interactions:
        item = _item(i)
        if i["type"] in PASSAGES and i["id"] not in valid:
            item["voided"] = True
        items.append(item)
    return items


def _item(i) -> dict:
    return {
        "id": i["id"],
        "at": i["at"],
        "type": i["type"],
        "place": i["place"],
        "direction": i["direction"],
        "exhibitor_id": i["exhibitor_id"],
        "device_id": i["device_id"],
        "data": loads(i["data"]),
    }


def build(
    person: Person,
    settings: Settings,
    ctx: metrics.ShowContext,
    exhibitors: dict,
    *,
    detail: bool = True,
) -> dict:
    """The full export record of one person (the JSON Lines line and the webhook payload).

    Without detail (CRM files, which never carry them), `timeline` holds only the valid
    check-ins and check-outs and `consents`, `surveys` and `history` are empty.
    """
    row = person.row
    granted = permissions(person, settings)
    allowed = granted["crm"]["allowed"]
    record: dict = {"id": row["id"], "event": settings.event_id}
    for name in STATIC_FIELDS:
        value = row[name]
        record[name] = value if value is not None else ""
    if "interests" in record:
        record["interests"] = loads(row["interests"], "[]")
    if "email" in record:
        record["email"] = normal_email(row["email"])
    if not allowed:
        for name in CONTACT_FIELDS:
            record[name] = ""
    record["contact_withheld"] = not allowed
    record["flags"] = screening.codes(row["flags"])
    record["person_key"] = person_key(record)
    record["consent_state"] = consent_state(person)
    record["permissions"] = granted
    record["consents"] = [
        {
            "consent": c["consent"],
            "granted": bool(c["granted"]),
            "version": c["version"],
            "text": c["text"],
            "language": c["language"],
            "exhibitor_id": c["exhibitor_id"],
            "at": c["at"],
            "source": c["source"],
        }
        for c in (person.consents if detail else ())
    ]
    record["timeline"] = timeline(person, passages_only=not detail)
    record["leads"] = [
        {
            "exhibitor_id": lead["exhibitor_id"],
            "exhibitor": booth["name"] if booth is not None else "",
            "booth": booth["booth"] if booth is not None else "",
            "first_scanned_at": lead["first_scanned_at"],
            "last_scanned_at": lead["last_scanned_at"],
            "scans": lead["scans"],
            "rating": lead["rating"],
            "follow_up": loads(lead["follow_up"], "[]"),
            "source": lead["source"],
        }
        for lead in person.leads
        for booth in (exhibitors.get(lead["exhibitor_id"]),)
    ]
    record["surveys"] = [
        {
            "at": s["at"],
            "day": s["day"],
            "satisfaction": s["satisfaction"],
            "recommend": s["recommend"],
            "return_intent": None if s["return_intent"] is None else bool(s["return_intent"]),
            "purpose": loads(s["purpose"], "[]"),
            "comment": s["comment"],
        }
        for s in (person.surveys if detail else ())
    ]
    record["history"] = [
        {"edition": h["edition"], "year": h["year"], "attended": bool(h["attended"])}
        for h in (person.history if detail else ())
    ]
    record["metrics"] = metrics.compute(person, ctx)
    return record
