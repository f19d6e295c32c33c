"""SQL for staff accounts."""

from __future__ import annotations

import sqlite3

from kiosk.storage import utcnow


def insert_user(conn: sqlite3.Connection, name: str, password_hash: str, device_id: int) -> int:
    """Insert a staff account; return its id."""
    return conn.execute(
        "INSERT INTO staff_users (name, password_hash, device_id, created_at)"
        " VALUES (:name, :password_hash, :device_id, :at) RETURNING id",
        {"name": name, "password_hash": password_hash, "device_id": device_id, "at": utcnow()},
    ).fetchone()[0]


def user_by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """A staff account by name (case-insensitive)."""
    # lower() folds ASCII only in SQLite, as the column's COLLATE NOCASE does.
    return conn.execute(
        "SELECT * FROM staff_users WHERE lower(name) = lower(:name)", {"name": name}
    ).fetchone()


def user(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    """A staff account by id."""
    return conn.execute("SELECT * FROM staff_users WHERE id = :id", {"id": user_id}).fetchone()


def set_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """Replace a password hash and clear any lock-out."""
    conn.execute(
        "UPDATE staff_users SET password_hash = :password_hash, failed_count = 0,"
        " locked_until = NULL WHERE id = :id",
        {"password_hash": password_hash, "id": user_id},
    )


def failed_count(conn: sqlite3.Connection, user_id: int) -> int:
    """Failed sign-ins of an account since its last good one."""
    return conn.execute(
        "SELECT failed_count FROM staff_users WHERE id = :id", {"id": user_id}
    ).fetchone()[0]


def record_failure(conn: sqlite3.Connection, user_id: int, locked_until: str | None) -> None:
    """Count a failed sign-in; lock the account until the given time when set."""
    conn.execute(
        "UPDATE staff_users SET failed_count = failed_count + 1,"
        " locked_until = coalesce(:locked_until, locked_until) WHERE id = :id",
        {"locked_until": locked_until, "id": user_id},
    )


def record_success(conn: sqlite3.Connection, user_id: int) -> None:
    """Reset the failure count after a good sign-in."""
    conn.execute(
        "UPDATE staff_users SET failed_count = 0, locked_until = NULL, last_sign_in_at = :at"
        " WHERE id = :id",
        {"at": utcnow(), "id": user_id},
    )


def open_sign_in(
    conn: sqlite3.Connection, key: str, user_id: int, at: str, forget_before: str
) -> None:
    """Keep a new sign-in; forget those begun before `forget_before` (their sessions are over)."""
    conn.execute("DELETE FROM staff_sign_ins WHERE started_at < :before", {"before": forget_before})
    conn.execute(
        "INSERT INTO staff_sign_ins (key, staff_id, started_at) VALUES (:key, :staff_id, :at)",
        {"key": key, "staff_id": user_id, "at": at},
    )


def sign_in_open(conn: sqlite3.Connection, key: str, user_id: int) -> bool:
    """Whether this sign-in of this account has not signed out."""
    row = conn.execute(
        "SELECT 1 FROM staff_sign_ins WHERE key = :key AND staff_id = :staff_id",
        {"key": key, "staff_id": user_id},
    ).fetchone()
    return row is not None


def close_sign_in(conn: sqlite3.Connection, key: str) -> None:
    """Forget a sign-in: its session cookie opens nothing any more."""
    conn.execute("DELETE FROM staff_sign_ins WHERE key = :key", {"key": key})


def console_device_ids(conn: sqlite3.Connection) -> set[int]:
    """Device rows that stand for staff accounts (not shown as devices)."""
    return {row[0] for row in conn.execute("SELECT device_id FROM staff_users")}
