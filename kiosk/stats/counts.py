"""Live counts for the staff dashboard and GET /api/v1/stats."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from kiosk.config import Settings
from kiosk.storage import reports


def compute(conn: sqlite3.Connection, settings: Settings) -> dict:
    """Registered, checked in, inside now, per gate, per category, per hour, leads."""
    raw = reports.live_counts(conn)
    by_gate = {gid: {"in": 0, "out": 0, "inside": 0} for gid in settings.gates}
    for row in raw["gates"]:
        gate = by_gate.setdefault(row["gate"], {"in": 0, "out": 0, "inside": 0})
        gate["in"], gate["out"] = row["entries"], row["exits"]
    for gid, n in raw["inside_by_gate"].items():
        by_gate.setdefault(gid, {"in": 0, "out": 0, "inside": 0})["inside"] = n

    by_category = {cid: {"registered": 0, "checked_in": 0} for cid in settings.categories}
    for row in raw["categories"]:
        by_category[row["category"]] = {
            "registered": row["registered"],
            "checked_in": row["checked_in"],
        }

    by_hour: dict[str, int] = {}
    for row in raw["entries_by_hour"]:
        local = datetime.fromisoformat(row["hour"] + ":00:00+00:00").astimezone(settings.timezone)
        key = local.strftime("%Y-%m-%dT%H:00")
        by_hour[key] = by_hour.get(key, 0) + row["n"]

    return {
        "registered": raw["registered"],
        "checked_in": raw["checked_in"],
        "inside_now": raw["inside_now"],
        "by_gate": by_gate,
        "by_category": by_category,
        "by_hour": by_hour,
        "leads": raw["leads"],
        "leads_by_exhibitor": reports.busiest(raw["leads_per_exhibitor"]),
        "at": datetime.now(settings.timezone).isoformat(timespec="seconds"),
    }
