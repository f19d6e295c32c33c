"""SQL for presence at the gates and check-in nonces."""

from __future__ import annotations

import sqlite3


def presence(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row | None:
    """Where a person is: inside or out, since when, through which gate."""
    return conn.execute("SELECT * FROM presence WHERE attendee_id = ?", (attendee_id,)).fetchone()


def record_passage(
    conn: sqlite3.Connection, attendee_id: int, direction: str, gate: str, at: str
) -> None:
    """Move a person in or out."""
    conn.execute(
        "INSERT INTO presence (attendee_id, state, gate, at, first_in_at, first_in_gate, entries)"
        " VALUES (?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT(attendee_id) DO UPDATE SET state = excluded.state, gate = excluded.gate,"
        " at = excluded.at,"
        " entries = presence.entries + (CASE WHEN excluded.state = 'in' THEN 1 ELSE 0 END)",
        (attendee_id, direction, gate, at, at, gate),
    )


def nonce_answer(conn: sqlite3.Connection, device_id: int, nonce: str) -> sqlite3.Row | None:
    """The answer already given for this device's nonce."""
    return conn.execute(
        "SELECT status, response FROM nonces WHERE device_id = ? AND nonce = ?", (device_id, nonce)
    ).fetchone()


def remember_nonce(
    conn: sqlite3.Connection, device_id: int, nonce: str, status: int, response: str, at: str
) -> None:
    """Keep the answer so that a retry with the same nonce gets it again."""
    conn.execute(
        "INSERT INTO nonces (device_id, nonce, status, response, at) VALUES (?, ?, ?, ?, ?)",
        (device_id, nonce, status, response, at),
    )
