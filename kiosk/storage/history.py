"""SQL for earlier editions' attendance imported from the CRM."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps


def editions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The editions on record in the history, oldest first."""
    return conn.execute(
        "SELECT edition, max(year) AS year FROM history GROUP BY edition"
        " ORDER BY coalesce(max(year), 0), edition"
    ).fetchall()


def attendance_by_category(conn: sqlite3.Connection, edition: str) -> dict[str, int]:
    """People on record as having attended one edition, per category ('' when not given)."""
    return {
        row["category"]: row["n"]
        for row in conn.execute(
            "SELECT category, count(*) AS n FROM history WHERE edition = :edition"
            " AND attended = 1 GROUP BY category",
            {"edition": edition},
        )
    }


def upsert(conn: sqlite3.Connection, row: dict) -> str:
    """Insert or refresh one earlier-edition row; return created, updated or unchanged."""
    existing = conn.execute(
        "SELECT * FROM history WHERE external_id = :external_id AND email_key = :email_key"
        " AND edition = :edition",
        {k: row[k] for k in ("external_id", "email_key", "edition")},
    ).fetchone()
    values = (row["attendee_id"], row["year"], int(row["attended"]), row["category"])
    data = dumps(row["data"])
    if existing is None:
        conn.execute(
            "INSERT INTO history (attendee_id, external_id, email_key, edition, year, attended,"
            " category, data) VALUES (:attendee_id, :external_id, :email_key, :edition, :year,"
            " :attended, :category, :data)",
            {
                "attendee_id": row["attendee_id"],
                "external_id": row["external_id"],
                "email_key": row["email_key"],
                "edition": row["edition"],
                "year": row["year"],
                "attended": int(row["attended"]),
                "category": row["category"],
                "data": data,
            },
        )
        return "created"
    old = (existing["attendee_id"], existing["year"], existing["attended"], existing["category"])
    if old == values and existing["data"] == data:
        return "unchanged"
    conn.execute(
        "UPDATE history SET attendee_id = :attendee_id, year = :year, attended = :attended,"
        " category = :category, data = :data WHERE id = :id",
        dict(zip(("attendee_id", "year", "attended", "category"), values, strict=True))
        | {"data": data, "id": existing["id"]},
    )
    return "updated"


def anonymise(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Unlink a person's history rows from their ids and extra columns, keeping the editions."""
    conn.execute(
        "UPDATE history SET external_id = '', email_key = 'erased:' || id, data = '{}'"
        " WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )


def unmatched(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """History rows of people not in this show, grouped by person (external id, then email)."""
    return conn.execute(
        "SELECT * FROM history WHERE attendee_id IS NULL"
        " ORDER BY external_id, email_key, coalesce(year, 0), edition"
    ).fetchall()
