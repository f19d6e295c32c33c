"""The append-only interaction log (dynamic data) and the staff audit log."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps, utcnow


def append(
    conn: sqlite3.Connection,
    type: str,
    *,
    attendee_id: int | None = None,
    exhibitor_id: int | None = None,
    device_id: int | None = None,
    place: str = "",
    direction: str = "",
    data: dict | None = None,
    at: str | None = None,
) -> int:
    """Append one interaction inside the caller's transaction; return its id."""
    cur = conn.execute(
        "INSERT INTO interactions (at, type, attendee_id, exhibitor_id, device_id, place,"
        " direction, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at or utcnow(),
            type,
            attendee_id,
            exhibitor_id,
            device_id,
            place,
            direction,
            dumps(data or {}),
        ),
    )
    return cur.lastrowid


def for_attendee(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """One person's timeline, oldest first."""
    return conn.execute(
        "SELECT * FROM interactions WHERE attendee_id = ? ORDER BY at, id", (attendee_id,)
    ).fetchall()


def audit(
    conn: sqlite3.Connection,
    actor: str,
    action: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Record a staff action in the audit log inside the caller's transaction."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        (
            utcnow(),
            actor,
            action,
            target,
            None if before is None else dumps(before),
            None if after is None else dumps(after),
        ),
    )
