"""Creating and updating people: each change in one transaction with its interaction row."""

from __future__ import annotations

import json
import sqlite3

from kiosk.attendees import search_keys
from kiosk.checkin import codes
from kiosk.config import Settings
from kiosk.secrets import Keys
from kiosk.storage import attendees as sql
from kiosk.storage.interactions import append

COMPARED = (
    "full_name",
    "company",
    "job_title",
    "email",
    "phone",
    "country",
    "city",
    "address",
    "industry",
    "main_business",
    "category",
    "interests",
    "purchasing_role",
    "budget",
    "crm_id",
    "language",
)


def create(
    conn: sqlite3.Connection,
    keys: Keys,
    person: dict,
    *,
    source: str,
    device_id: int | None = None,
) -> tuple[int, str]:
    """Insert a clean person with a fresh badge code; log `registered`. Returns (id, code)."""
    record = {**person, "source": source, "search_keys": search_keys.build(person)}
    attendee_id = sql.insert(conn, record)
    code = issue_badge(conn, keys, attendee_id)
    append(
        conn,
        "registered",
        attendee_id=attendee_id,
        device_id=device_id,
        data={"source": source, "category": person["category"]},
    )
    return attendee_id, code


def issue_badge(conn: sqlite3.Connection, keys: Keys, attendee_id: int) -> str:
    """Issue a new badge code for a person (the caller revokes old ones when reprinting)."""
    code, code_id, version = codes.issue(keys)
    sql.insert_badge(conn, code_id, attendee_id, version)
    return code


def changes_between(row: sqlite3.Row, person: dict) -> dict:
    """The fields whose clean new value differs from what is stored."""
    changed = {}
    for field in COMPARED:
        if field not in person:
            continue
        old = json.loads(row[field]) if field == "interests" else row[field]
        if person[field] != old:
            changed[field] = person[field]
    return changed


def apply_update(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    changes: dict,
    *,
    reason: str,
    device_id: int | None = None,
    actor: str = "",
) -> None:
    """Write changed fields of a person and log `updated` with before and after."""
    merged = {**dict(row), **changes}
    if "interests" not in changes:
        merged["interests"] = json.loads(row["interests"])
    changes = {**changes, "search_keys": search_keys.build(merged)}
    if "email" in changes:
        changes["email_key"] = changes["email"].lower()
    sql.update(conn, row["id"], changes)
    append(
        conn,
        "updated",
        attendee_id=row["id"],
        device_id=device_id,
        data={
            "reason": reason,
            "actor": actor,
            "fields": sorted(k for k in changes if k not in ("search_keys", "email_key")),
        },
    )


def record_consents(
    conn: sqlite3.Connection,
    settings: Settings,
    attendee_id: int,
    given: dict[str, bool],
    *,
    language: str,
    device_id: int | None = None,
    exhibitor_id: int | None = None,
    at: str | None = None,
) -> None:
    """Store each answered consent with its exact text and version, and log it.

    With ``exhibitor_id`` the answer was given at that exhibitor's booth and holds for it alone.
    """
    for key, granted in given.items():
        consent = settings.consents[key]
        lang = language if language in consent.text else settings.default_language
        sql.insert_consent(
            conn,
            attendee_id=attendee_id,
            consent=key,
            granted=granted,
            version=consent.version,
            text=consent.text[lang],
            language=lang,
            exhibitor_id=exhibitor_id,
            device_id=device_id,
            at=at,
        )
        append(
            conn,
            "consent_given" if granted else "consent_withdrawn",
            attendee_id=attendee_id,
            device_id=device_id,
            place=key,
            data={"consent": key, "version": consent.version, "language": lang},
            at=at,
        )
