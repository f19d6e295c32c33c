"""Finding people by name (also pinyin), email, phone or company, ranked."""

from __future__ import annotations

import json
import re
import sqlite3

from kiosk.attendees.fields import PERSON
from kiosk.attendees.search_keys import fold, fold_query, name_keys
from kiosk.storage import attendees as sql

LIMIT = 20


def _rank(row: sqlite3.Row, q: str) -> tuple:
    names = name_keys(row["full_name"])
    if q in names:
        tier = 0
    elif any(n.startswith(q) for n in names):
        tier = 1
    elif row["email_key"] == q or re.sub(r"\D", "", row["phone"]) == q:
        tier = 0
    elif any(q in n for n in names):
        tier = 2
    elif fold(row["company"]).startswith(q):
        tier = 3
    else:
        tier = 4
    return (tier, len(row["full_name"]), row["id"])


def search(conn: sqlite3.Connection, text: str, limit: int = LIMIT) -> list[sqlite3.Row]:
    """Up to `limit` active people matching the query, best first."""
    text = (text or "").strip()
    if "@" in text:
        q = text.lower()
    elif re.fullmatch(r"[\d\s+()\-]{4,}", text):
        q = re.sub(r"\D", "", text)
    else:
        q = fold_query(text)
    if len(q) < 2:
        return []
    rows = sql.candidates(conn, q)
    return sorted(rows, key=lambda row: _rank(row, q))[:limit]


def mask_email(email: str) -> str:
    """z***@e***.com: enough to recognise one's own address, not to read it."""
    if "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_phone(phone: str) -> str:
    """+86 ******5678: the last four digits only."""
    digits = re.sub(r"\D", "", phone)
    return f"******{digits[-4:]}" if len(digits) >= 4 else ""


MASKS = {"email": mask_email, "phone": mask_phone}


def public_view(row: sqlite3.Row, *, full: bool) -> dict:
    """A person as an API answer: staff see everything, a kiosk sees contact details masked."""
    view = {"id": row["id"]}
    for field in PERSON:
        if full or field.kiosk == "shown":
            value = row[field.name]
            view[field.name] = json.loads(value) if field.kind == "list" else value
        elif field.kiosk == "masked":
            view[field.name] = MASKS[field.name](row[field.name])
    return view
