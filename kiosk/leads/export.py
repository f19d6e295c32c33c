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
    "rating",
    "notes",
    "follow_up",
    "scans",
    "first_scanned_at",
    "last_scanned_at",
)


def _answer_text(value) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


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


def to_vcard(leads: list[dict]) -> str:
    """The leads as vCard 4.0 cards; a visitor who did not share contact gets company only."""
    cards = []
    for lead in leads:
        v = lead["visitor"]
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
        lines.append(f"REV:{lead['updated_at'].replace('-', '').replace(':', '').split('.')[0]}Z")
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines))
    return "\r\n".join(cards) + ("\r\n" if cards else "")
