"""SQL for device_quotas: how much of a rate-limited thing each device used in its current window.

One row per device and kind (a kiosk's searches, its wrong identity answers), kept in the
database so that every server process counts against the same window.
"""

from __future__ import annotations

import sqlite3


def take(
    conn: sqlite3.Connection, device_id: int, kind: str, now: str, expired_before: str
) -> tuple[int, str]:
    """Count one use; a window begun before `expired_before` starts afresh. (used, window start)."""
    row = conn.execute(
        "INSERT INTO device_quotas (device_id, kind, window_start, used)"
        " VALUES (:device_id, :kind, :now, 1)"
        " ON CONFLICT (device_id, kind) DO UPDATE SET"
        " used = CASE WHEN device_quotas.window_start < :expired_before THEN 1"
        " ELSE device_quotas.used + 1 END,"
        " window_start = CASE WHEN device_quotas.window_start < :expired_before"
        " THEN excluded.window_start ELSE device_quotas.window_start END"
        " RETURNING used, window_start",
        {"device_id": device_id, "kind": kind, "now": now, "expired_before": expired_before},
    ).fetchone()
    return row["used"], row["window_start"]


def used(
    conn: sqlite3.Connection, device_id: int, kind: str, expired_before: str
) -> tuple[int, str]:
    """How much the device used in its current window, and when that window began."""
    row = conn.execute(
        "SELECT used, window_start FROM device_quotas"
        " WHERE device_id = :device_id AND kind = :kind AND window_start >= :expired_before",
        {"device_id": device_id, "kind": kind, "expired_before": expired_before},
    ).fetchone()
    return (row["used"], row["window_start"]) if row is not None else (0, "")
