"""SQL for the append-only interaction log (dynamic data) and the staff audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

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
    return timeline(conn, [attendee_id])


def timeline(conn: sqlite3.Connection, attendee_ids: list[int]) -> list[sqlite3.Row]:
    """The interactions of several records (a person and those merged into them), oldest first."""
    marks = ",".join("?" * len(attendee_ids))
    return conn.execute(
        f"SELECT * FROM interactions WHERE attendee_id IN ({marks}) ORDER BY at, id",
        attendee_ids,
    ).fetchall()


def done_by_device_since(
    conn: sqlite3.Connection, attendee_id: int, device_id: int, types: tuple[str, ...], since: str
) -> bool:
    """Whether this device logged one of these interactions of this person at or after `since`."""
    marks = ", ".join("?" * len(types))
    row = conn.execute(
        f"SELECT 1 FROM interactions WHERE attendee_id = ? AND at >= ? AND device_id = ?"
        f" AND type IN ({marks}) LIMIT 1",
        (attendee_id, since, device_id, *types),
    ).fetchone()
    return row is not None


def interaction(conn: sqlite3.Connection, interaction_id: int) -> sqlite3.Row | None:
    """One interaction by id."""
    return conn.execute("SELECT * FROM interactions WHERE id = ?", (interaction_id,)).fetchone()


def session_attendance(conn: sqlite3.Connection) -> dict[str, int]:
    """People counted into each session."""
    return {
        row[0]: row[1]
        for row in conn.execute(
            "SELECT place, count(DISTINCT attendee_id) FROM interactions"
            " WHERE type = 'session_attended' GROUP BY place"
        )
    }


def attended(conn: sqlite3.Connection, attendee_id: int, session_id: str) -> sqlite3.Row | None:
    """This person's first attendance of a session."""
    return conn.execute(
        "SELECT * FROM interactions WHERE type = 'session_attended' AND place = ?"
        " AND attendee_id = ? ORDER BY id LIMIT 1",
        (session_id, attendee_id),
    ).fetchone()


def of_types(conn: sqlite3.Connection, attendee_ids: list[int], types: tuple[str, ...]):
    """The interactions of these records that are of the given types, by id."""
    id_marks, type_marks = ",".join("?" * len(attendee_ids)), ",".join("?" * len(types))
    return conn.execute(
        f"SELECT * FROM interactions WHERE attendee_id IN ({id_marks})"
        f" AND type IN ({type_marks}) ORDER BY id",
        [*attendee_ids, *types],
    ).fetchall()


def redact(conn: sqlite3.Connection, interaction_id: int, data: dict) -> None:
    """Rewrite one interaction's data for an erasure (the only change the log accepts)."""
    conn.execute(
        "UPDATE interactions SET data = ? WHERE id = ?",
        (dumps({**data, "redacted": True}), interaction_id),
    )


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


def audit_rows(
    conn: sqlite3.Connection, *, action: str = "", limit: int = 200, before_id: int | None = None
) -> list[sqlite3.Row]:
    """Audit log rows, newest first, optionally of one action prefix."""
    sql = "SELECT * FROM audit_log WHERE 1 = 1"
    params: list = []
    if action:
        sql += " AND action LIKE ?"
        params.append(action.replace("%", "") + "%")
    if before_id is not None:
        sql += " AND id < ?"
        params.append(before_id)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return conn.execute(sql, params).fetchall()


def all_audit_rows(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every audit row, oldest first (for the export)."""
    return conn.execute("SELECT * FROM audit_log ORDER BY id")


def audit_about(
    conn: sqlite3.Connection, attendee_ids: list[int], interaction_ids: list[int]
) -> list[sqlite3.Row]:
    """Audit rows about these records: their own, merges naming them, their voided passages."""
    targets = [f"attendee:{i}" for i in attendee_ids] + [
        f"interaction:{i}" for i in interaction_ids
    ]
    target_marks, id_marks = ",".join("?" * len(targets)), ",".join("?" * len(attendee_ids))
    return conn.execute(
        f"SELECT * FROM audit_log WHERE target IN ({target_marks})"
        " OR (action = 'person.merge'"
        f" AND json_extract(after, '$.merged_id') IN ({id_marks})) ORDER BY id",
        [*targets, *attendee_ids],
    ).fetchall()


def rewrite_audit(conn: sqlite3.Connection, audit_id: int, before, after) -> None:
    """Replace an audit row's before and after values (erasure redacts them)."""
    conn.execute(
        "UPDATE audit_log SET before = ?, after = ? WHERE id = ?",
        (
            None if before is None else dumps(before),
            None if after is None else dumps(after),
            audit_id,
        ),
    )
