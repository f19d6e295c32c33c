"""A show day closes at `[event] day_closes`: whoever is still inside is checked out then.

As pretix's automatic check-out: a visitor who never scanned out is not turned away the next
morning as "already checked in". Each one gets a `day_closed` interaction (not a passage: the
exits per gate count only real exits) and their presence turns to out as of the closing time,
so "inside now" falls to zero overnight. It runs from the live pusher as each day closes, and
again inside any check-in that finds a person inside since before the last closing (a server
that was stopped at closing time), so the answer never depends on whether the timer ran.

With several server nodes every node's pusher closes the day (so it closes while any node is
up), and the database decides who does it: each person is checked out under their row's lock
and only while still inside since before the close, so one `day_closed` is recorded per person
and closing, however many nodes try at once, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta

from kiosk import events
from kiosk.config import Settings
from kiosk.storage import Store, to_iso, utcnow
from kiosk.storage import checkins as sql
from kiosk.storage.interactions import append


def last_closing(settings: Settings, now: datetime) -> datetime:
    """The latest day close at or before `now`, in the show's time zone."""
    local = now.astimezone(settings.timezone)
    closing = datetime.combine(local.date(), settings.day_closes, tzinfo=settings.timezone)
    return closing if closing <= local else closing - timedelta(days=1)


def close_stale(conn: sqlite3.Connection, settings: Settings, now: datetime) -> int:
    """Check out, inside the caller's transaction, whoever is inside since before the last close.

    Every server node's pusher runs this at the day's close, and a check-in may close one person
    at the same moment: each person's row is held first (as a check-in holds it) and their
    presence read again, so that whoever comes second finds them out and records nothing.
    """
    at = to_iso(last_closing(settings, now))
    closed = 0
    for row in sql.inside_since_before(conn, at):
        sql.lock_person(conn, row["attendee_id"])
        if _close(conn, settings, sql.presence(conn, row["attendee_id"]), at):
            closed += 1
    return closed


def close_one(conn: sqlite3.Connection, settings: Settings, attendee_id: int, now: datetime):
    """Check out one person inside since before the last close; return their presence now.

    The caller holds the person's row (a check-in does)."""
    presence = sql.presence(conn, attendee_id)
    if _close(conn, settings, presence, to_iso(last_closing(settings, now))):
        return sql.presence(conn, attendee_id)
    return presence


def _close(conn, settings: Settings, presence, at: str) -> bool:
    """Check out a person inside since before the close at `at`, with its `day_closed` row."""
    if presence is None or presence["state"] != "in" or presence["at"] >= at:
        return False
    if not sql.close_presence(conn, presence["attendee_id"], at):
        return False
    append(
        conn,
        "day_closed",
        attendee_id=presence["attendee_id"],
        place=presence["gate"],
        at=at,
        data={"checked_in_at": presence["at"], "day_closes": f"{settings.day_closes:%H:%M}"},
    )
    return True


def close_day(store: Store, settings: Settings, now: datetime | None = None) -> int:
    """Close the last show day for everyone still inside; return how many were checked out."""
    now = now or settings.now()
    with store.write() as conn:
        closed = close_stale(conn, settings, now)
    if closed:
        day = last_closing(settings, now).date().isoformat()
        events.publish(store, events.DayClosed(day=day, closed=closed, at=utcnow()))
    return closed


class DayCloser:
    """Runs close_day() once per closing time (and once at start), from a background loop."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        self._done: datetime | None = None

    def run_if_due(self, now: datetime | None = None) -> int:
        """Close the day if a closing time passed since the last run; return those checked out."""
        now = now or self.settings.now()
        closing = last_closing(self.settings, now)
        with self._lock:
            if self._done == closing:
                return 0
        closed = close_day(self.store, self.settings, now)
        with self._lock:
            self._done = closing
        return closed
