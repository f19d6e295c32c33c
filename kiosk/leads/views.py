"""What a lead looks like in answers and downloads: contact details only with consent."""

from __future__ import annotations

import json
import sqlite3

from kiosk.attendees.fields import PERSON
from kiosk.attendees.search_keys import fold
from kiosk.leads.contact import first_phone

# What an exhibitor sees of a visitor: always these, and the contact details only with consent.
ALWAYS = tuple(f.name for f in PERSON if f.exhibitor == "shown")
CONTACT = tuple(f.name for f in PERSON if f.exhibitor == "shared")


def card_visitor(contact: dict) -> dict:
    """What a business card says, in the visitor's fields (first e-mail, a mobile first)."""
    return {
        "full_name": contact.get("full_name", ""),
        "company": contact.get("company", ""),
        "job_title": contact.get("job_title", ""),
        "email": (contact.get("emails") or [""])[0],
        "phone": first_phone(contact),
        "city": "",
    }


def lead_view(row: sqlite3.Row, cards: bool = True) -> dict:
    """A lead with its visitor: name and contact details only where the visitor agreed to share.

    A business card handed over at the booth shares what is printed on it with that exhibitor
    (and no one else: staff views pass cards=False and see a card's company only): a lead with a
    card shows the card's fields where the registration's are not shared, and a contact-only lead
    (a card of someone not registered) is the card alone.
    """
    contact = json.loads(row["contact"] or "{}")
    if not cards:
        contact = {"company": contact["company"]} if contact.get("company") else {}
    if row["attendee_id"] is None:
        visitor = {"id": None, "country": "", "category": "", **card_visitor(contact)}
        visitor["contact_shared"] = visitor["from_card"] = bool(contact)
    else:
        shared = bool(row["shared"])
        visitor = {"id": row["attendee_id"], **{field: row[field] for field in ALWAYS}}
        visitor["contact_shared"] = shared
        if shared:
            visitor.update({field: row[field] for field in CONTACT})
        elif contact:
            card = card_visitor(contact)
            visitor.update({field: card.get(field, "") for field in CONTACT})
            visitor["contact_shared"] = visitor["from_card"] = True
    return {
        "id": row["id"],
        "exhibitor_id": row["exhibitor_id"],
        "exhibitor_name": row["exhibitor_name"],
        "visitor": visitor,
        "first_scanned_at": row["first_scanned_at"],
        "last_scanned_at": row["last_scanned_at"],
        "scans": row["scans"],
        "rating": row["rating"],
        "notes": row["notes"],
        "answers": json.loads(row["answers"]),
        "follow_up": json.loads(row["follow_up"]),
        "device_id": row["device_id"],
        "updated_at": row["updated_at"],
        "source": row["source"],
        "contact_only": row["attendee_id"] is None,
        "card": None
        if row["card_id"] is None or not cards
        else {"id": row["card_id"], "fields": contact, "image_url": card_image_url(row["card_id"])},
    }


def card_image_url(card_id: int) -> str:
    """Where the exhibitor fetches a card's photo."""
    return f"/api/v1/cards/{card_id}/image"


def matches(
    lead: dict, *, q: str = "", rating: str = "", answers: dict | None = None, follow_up: str = ""
) -> bool:
    """Does a lead view pass the list's search and filters (only on what the viewer may see)?"""
    if rating and lead["rating"] != rating:
        return False
    if follow_up and follow_up not in lead["follow_up"]:
        return False
    for qid, wanted in (answers or {}).items():
        value = lead["answers"].get(qid)
        if isinstance(value, list):
            if wanted not in value:
                return False
        elif value is None or fold(str(value)).find(fold(wanted)) < 0:
            return False
    if q:
        visible = [lead["notes"], *(str(v) for v in lead["visitor"].values() if v is not None)]
        visible += [str(v) for v in lead["answers"].values()]
        if not any(fold(q) in fold(text) for text in visible):
            return False
    return True
