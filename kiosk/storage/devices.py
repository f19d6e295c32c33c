"""SQL for devices and exhibitors."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps, utcnow


def insert_device(
    conn: sqlite3.Connection,
    *,
    name: str,
    role: str,
    token_hash: str,
    exhibitor_id: int | None,
    gate: str | None,
    printer: str = "",
) -> int:
    """Insert a device row; return its id."""
    return conn.execute(
        "INSERT INTO devices (name, role, token_hash, exhibitor_id, gate, printer, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (name, role, token_hash, exhibitor_id, gate, printer, utcnow()),
    ).lastrowid


def device_by_token_hash(conn: sqlite3.Connection, token_hash: str) -> sqlite3.Row | None:
    """The live (not revoked) device holding this token hash."""
    return conn.execute(
        "SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,)
    ).fetchone()


def touch_device(conn: sqlite3.Connection, device_id: int, at: str) -> None:
    """Record when a device was last heard from."""
    conn.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", (at, device_id))


def list_devices(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """All devices, newest first."""
    return conn.execute("SELECT * FROM devices ORDER BY id DESC").fetchall()


def insert_exhibitor(
    conn: sqlite3.Connection, *, name: str, booth: str, questions: list | None = None
) -> int:
    """Insert an exhibitor; return its id."""
    return conn.execute(
        "INSERT INTO exhibitors (name, booth, questions, created_at) VALUES (?, ?, ?, ?)",
        (name, booth, dumps(questions or []), utcnow()),
    ).lastrowid


def exhibitor(conn: sqlite3.Connection, exhibitor_id: int) -> sqlite3.Row | None:
    """One exhibitor by id."""
    return conn.execute("SELECT * FROM exhibitors WHERE id = ?", (exhibitor_id,)).fetchone()


def device(conn: sqlite3.Connection, device_id: int) -> sqlite3.Row | None:
    """One device by id, revoked or not."""
    return conn.execute("SELECT * FROM devices WHERE id = ?", (device_id,)).fetchone()
