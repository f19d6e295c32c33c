"""SQL for devices: kiosks, exhibitor devices, staff devices and their tokens."""

from __future__ import annotations

import sqlite3

from kiosk.storage import marks, utcnow


def insert_device(
    conn: sqlite3.Connection,
    *,
    name: str,
    role: str,
    token_hash: str,
    exhibitor_id: int | None,
    gate: str | None,
    printer: str = "",
    direction: str = "in",
    printing: str = "auto",
) -> int:
    """Insert a device row; return its id."""
    return conn.execute(
        "INSERT INTO devices (name, role, token_hash, exhibitor_id, gate, printer, direction,"
        " printing, created_at) VALUES (:name, :role, :token_hash, :exhibitor_id, :gate,"
        " :printer, :direction, :printing, :created_at) RETURNING id",
        {
            "name": name,
            "role": role,
            "token_hash": token_hash,
            "exhibitor_id": exhibitor_id,
            "gate": gate,
            "printer": printer,
            "direction": direction,
            "printing": printing,
            "created_at": utcnow(),
        },
    ).fetchone()[0]


def device_by_token_hash(conn: sqlite3.Connection, token_hash: str) -> sqlite3.Row | None:
    """The live (not revoked) device holding this token hash."""
    return conn.execute(
        "SELECT * FROM devices WHERE token_hash = :token_hash AND revoked_at IS NULL",
        {"token_hash": token_hash},
    ).fetchone()


def touch_device(conn: sqlite3.Connection, device_id: int, at: str) -> None:
    """Record when a device was last heard from."""
    conn.execute(
        "UPDATE devices SET last_seen_at = :at WHERE id = :id", {"at": at, "id": device_id}
    )


def list_devices(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """All devices, newest first."""
    return conn.execute("SELECT * FROM devices ORDER BY id DESC").fetchall()


def device(conn: sqlite3.Connection, device_id: int) -> sqlite3.Row | None:
    """One device by id, revoked or not."""
    return conn.execute("SELECT * FROM devices WHERE id = :id", {"id": device_id}).fetchone()


def rename_device(conn: sqlite3.Connection, device_id: int, name: str) -> None:
    """Give a device a new name."""
    conn.execute("UPDATE devices SET name = :name WHERE id = :id", {"name": name, "id": device_id})


def set_mode(conn: sqlite3.Connection, device_id: int, direction: str, printing: str) -> None:
    """Set a kiosk's direction (in, out, both) and printing (auto, browser, none)."""
    conn.execute(
        "UPDATE devices SET direction = :direction, printing = :printing WHERE id = :id",
        {"direction": direction, "printing": printing, "id": device_id},
    )


def revoke_device(conn: sqlite3.Connection, device_id: int) -> None:
    """Revoke a device: its token stops working."""
    conn.execute(
        "UPDATE devices SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL",
        {"at": utcnow(), "id": device_id},
    )


def revoked_among(conn: sqlite3.Connection, device_ids: list[int]) -> set[int]:
    """Those of the given devices that are revoked (or gone)."""
    if not device_ids:
        return set()
    ids, params = marks("d", device_ids)
    live = {
        row[0]
        for row in conn.execute(
            f"SELECT id FROM devices WHERE id IN ({ids}) AND revoked_at IS NULL", params
        )
    }
    return set(device_ids) - live


def named(conn: sqlite3.Connection, name: str) -> list[sqlite3.Row]:
    """The devices of that name, newest first."""
    return conn.execute(
        "SELECT * FROM devices WHERE name = :name ORDER BY id DESC", {"name": name}
    ).fetchall()


def printers(conn: sqlite3.Connection) -> list[str]:
    """The CUPS queues named by live devices."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT printer FROM devices WHERE printer != '' AND revoked_at IS NULL"
        )
    ]
