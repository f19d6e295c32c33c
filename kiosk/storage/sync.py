"""SQL for the CRM sync ledger (what each target has acknowledged, the resume point of a sync)
and the deletion list (people erased, by the ids the CRMs know them by)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from kiosk.storage import dumps, stream, utcnow


def sent_digests(conn: sqlite3.Connection, target: str) -> Iterator[sqlite3.Row]:
    """What a target has acknowledged, by attendee id, from a cursor."""
    return stream(
        conn,
        "SELECT attendee_id, digest, remote_id FROM crm_sync_sent WHERE target = :target"
        " ORDER BY attendee_id",
        {"target": target},
    )


def sent(conn: sqlite3.Connection, target: str, attendee_id: int) -> sqlite3.Row | None:
    """The ledger row of one person for a target."""
    return conn.execute(
        "SELECT * FROM crm_sync_sent WHERE target = :target AND attendee_id = :attendee_id",
        {"target": target, "attendee_id": attendee_id},
    ).fetchone()


def mark_sent(
    conn: sqlite3.Connection, target: str, attendee_id: int, digest: str, remote_id: str = ""
) -> None:
    """Remember that a target accepted this version of a person's record."""
    conn.execute(
        "INSERT INTO crm_sync_sent (target, attendee_id, digest, remote_id, sent_at)"
        " VALUES (:target, :attendee_id, :digest, :remote_id, :at)"
        " ON CONFLICT (target, attendee_id) DO UPDATE SET"
        " digest = excluded.digest, remote_id = excluded.remote_id, sent_at = excluded.sent_at",
        {
            "target": target,
            "attendee_id": attendee_id,
            "digest": digest,
            "remote_id": remote_id,
            "at": utcnow(),
        },
    )


def forget(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Drop every target's ledger row of a person (erasure)."""
    conn.execute(
        "DELETE FROM crm_sync_sent WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )


def remote_ids(conn: sqlite3.Connection, attendee_id: int) -> dict[str, str]:
    """The id each target gave a person's record, where it gave one."""
    return {
        row["target"]: row["remote_id"]
        for row in conn.execute(
            "SELECT target, remote_id FROM crm_sync_sent WHERE attendee_id = :attendee_id"
            " AND remote_id != '' ORDER BY target",
            {"attendee_id": attendee_id},
        )
    }


def record_erasure(
    conn: sqlite3.Connection, attendee_id: int, crm_id: str, remote: dict[str, str], at: str
) -> None:
    """Put an erased record on the deletion list the CRMs are sent."""
    conn.execute(
        "INSERT INTO crm_erasures (attendee_id, erased_at, crm_id, remote_ids)"
        " VALUES (:attendee_id, :at, :crm_id, :remote_ids)",
        {"attendee_id": attendee_id, "at": at, "crm_id": crm_id, "remote_ids": dumps(remote)},
    )


def erasures(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """The deletion list, by attendee id, from a cursor."""
    return stream(conn, "SELECT * FROM crm_erasures ORDER BY attendee_id")
