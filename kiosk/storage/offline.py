"""SQL for kiosks working offline: what goes into a gate's offline set, and offline conflicts."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps


def change_marks(conn: sqlite3.Connection) -> tuple:
    """Cheap marks that move whenever a badge, a person or a passage may have changed.

    Every state change writes an interaction or an audit row in its transaction, and a new
    person or badge a new row: the largest ids are read from the tables' indexes.
    """
    return tuple(
        conn.execute(
            "SELECT (SELECT max(id) FROM interactions), (SELECT max(id) FROM audit_log),"
            " (SELECT max(id) FROM attendees), (SELECT count(*) FROM badges)"
        ).fetchone()
    )


def badges_for_set(conn: sqlite3.Connection, attendee_ids: list[int] | None = None) -> list:
    """Every badge an offline kiosk must know (or those of some people): its holder's greeting,
    whether it still lets them in, and where they are. Erased people's badges are left out."""
    sql = (
        "SELECT b.code_id, b.version, a.id AS attendee_id,"
        " (b.revoked_at IS NOT NULL OR a.status != 'active') AS revoked,"
        " a.full_name, a.category, a.language, p.state, p.gate, p.at"
        " FROM badges b JOIN attendees a ON a.id = b.attendee_id"
        " LEFT JOIN presence p ON p.attendee_id = a.id"
        " WHERE a.status != 'erased'"
    )
    if attendee_ids is None:
        return conn.execute(sql).fetchall()
    rows = []
    for start in range(0, len(attendee_ids), 500):
        chunk = attendee_ids[start : start + 500]
        names = {f"p{i}": value for i, value in enumerate(chunk)}
        marks = ", ".join(f":{name}" for name in names)
        rows += conn.execute(f"{sql} AND a.id IN ({marks})", names).fetchall()
    return rows


def changed_people(conn: sqlite3.Connection, since: str, after_interaction: int) -> set[int]:
    """The people whose record, badges or passages may have changed since a time (records and
    badges) or after an interaction id (passages)."""
    found = conn.execute(
        "SELECT id FROM attendees WHERE updated_at >= :since"
        " UNION SELECT attendee_id FROM badges WHERE issued_at >= :since OR revoked_at >= :since"
        " UNION SELECT attendee_id FROM interactions"
        " WHERE id > :after AND attendee_id IS NOT NULL",
        {"since": since, "after": after_interaction},
    ).fetchall()
    return {row[0] for row in found}


def add_conflict(
    conn: sqlite3.Connection,
    *,
    attendee_id: int,
    device_id: int,
    nonce: str,
    gate: str,
    direction: str,
    admitted_at: str,
    reason: str,
    standing: dict,
    recorded_at: str,
) -> int | None:
    """Keep an admission the server would have refused; None when this nonce was kept before."""
    row = conn.execute(
        "INSERT INTO offline_conflicts (attendee_id, device_id, nonce, gate, direction,"
        " admitted_at, reason, standing, recorded_at) VALUES (:attendee_id, :device_id, :nonce,"
        " :gate, :direction, :admitted_at, :reason, :standing, :recorded_at)"
        " ON CONFLICT (device_id, nonce) DO NOTHING RETURNING id",
        {
            "attendee_id": attendee_id,
            "device_id": device_id,
            "nonce": nonce,
            "gate": gate,
            "direction": direction,
            "admitted_at": admitted_at,
            "reason": reason,
            "standing": dumps(standing),
            "recorded_at": recorded_at,
        },
    ).fetchone()
    return row[0] if row is not None else None


def conflicts(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    """The latest offline conflicts with who, at which kiosk, newest first."""
    return conn.execute(
        "SELECT c.*, a.full_name, a.category, d.name AS device_name"
        " FROM offline_conflicts c LEFT JOIN attendees a ON a.id = c.attendee_id"
        " LEFT JOIN devices d ON d.id = c.device_id ORDER BY c.id DESC LIMIT :limit",
        {"limit": limit},
    ).fetchall()
