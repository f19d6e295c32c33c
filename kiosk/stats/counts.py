"""Live counts for the staff dashboard and GET /api/v1/stats."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from kiosk.config import Settings


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def compute(conn: sqlite3.Connection, settings: Settings) -> dict:
    """Registered, checked in, inside now, per gate, per category, per hour, leads."""
    registered = conn.execute("SELECT count(*) FROM attendees WHERE status = 'active'").fetchone()[
        0
    ]
    checked_in = conn.execute("SELECT count(*) FROM presence").fetchone()[0]
    inside = conn.execute("SELECT count(*) FROM presence WHERE state = 'in'").fetchone()[0]

    by_gate = {gid: {"in": 0, "out": 0, "inside": 0} for gid in settings.gates}
    for row in conn.execute(
        "SELECT place, type, count(*) AS n FROM interactions"
        " WHERE type IN ('checked_in', 'checked_out') AND id NOT IN"
        " (SELECT json_extract(data, '$.interaction_id') FROM interactions"
        "  WHERE type = 'checkin_voided' AND json_extract(data, '$.interaction_id') IS NOT NULL)"
        " GROUP BY place, type"
    ):
        gate = by_gate.setdefault(row["place"], {"in": 0, "out": 0, "inside": 0})
        gate["in" if row["type"] == "checked_in" else "out"] = row["n"]
    for row in conn.execute(
        "SELECT gate, count(*) AS n FROM presence WHERE state = 'in' GROUP BY gate"
    ):
        by_gate.setdefault(row["gate"], {"in": 0, "out": 0, "inside": 0})["inside"] = row["n"]

    by_category = {cid: {"registered": 0, "checked_in": 0} for cid in settings.categories}
    for row in conn.execute(
        "SELECT a.category, count(*) AS n, count(p.attendee_id) AS c FROM attendees a"
        " LEFT JOIN presence p ON p.attendee_id = a.id WHERE a.status = 'active'"
        " GROUP BY a.category"
    ):
        by_category.setdefault(row["category"], {})
        by_category[row["category"]] = {"registered": row["n"], "checked_in": row["c"]}

    by_hour: dict[str, int] = {}
    for row in conn.execute(
        "SELECT substr(at, 1, 13) AS hour, count(*) AS n FROM interactions"
        " WHERE type = 'checked_in' GROUP BY hour ORDER BY hour"
    ):
        local = datetime.fromisoformat(row["hour"] + ":00:00+00:00").astimezone(settings.timezone)
        key = local.strftime("%Y-%m-%dT%H:00")
        by_hour[key] = by_hour.get(key, 0) + row["n"]

    leads = 0
    leads_by_exhibitor: list[dict] = []
    if _has_table(conn, "leads"):
        leads = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
        leads_by_exhibitor = [
            dict(row)
            for row in conn.execute(
                "SELECT e.id, e.name, e.booth, count(*) AS leads, sum(l.rating = 'hot') AS hot"
                " FROM leads l JOIN exhibitors e ON e.id = l.exhibitor_id"
                " GROUP BY e.id ORDER BY leads DESC, e.id"
            )
        ]
    return {
        "registered": registered,
        "checked_in": checked_in,
        "inside_now": inside,
        "by_gate": by_gate,
        "by_category": by_category,
        "by_hour": by_hour,
        "leads": leads,
        "leads_by_exhibitor": leads_by_exhibitor,
        "at": datetime.now(settings.timezone).isoformat(timespec="seconds"),
    }
