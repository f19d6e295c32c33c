"""Finding people by name (also pinyin), email, phone or company, ranked.

Staff search everything, substrings included. A kiosk searches only by name (characters,
pinyin, initials), by a whole e-mail or by a whole phone number, and sees names only: a stranger
at a kiosk learns no contact detail, no company, and cannot confirm a fragment of either.
"""

from __future__ import annotations

import json
import re
import sqlite3

from kiosk.attendees.fields import PERSON, normalise_email, normalise_phone
from kiosk.attendees.search_keys import fold, fold_query, name_keys, name_part
from kiosk.storage import attendees as sql

LIMIT = 20
SHOWN_AT_A_KIOSK = 5
PHONE_LIKE = re.compile(r"[\d\s+()\-]{4,}")


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
    elif PHONE_LIKE.fullmatch(text):
        q = re.sub(r"\D", "", text)
    else:
        q = fold_query(text)
    if len(q) < 2:
        return []
    rows = sql.candidates(conn, q)
    return sorted(rows, key=lambda row: _rank(row, q))[:limit]


def _name_rank(keys: list[str], row: sqlite3.Row, q: str) -> tuple:
    if q in keys:
        tier = 0
    elif any(k.startswith(q) for k in keys):
        tier = 1
    else:
        tier = 2
    return (tier, len(row["full_name"]), row["id"])


def kiosk_search(
    conn: sqlite3.Connection, text: str, region: str, limit: int = SHOWN_AT_A_KIOSK
) -> list[sqlite3.Row]:
    """What a kiosk finds: people by name, or the holder of a whole e-mail or phone number."""
    text = (text or "").strip()
    if "@" in text:
        try:
            row = sql.by_email_key(conn, normalise_email(text).lower())
        except ValueError:
            return []
        return [row] if row is not None else []
    if PHONE_LIKE.fullmatch(text):
        try:
            return sql.by_phone(conn, normalise_phone(text, region), limit)
        except ValueError:
            return []
    q = fold_query(text)
    if len(q) < 2:
        return []
    keys: dict[int, list[str]] = {}

    def by_name(row: sqlite3.Row) -> bool:
        names = name_part(row["search_keys"], row["company"], row["email"], row["phone"])
        keys[row["id"]] = names
        return any(q in n for n in names)

    rows = sql.candidates_where(conn, q, by_name, 400)
    return sorted(rows, key=lambda row: _name_rank(keys[row["id"]], row, q))[:limit]


def kiosk_view(row: sqlite3.Row) -> dict:
    """A person as a kiosk's search shows them: the name, and the id their proof goes with."""
    return {"id": row["id"], "full_name": row["full_name"]}


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
