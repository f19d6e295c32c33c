"""SQL of the exhibitors table."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps, utcnow


def insert_exhibitor(
    conn: sqlite3.Connection, *, name: str, booth: str, questions: list | None = None
) -> int:
    """Insert an exhibitor; return its id."""
    return conn.execute(
        "INSERT INTO exhibitors (name, booth, questions, created_at)"
        " VALUES (:name, :booth, :questions, :at) RETURNING id",
        {"name": name, "booth": booth, "questions": dumps(questions or []), "at": utcnow()},
    ).fetchone()[0]


def exhibitor(conn: sqlite3.Connection, exhibitor_id: int) -> sqlite3.Row | None:
    """One exhibitor by id."""
    return conn.execute("SELECT * FROM exhibitors WHERE id = :id", {"id": exhibitor_id}).fetchone()


def list_exhibitors(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every exhibitor, by name."""
    return conn.execute("SELECT * FROM exhibitors ORDER BY name, id").fetchall()


def by_id(conn: sqlite3.Connection) -> dict[int, sqlite3.Row]:
    """Every exhibitor by id (a show has hundreds, not millions)."""
    return {row["id"]: row for row in conn.execute("SELECT * FROM exhibitors ORDER BY id")}


def update_exhibitor(conn: sqlite3.Connection, exhibitor_id: int, **changes) -> None:
    """Write an exhibitor's name or booth."""
    columns = [c for c in ("name", "booth") if c in changes]
    conn.execute(
        f"UPDATE exhibitors SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id",
        {c: changes[c] for c in columns} | {"id": exhibitor_id},
    )


def set_questions(conn: sqlite3.Connection, exhibitor_id: int, questions: list) -> None:
    """Replace an exhibitor's qualifying questions."""
    conn.execute(
        "UPDATE exhibitors SET questions = :questions WHERE id = :id",
        {"questions": dumps(questions), "id": exhibitor_id},
    )
