"""SQL for passages at the gates (check-ins and check-outs), presence and check-in nonces."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dialect, marks

# The one definition of a valid passage: a check-in or check-out that no `checkin_voided` row
# cancels. Every count, chart, report and metric of passages reads through it. (json_extract is
# SQLite's; the PostgreSQL schema defines the same function for text holding JSON.)
VOIDED_IDS = (
    "SELECT CAST(json_extract(data, '$.interaction_id') AS BIGINT) FROM interactions"
    " WHERE type = 'checkin_voided' AND json_extract(data, '$.interaction_id') IS NOT NULL"
)
VALID_PASSAGES = (
    "SELECT * FROM interactions WHERE type IN ('checked_in', 'checked_out')"
    f" AND id NOT IN ({VOIDED_IDS})"
)


def passages(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """A person's valid check-ins and check-outs, oldest first."""
    return conn.execute(
        f"SELECT * FROM ({VALID_PASSAGES}) p WHERE attendee_id = :attendee_id ORDER BY at, id",
        {"attendee_id": attendee_id},
    ).fetchall()


def voided_ids(conn: sqlite3.Connection, attendee_ids: list[int]) -> set[int]:
    """The passages of these records that a `checkin_voided` row cancelled."""
    ids, params = marks("a", attendee_ids)
    return {row[0] for row in conn.execute(f"{VOIDED_IDS} AND attendee_id IN ({ids})", params)}


def lock_person(conn, attendee_id: int) -> None:
    """Hold the person's row until the transaction ends, so that simultaneous scans of their
    badge on several server nodes are decided one after the other (pretix's select_for_update).

    SQLite needs nothing: its one writer (BEGIN IMMEDIATE) already puts every write in a line.
    """
    if dialect(conn) == "postgresql":
        conn.execute("SELECT id FROM attendees WHERE id = :id FOR UPDATE", {"id": attendee_id})


def lock_badge(conn, code_id: str) -> None:
    """Hold the row of the person this badge belongs to (see lock_person)."""
    if dialect(conn) == "postgresql":
        conn.execute(
            "SELECT a.id FROM attendees a JOIN badges b ON b.attendee_id = a.id"
            " WHERE b.code_id = :code_id FOR UPDATE OF a",
            {"code_id": code_id},
        )


def presence(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row | None:
    """Where a person is: inside or out, since when, through which gate."""
    return conn.execute(
        "SELECT * FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    ).fetchone()


def record_passage(
    conn: sqlite3.Connection, attendee_id: int, direction: str, gate: str, at: str
) -> None:
    """Move a person in or out."""
    conn.execute(
        "INSERT INTO presence (attendee_id, state, gate, at, first_in_at, first_in_gate, entries)"
        " VALUES (:attendee_id, :state, :gate, :at, :at, :gate, 1)"
        " ON CONFLICT(attendee_id) DO UPDATE SET state = excluded.state, gate = excluded.gate,"
        " at = excluded.at,"
        " entries = presence.entries + (CASE WHEN excluded.state = 'in' THEN 1 ELSE 0 END)",
        {"attendee_id": attendee_id, "state": direction, "gate": gate, "at": at},
    )


def replace_presence(conn: sqlite3.Connection, attendee_id: int, row: dict | None) -> None:
    """Set (or clear) the presence derived from the remaining passages."""
    conn.execute(
        "DELETE FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    if row is not None:
        conn.execute(
            "INSERT INTO presence (attendee_id, state, gate, at, first_in_at, first_in_gate,"
            " entries) VALUES (:attendee_id, :state, :gate, :at, :first_in_at, :first_in_gate,"
            " :entries)",
            {
                "attendee_id": attendee_id,
                "state": row["state"],
                "gate": row["gate"],
                "at": row["at"],
                "first_in_at": row["first_in_at"],
                "first_in_gate": row["first_in_gate"],
                "entries": row["entries"],
            },
        )


def move_presence(conn: sqlite3.Connection, from_id: int, to_id: int) -> None:
    """Give one record's presence to another (a merge into a record never seen at a gate)."""
    conn.execute(
        "UPDATE presence SET attendee_id = :to_id WHERE attendee_id = :from_id",
        {"to_id": to_id, "from_id": from_id},
    )


def nonce_outcome(conn: sqlite3.Connection, device_id: int, nonce: str) -> str | None:
    """The outcome (as JSON) already given for this device's nonce."""
    row = conn.execute(
        "SELECT outcome FROM nonces WHERE device_id = :device_id AND nonce = :nonce",
        {"device_id": device_id, "nonce": nonce},
    ).fetchone()
    return row[0] if row is not None else None


def remember_nonce(
    conn: sqlite3.Connection, device_id: int, nonce: str, outcome: str, at: str
) -> None:
    """Keep the outcome so that a retry with the same nonce gets it again."""
    conn.execute(
        "INSERT INTO nonces (device_id, nonce, outcome, at)"
        " VALUES (:device_id, :nonce, :outcome, :at)",
        {"device_id": device_id, "nonce": nonce, "outcome": outcome, "at": at},
    )


def inside_since_before(conn: sqlite3.Connection, before: str) -> list[sqlite3.Row]:
    """Who is inside since before a moment (still in when their show day closed)."""
    return conn.execute(
        "SELECT * FROM presence WHERE state = 'in' AND at < :before ORDER BY attendee_id",
        {"before": before},
    ).fetchall()


def close_presence(conn: sqlite3.Connection, attendee_id: int, at: str) -> bool:
    """Mark a person inside since before a moment out as of it, at the gate they came in (the
    day closed on them); whether they were."""
    return (
        conn.execute(
            "UPDATE presence SET state = 'out', at = :at"
            " WHERE attendee_id = :id AND state = 'in' AND at < :at",
            {"at": at, "id": attendee_id},
        ).rowcount
        == 1
    )


def day_closed_since(conn: sqlite3.Connection, attendee_id: int, since: str) -> bool:
    """Whether a day closed on this person at or after a moment."""
    row = conn.execute(
        "SELECT 1 FROM interactions WHERE type = 'day_closed' AND attendee_id = :id"
        " AND at >= :since LIMIT 1",
        {"id": attendee_id, "since": since},
    ).fetchone()
    return row is not None
