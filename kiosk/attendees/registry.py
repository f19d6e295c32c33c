"""Changing people on file: badges, field updates and consents, each logged as it happens.

People come on file through kiosk.attendees.registration.
"""

from __future__ import annotations

import json
import sqlite3

from kiosk.attendees import screening, search_keys
from kiosk.attendees.fields import TYPED
from kiosk.checkin import codes
from kiosk.config import Settings
from kiosk.secrets import Keys, pseudonym
from kiosk.storage import attendees as sql
from kiosk.storage.interactions import append


def erased_keys(keys: Keys, external_id: str | None, email_key: str) -> list[str]:
    """Fingerprints of the identifiers an import would match a person on (ticket id, e-mail)."""
    found = []
    if external_id:
        found.append(pseudonym(keys, "external_id", external_id))
    if email_key:
        found.append(pseudonym(keys, "email", email_key.lower()))
    return found


def issue_badge(conn: sqlite3.Connection, keys: Keys, attendee_id: int) -> str:
    """Issue a new badge code for a person (the caller revokes old ones when reprinting)."""
    code, code_id, version = codes.issue(keys)
    sql.insert_badge(conn, code_id, attendee_id, version)
    return code


def changes_between(row: sqlite3.Row, person: dict) -> dict:
    """The fields a person types whose clean new value differs from what is stored."""
    changed = {}
    for field in TYPED:
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
    flags = screening.refreshed(row["flags"], merged, set(changes))
    if flags != json.loads(row["flags"]):
        sql.set_flags(conn, row["id"], flags)
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
    source: str = "",
    versions: dict[str, str] | None = None,
    times: dict[str, str] | None = None,
) -> None:
    """Store each answered consent with its exact text, version, time and source, and log it.

    With ``exhibitor_id`` the answer was given at that exhibitor's booth and holds for it alone.
    ``versions`` and ``times`` carry what another system recorded (an import); a version other
    than the configured one is stored without a text, which this show does not know.
    """
    for key, granted in given.items():
        consent = settings.consents[key]
        lang = language if language in consent.text else settings.default_language
        version = (versions or {}).get(key) or consent.version
        when = (times or {}).get(key) or at
        sql.insert_consent(
            conn,
            attendee_id=attendee_id,
            consent=key,
            granted=granted,
            version=version,
            text=consent.text[lang] if version == consent.version else "",
            language=lang,
            exhibitor_id=exhibitor_id,
            device_id=device_id,
            at=when,
            source=source,
        )
        append(
            conn,
            "consent_given" if granted else "consent_withdrawn",
            attendee_id=attendee_id,
            device_id=device_id,
            place=key,
            data={"consent": key, "version": version, "language": lang, "source": source},
            at=when,
        )
