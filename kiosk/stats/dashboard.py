"""Everything the live dashboard shows, computed in one pass over the database."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime, timedelta

from kiosk.config import Settings
from kiosk.stats import counts as stats
from kiosk.stats import telemetry
from kiosk.storage import from_iso, interactions, reports, to_iso

BUCKET_MIN = 15
MIN_BUCKETS = 16
MAX_BUCKETS = 48
BOOTHS = 8


def arrivals(conn: sqlite3.Connection, settings: Settings, now: datetime | None = None) -> list:
    """Check-ins per 15 minutes today (show time): [{"t": "09:15", "n": 12}, ...]."""
    now = (now or settings.now()).astimezone(settings.timezone)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts: Counter = Counter()
    for at in reports.entry_times_since(conn, to_iso(midnight)):
        local = from_iso(at).astimezone(settings.timezone)
        counts[(local.hour * 60 + local.minute) // BUCKET_MIN] += 1
    last = (now.hour * 60 + now.minute) // BUCKET_MIN
    first = max(min([*counts, last - MIN_BUCKETS + 1, last]), last - MAX_BUCKETS + 1, 0)
    out = []
    for bucket in range(first, last + 1):
        start = midnight + timedelta(minutes=bucket * BUCKET_MIN)
        out.append({"t": f"{start:%H:%M}", "n": counts.get(bucket, 0)})
    return out


def sessions(conn: sqlite3.Connection, settings: Settings) -> list[dict]:
    """Each configured session with its attendance against capacity."""
    counts = interactions.session_attendance(conn)
    return [
        {
            "id": s.id,
            "name": s.name,
            "room": s.room,
            "starts": s.starts.isoformat(timespec="minutes") if s.starts else None,
            "ends": s.ends.isoformat(timespec="minutes") if s.ends else None,
            "capacity": s.capacity,
            "attended": counts.get(s.id, 0),
        }
        for s in settings.sessions.values()
    ]


def survey(conn: sqlite3.Connection) -> dict:
    """Exit-survey results: answers, mean satisfaction, NPS, return intention, purposes."""
    rows = reports.survey_answers(conn)
    n = len(rows)
    result = {
        "answers": n,
        "satisfaction_mean": None,
        "satisfaction": {str(k): 0 for k in range(1, 6)},
        "nps": None,
        "return_yes": None,
        "purposes": {},
    }
    if not n:
        return result
    promoters = sum(r["recommend"] >= 9 for r in rows)
    detractors = sum(r["recommend"] <= 6 for r in rows)
    answered_return = [r["return_intent"] for r in rows if r["return_intent"] is not None]
    purposes: Counter = Counter()
    for r in rows:
        result["satisfaction"][str(r["satisfaction"])] += 1
        purposes.update(json.loads(r["purpose"] or "[]"))
    result.update(
        satisfaction_mean=round(sum(r["satisfaction"] for r in rows) / n, 2),
        nps=round(100 * (promoters - detractors) / n),
        return_yes=round(100 * sum(answered_return) / len(answered_return))
        if answered_return
        else None,
        purposes=dict(purposes.most_common()),
    )
    return result


def snapshot(
    conn: sqlite3.Connection,
    settings: Settings,
    alerts: list[dict],
    answer_times: telemetry.AnswerTimes | None = None,
) -> dict:
    """The whole dashboard as one JSON-ready dict."""
    counts = stats.compute(conn, settings)
    return {
        "stats": counts,
        "arrivals": arrivals(conn, settings),
        "booths": counts["leads_by_exhibitor"][:BOOTHS],
        "latest": [dict(r) for r in reports.latest_passages(conn)],
        "sessions": sessions(conn, settings),
        "survey": survey(conn),
        "alerts": alerts,
        "telemetry": telemetry.gates(conn, settings, answer_times),
    }
