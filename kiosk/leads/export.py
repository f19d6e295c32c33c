"""Lead downloads: CSV (UTF-8 with BOM, formula-safe) and vCard 4.0."""

from __future__ import annotations

import csv
import io

from kiosk.attendees.fields import PERSON
from kiosk.tabular import cell

# The visitor's columns are what an exhibitor may see of a person (kiosk.leads.views).
VISITOR = tuple(f.name for f in PERSON if f.exhibitor)
COLUMNS = (
    "lead_id",
    "exhibitor",
    *VISITOR,
    "contact_shared",
    "source",
    "contact_only",
    "card_emails",
    "card_phones",
    "card_website",
    "card_address",
    "rating",
    "notes",
    "follow_up",
    "scans",
    "first_scanned_at",
    "last_scanned_at",
)


def _answer_text(value) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


def _card_cells(lead: dict) -> list:
    """source, contact_only, and what the lead's business card adds to the visitor's columns."""
    card = (lead.get("card") or {}).get("fields") or {}
    phones = [f"{p['number']} ({p['type']})" for p in card.get("phones") or []]
    return [
        lead["source"],
        "yes" if lead["contact_only"] else "no",
        "; ".join(card.get("emails") or []),
        "; ".join(phones),
        card.get("website", ""),
        card.get("address", ""),
    ]


def to_csv(leads: list[dict], questions: list[dict]) -> str:
    """The leads as CSV text starting with a BOM, one column per qualifying question."""
    qids = [q["id"] for q in questions]
    for lead in leads:
        qids += [k for k in lead["answers"] if k not in qids]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *(f"answer:{q}" for q in qids)])
    for lead in leads:
        v = lead["visitor"]
        row = [
            lead["id"],
            lead["exhibitor_name"],
            *(v.get(name, "") for name in VISITOR),
            "yes" if v["contact_shared"] else "no",
            *_card_cells(lead),
            lead["rating"],
            lead["notes"],
            "; ".join(lead["follow_up"]),
            lead["scans"],
            lead["first_scanned_at"],
            lead["last_scanned_at"],
        ]
        row += [_answer_text(lead["answers"].get(q, "")) for q in qids]
        writer.writerow([cell(c) for c in row])
    return "\ufeff" + out.getvalue()


def _esc(text: str) -> str:
    return (
        str(text).replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")
    )


# vCard TEL types for a card's phone types.
TEL_TYPES = {"mobile": "cell", "office": "work", "fax": "fax", "other": "voice"}


def _card_lines(card: dict) -> list[str]:
    """What a business card adds: every e-mail and phone, website, address."""
    lines = [f"EMAIL;TYPE=work:{_esc(e)}" for e in card.get("emails") or []]
    lines += [
        f"TEL;VALUE=uri;TYPE={TEL_TYPES.get(p['type'], 'voice')}:tel:{p['number']}"
        for p in card.get("phones") or []
    ]
    if card.get("website"):
        lines.append(f"URL:{_esc(card['website'])}")
    if card.get("address"):
        lines.append(f"ADR;TYPE=work:;;{_esc(card['address'])};;;;")
    return lines


def to_vcard(leads: list[dict]) -> str:
    """The leads as vCard 4.0 cards; a visitor who did not share contact gets company only, a
    lead from a business card what the card says (marked CATEGORIES:business_card)."""
    cards = []
    for lead in leads:
        v = lead["visitor"]
        card = (lead.get("card") or {}).get("fields") or {}
        name = v.get("full_name") or v["company"] or f"Lead {lead['id']}"
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_esc(name)}"]
        if v.get("full_name"):
            lines.append(f"N:{_esc(v['full_name'])};;;;")
            lines.append("KIND:individual")
        else:
            lines.append("KIND:org")
        if v["company"]:
            lines.append(f"ORG:{_esc(v['company'])}")
        if v.get("job_title"):
            lines.append(f"TITLE:{_esc(v['job_title'])}")
        if v.get("from_card"):
            lines += _card_lines(card)
        else:
            if v.get("email"):
                lines.append(f"EMAIL;TYPE=work:{_esc(v['email'])}")
            if v.get("phone"):
                lines.append(f"TEL;VALUE=uri;TYPE=work:tel:{v['phone']}")
        if v["country"] or v.get("city"):
            lines.append(f"ADR;TYPE=work:;;;{_esc(v.get('city', ''))};;;{_esc(v['country'])}")
        note = " | ".join(
            t for t in (lead["rating"], lead["notes"], ", ".join(lead["follow_up"])) if t
        )
        if note:
            lines.append(f"NOTE:{_esc(note)}")
        if lead["source"] == "business_card" or lead["contact_only"]:
            marks = ["business_card"] + (["contact_only"] if lead["contact_only"] else [])
            lines.append(f"CATEGORIES:{','.join(marks)}")
        lines.append(f"REV:{lead['updated_at'].replace('-', '').replace(':', '').split('.')[0]}Z")
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines))
    return "\r\n".join(cards) + ("\r\n" if cards else "")
