"""SQL for the append-only interaction log (dynamic data) and the staff audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from kiosk.storage import dumps, marks, stream, utcnow


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
        " direction, data) VALUES (:at, :type, :attendee_id, :exhibitor_id, :device_id, :place,"
        " :direction, :data) RETURNING id",
        {
            "at": at or utcnow(),
            "type": type,
            "attendee_id": attendee_id,
            "exhibitor_id": exhibitor_id,
            "device_id": device_id,
            "place": place,
            "direction": direction,
            "data": dumps(data or {}),
        },
    )
    return cur.fetchone()[0]


def for_attendee(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """One person's timeline, oldest first."""
    return timeline(conn, [attendee_id])


def timeline(conn: sqlite3.Connection, attendee_ids: list[int]) -> list[sqlite3.Row]:
    """The interactions of several records (a person and those merged into them), oldest first."""
    ids, params = marks("a", attendee_ids)
    return conn.execute(
        f"SELECT * FROM interactions WHERE attendee_id IN ({ids}) ORDER BY at, id", params
    ).fetchall()


def done_by_device_since(
    conn: sqlite3.Connection, attendee_id: int, device_id: int, types: tuple[str, ...], since: str
) -> bool:
    """Whether this device logged one of these interactions of this person at or after `since`."""
    listed, params = marks("t", types)
    row = conn.execute(
        "SELECT 1 FROM interactions WHERE attendee_id = :attendee_id AND at >= :since"
        f" AND device_id = :device_id AND type IN ({listed}) LIMIT 1",
        {"attendee_id": attendee_id, "since": since, "device_id": device_id, **params},
    ).fetchone()
    return row is not None


def interaction(conn: sqlite3.Connection, interaction_id: int) -> sqlite3.Row | None:
    """One interaction by id."""
    return conn.execute(
        "SELECT * FROM interactions WHERE id = :id", {"id": interaction_id}
    ).fetchone()


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
        "SELECT * FROM interactions WHERE type = 'session_attended' AND place = :place"
        " AND attendee_id = :attendee_id ORDER BY id LIMIT 1",
        {"place": session_id, "attendee_id": attendee_id},
    ).fetchone()


def of_types(conn: sqlite3.Connection, attendee_ids: list[int], types: tuple[str, ...]):
    """The interactions of these records that are of the given types, by id."""
    ids, id_params = marks("a", attendee_ids)
    listed, type_params = marks("t", types)
    return conn.execute(
        f"SELECT * FROM interactions WHERE attendee_id IN ({ids})"
        f" AND type IN ({listed}) ORDER BY id",
        id_params | type_params,
    ).fetchall()


def redact(conn: sqlite3.Connection, interaction_id: int, data: dict) -> None:
    """Rewrite one interaction's data for an erasure (the only change the log accepts)."""
    conn.execute(
        "UPDATE interactions SET data = :data WHERE id = :id",
        {"data": dumps({**data, "redacted": True}), "id": interaction_id},
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
        "INSERT INTO audit_log (at, actor, action, target, before, after)"
        " VALUES (:at, :actor, :action, :target, :before, :after)",
        {
            "at": utcnow(),
            "actor": actor,
            "action": action,
            "target": target,
            "before": None if before is None else dumps(before),
            "after": None if after is None else dumps(after),
        },
    )


def audit_rows(
    conn: sqlite3.Connection, *, action: str = "", limit: int = 200, before_id: int | None = None
) -> list[sqlite3.Row]:
    """Audit log rows, newest first, optionally of one action prefix."""
    sql = "SELECT * FROM audit_log WHERE 1 = 1"
    params: dict = {"limit": limit}
    if action:
        sql += " AND action LIKE :action"
        params["action"] = action.replace("%", "") + "%"
    if before_id is not None:
        sql += " AND id < :before_id"
        params["before_id"] = before_id
    sql += " ORDER BY id DESC LIMIT :limit"
    return conn.execute(sql, params).fetchall()


def all_audit_rows(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every audit row, oldest first (for the export)."""
    return stream(conn, "SELECT * FROM audit_log ORDER BY id")


def audit_about(
    conn: sqlite3.Connection, attendee_ids: list[int], interaction_ids: list[int]
) -> list[sqlite3.Row]:
    """Audit rows about these records: their own, merges naming them, their voided passages."""
    targets = [f"attendee:{i}" for i in attendee_ids] + [
        f"interaction:{i}" for i in interaction_ids
    ]
    listed, target_params = marks("t", targets)
    ids, id_params = marks("a", attendee_ids)
    return conn.execute(
        f"SELECT * FROM audit_log WHERE target IN ({listed})"
        " OR (action = 'person.merge'"
        f" AND CAST(json_extract(after, '$.merged_id') AS BIGINT) IN ({ids})) ORDER BY id",
        target_params | id_params,
    ).fetchall()


def rewrite_audit(conn: sqlite3.Connection, audit_id: int, before, after) -> None:
    """Replace an audit row's before and after values (erasure redacts them)."""
    conn.execute(
        "UPDATE audit_log SET before = :before, after = :after WHERE id = :id",
        {
            "before": None if before is None else dumps(before),
            "after": None if after is None else dumps(after),
            "id": audit_id,
        },
    )
