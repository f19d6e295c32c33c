"""SQL for the CRM sync ledger: what each target has acknowledged, the resume point of a sync."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from kiosk.storage import utcnow


def sent_digests(conn: sqlite3.Connection, target: str) -> Iterator[sqlite3.Row]:
    """What a target has acknowledged, by attendee id, from a cursor."""
    return conn.execute(
        "SELECT attendee_id, digest, remote_id FROM crm_sync_sent WHERE target = ?"
        " ORDER BY attendee_id",
        (target,),
    )


def sent(conn: sqlite3.Connection, target: str, attendee_id: int) -> sqlite3.Row | None:
    """The ledger row of one person for a target."""
    return conn.execute(
        "SELECT * FROM crm_sync_sent WHERE target = ? AND attendee_id = ?", (target, attendee_id)
    ).fetchone()


def mark_sent(
    conn: sqlite3.Connection, target: str, attendee_id: int, digest: str, remote_id: str = ""
) -> None:
    """Remember that a target accepted this version of a person's record."""
    conn.execute(
        "INSERT INTO crm_sync_sent (target, attendee_id, digest, remote_id, sent_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, attendee_id) DO UPDATE SET"
        " digest = excluded.digest, remote_id = excluded.remote_id, sent_at = excluded.sent_at",
        (target, attendee_id, digest, remote_id, utcnow()),
    )


def forget(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Drop every target's ledger row of a person (erasure)."""
    conn.execute("DELETE FROM crm_sync_sent WHERE attendee_id = ?", (attendee_id,))
