"""SQL behind the staff console: dashboard figures, people desk changes, sessions, survey."""

from __future__ import annotations

import sqlite3

from kiosk.storage import utcnow


def checkin_times_since(conn: sqlite3.Connection, since_iso: str) -> list[str]:
    """Times of check-ins (entries) since a moment."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT at FROM interactions WHERE type = 'checked_in' AND at >= ? ORDER BY at",
            (since_iso,),
        )
    ]


def busiest_booths(conn: sqlite3.Connection, limit: int = 8) -> list[sqlite3.Row]:
    """Exhibitors with the most leads."""
    return conn.execute(
        "SELECT e.id, e.name, e.booth, count(l.id) AS leads,"
        " sum(l.rating = 'hot') AS hot, sum(l.scans) AS scans"
        " FROM exhibitors e JOIN leads l ON l.exhibitor_id = e.id"
        " GROUP BY e.id ORDER BY leads DESC, e.name LIMIT ?",
        (limit,),
    ).fetchall()


def latest_passages(conn: sqlite3.Connection, limit: int = 15) -> list[sqlite3.Row]:
    """The latest check-ins and check-outs with the person's name."""
    return conn.execute(
        "SELECT i.id, i.at, i.type, i.place, i.direction, i.device_id, a.id AS attendee_id,"
        " a.full_name, a.company, a.category FROM interactions i"
        " JOIN attendees a ON a.id = i.attendee_id"
        " WHERE i.type IN ('checked_in', 'checked_out') ORDER BY i.id DESC LIMIT ?",
        (limit,),
    ).fetchall()


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


def survey_rows(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every exit-survey answer."""
    return conn.execute(
        "SELECT satisfaction, recommend, return_intent, purpose FROM survey_responses"
    ).fetchall()


def survey_today(conn: sqlite3.Connection, attendee_id: int, day: str) -> sqlite3.Row | None:
    """This person's survey answer of the day."""
    return conn.execute(
        "SELECT * FROM survey_responses WHERE attendee_id = ? AND day = ?", (attendee_id, day)
    ).fetchone()


def insert_survey(conn: sqlite3.Connection, **row) -> int:
    """Store one survey answer; return its id."""
    columns = list(row)
    return conn.execute(
        f"INSERT INTO survey_responses ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    ).lastrowid


def interaction(conn: sqlite3.Connection, interaction_id: int) -> sqlite3.Row | None:
    """One interaction by id."""
    return conn.execute("SELECT * FROM interactions WHERE id = ?", (interaction_id,)).fetchone()


def voided_ids(conn: sqlite3.Connection, attendee_ids: list[int]) -> set[int]:
    """Interactions that a later `checkin_voided` row cancelled."""
    marks = ",".join("?" * len(attendee_ids))
    return {
        row[0]
        for row in conn.execute(
            "SELECT json_extract(data, '$.interaction_id') FROM interactions"
            f" WHERE type = 'checkin_voided' AND attendee_id IN ({marks})",
            attendee_ids,
        )
    }


def timeline(conn: sqlite3.Connection, attendee_ids: list[int]) -> list[sqlite3.Row]:
    """The interactions of several records (a person and those merged into them), oldest first."""
    marks = ",".join("?" * len(attendee_ids))
    return conn.execute(
        f"SELECT * FROM interactions WHERE attendee_id IN ({marks}) ORDER BY at, id",
        attendee_ids,
    ).fetchall()


def merged_into(conn: sqlite3.Connection, survivor_id: int) -> list[sqlite3.Row]:
    """Records merged into this one."""
    return conn.execute(
        "SELECT * FROM attendees WHERE merged_into = ? AND status = 'merged' ORDER BY id",
        (survivor_id,),
    ).fetchall()


def set_status(
    conn: sqlite3.Connection, attendee_id: int, status: str, merged_into_id: int | None
) -> None:
    """Mark a record active or merged away."""
    conn.execute(
        "UPDATE attendees SET status = ?, merged_into = ?, updated_at = ? WHERE id = ?",
        (status, merged_into_id, utcnow(), attendee_id),
    )


def passages(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """A person's check-ins and check-outs, oldest first."""
    return conn.execute(
        "SELECT * FROM interactions WHERE attendee_id = ? AND type IN ('checked_in', 'checked_out')"
        " ORDER BY at, id",
        (attendee_id,),
    ).fetchall()


def presence(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row | None:
    """The person's presence row."""
    return conn.execute("SELECT * FROM presence WHERE attendee_id = ?", (attendee_id,)).fetchone()


def replace_presence(conn: sqlite3.Connection, attendee_id: int, row: dict | None) -> None:
    """Set (or clear) the presence derived from the remaining passages."""
    conn.execute("DELETE FROM presence WHERE attendee_id = ?", (attendee_id,))
    if row is not None:
        conn.execute(
            "INSERT INTO presence (attendee_id, state, gate, at, first_in_at, first_in_gate,"
            " entries) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                attendee_id,
                row["state"],
                row["gate"],
                row["at"],
                row["first_in_at"],
                row["first_in_gate"],
                row["entries"],
            ),
        )
