"""SQL for exit-survey answers."""

from __future__ import annotations

import sqlite3


def answered_on(conn: sqlite3.Connection, attendee_id: int, day: str) -> sqlite3.Row | None:
    """This person's survey answer of the day."""
    return conn.execute(
        "SELECT * FROM survey_responses WHERE attendee_id = :attendee_id AND day = :day",
        {"attendee_id": attendee_id, "day": day},
    ).fetchone()


def insert(conn: sqlite3.Connection, **row) -> int:
    """Store one survey answer; return its id."""
    columns = list(row)
    return conn.execute(
        f"INSERT INTO survey_responses ({', '.join(columns)})"
        f" VALUES ({', '.join(':' + c for c in columns)}) RETURNING id",
        row,
    ).fetchone()[0]


def blank_comments(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Drop a person's free-text comments, keeping their scores (erasure)."""
    conn.execute(
        "UPDATE survey_responses SET comment = '' WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
