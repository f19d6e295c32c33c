"""A person's export record: static data, consents, timeline, leads, metrics; consent applied."""

from __future__ import annotations

import json
import re

from kiosk.attendees import screening
from kiosk.attendees.fields import CONTACT_FIELDS, PERSON
from kiosk.config import Settings
from kiosk.crm import metrics
from kiosk.crm.people import Person

PASSAGES = ("checked_in", "checked_out")
# A person's static record: every field of a person, in the export's order.
STATIC_FIELDS = tuple(f.name for f in PERSON)
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")


def contact_consent(settings: Settings) -> str:
    """The consent whose withdrawal keeps contact details out of CRM exports ([crm] table)."""
    return str(settings.extra.get("crm", {}).get("contact_consent", "terms"))


def share_consent(settings: Settings) -> str:
    """The consent that lets an exhibitor receive a visitor's contact details."""
    return str(settings.extra.get("crm", {}).get("share_consent", "share_with_exhibitors"))


def consent_state(person: Person) -> dict[str, bool]:
    """The latest show-wide answer to each consent."""
    state: dict[str, bool] = {}
    for row in person.consents:
        if row["exhibitor_id"] is None:
            state[row["consent"]] = bool(row["granted"])
    return state


def contact_allowed(person: Person, settings: Settings) -> bool:
    """Contact details travel unless the person was erased or withdrew the contact consent."""
    if person.row["status"] == "erased":
        return False
    return consent_state(person).get(contact_consent(settings), True)


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


def timeline(person: Person) -> list[dict]:
    """The person's whole interaction log; a check-in or out that was voided says so."""
    valid = {p["id"] for p in person.passages}
    items = []
    for i in person.interactions:
        item = {
            "id": i["id"],
            "at": i["at"],
            "type": i["type"],
            "place": i["place"],
            "direction": i["direction"],
            "exhibitor_id": i["exhibitor_id"],
            "device_id": i["device_id"],
            "data": json.loads(i["data"] or "{}"),
        }
        if i["type"] in PASSAGES and i["id"] not in valid:
            item["voided"] = True
        items.append(item)
    return items


def build(person: Person, settings: Settings, ctx: metrics.ShowContext, exhibitors: dict) -> dict:
    """The full export record of one person (the JSON Lines line and the webhook payload)."""
    row = person.row
    allowed = contact_allowed(person, settings)
    record: dict = {"id": row["id"], "event": settings.event_id}
    for name in STATIC_FIELDS:
        value = row[name]
        if name == "interests":
            value = json.loads(value or "[]")
        elif name == "email":
            value = normal_email(value)
        if name in CONTACT_FIELDS and not allowed:
            value = ""
        record[name] = value if value is not None else ""
    record["contact_withheld"] = not allowed
    record["flags"] = screening.codes(row["flags"])
    record["consent_state"] = consent_state(person)
    record["consents"] = [
        {
            "consent": c["consent"],
            "granted": bool(c["granted"]),
            "version": c["version"],
            "text": c["text"],
            "language": c["language"],
            "exhibitor_id": c["exhibitor_id"],
            "at": c["at"],
        }
        for c in person.consents
    ]
    record["timeline"] = timeline(person)
    record["leads"] = [
        {
            "exhibitor_id": lead["exhibitor_id"],
            "exhibitor": exhibitors[lead["exhibitor_id"]]["name"]
            if lead["exhibitor_id"] in exhibitors
            else "",
            "booth": exhibitors[lead["exhibitor_id"]]["booth"]
            if lead["exhibitor_id"] in exhibitors
            else "",
            "first_scanned_at": lead["first_scanned_at"],
            "last_scanned_at": lead["last_scanned_at"],
            "scans": lead["scans"],
            "rating": lead["rating"],
            "follow_up": json.loads(lead["follow_up"] or "[]"),
        }
        for lead in person.leads
    ]
    record["surveys"] = [
        {
            "at": s["at"],
            "day": s["day"],
            "satisfaction": s["satisfaction"],
            "recommend": s["recommend"],
            "return_intent": None if s["return_intent"] is None else bool(s["return_intent"]),
            "purpose": json.loads(s["purpose"] or "[]"),
            "comment": s["comment"],
        }
        for s in person.surveys
    ]
    record["history"] = [
        {"edition": h["edition"], "year": h["year"], "attended": bool(h["attended"])}
        for h in person.history
    ]
    record["metrics"] = metrics.compute(person, ctx)
    return record
