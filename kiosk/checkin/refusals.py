"""Scans of unknown or forged codes: counted in memory, written as one audit row per minute.

Such a code is refused before the database is touched, so a burst of them (a broken scanner,
someone trying codes) must cost no write, let alone an fsync, per scan. Each refusal adds one to
a bounded tally per device, place and reason; the tally is written as one `scan.refused` audit
row per device, place and reason, with its count and the first and last time, by the next scan's
write transaction once the oldest count is a minute old, or by a timer a minute after the first
count when no scan comes. A stopping server writes what it still holds.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.storage import Store
from kiosk.storage.interactions import audit

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 60.0
# Devices and places are bounded by the show's set-up; this only guards against the unforeseen.
MAX_KEYS = 4096

# device id (None: any other), place kind, place id ("*": any other), reason
Key = tuple[int | None, str, str, str]


@dataclass
class _Count:
    count: int
    first_at: str
    last_at: str


class Tally:
    """The refusals of one show not yet written, and when they are due."""

    def __init__(self, store: Store, clock=time.monotonic):
        self.store = store
        self.path = store.path
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[Key, _Count] = {}
        self._due: float | None = None
        self._timer: threading.Timer | None = None

    def add(self, key: Key, at: str) -> None:
        """Count one refusal."""
        with self._lock:
            seen = self._counts.get(key)
            if seen is None and len(self._counts) >= MAX_KEYS:
                key = (None, key[1], "*", key[3])
                seen = self._counts.get(key)
            if seen is not None:
                seen.count += 1
                seen.last_at = at
                return
            self._counts[key] = _Count(1, at, at)
            if self._due is None:
                self._due = self.clock() + FLUSH_EVERY_S
            if self._timer is None:
                self._timer = threading.Timer(FLUSH_EVERY_S, self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def due(self) -> bool:
        """Whether the oldest count waits long enough to be written."""
        due = self._due
        return due is not None and self.clock() >= due

    def write(self, conn: sqlite3.Connection) -> int:
        """Write every count as one audit row inside the caller's transaction; return the rows."""
        with self._lock:
            counts, self._counts, self._due = self._counts, {}, None
        for (device_id, kind, place, reason), seen in counts.items():
            audit(
                conn,
                f"device:{'*' if device_id is None else device_id}",
                "scan.refused",
                f"{kind}:{place}",
                after={
                    "reason": reason,
                    kind: place,
                    "device_id": device_id,
                    "count": seen.count,
                    "first_at": seen.first_at,
                    "last_at": seen.last_at,
                },
            )
        return len(counts)

    def flush(self) -> int:
        """Write every count now, in a transaction of its own; return the rows written."""
        if not self._counts:
            return 0
        # Every Store of a SQLite file writes through that file's one writer (a new Store
        # gets the new writer of a file replaced since); PostgreSQL's store is shared as is.
        store = Store(self.path) if self.store.dialect == "sqlite" else self.store
        with store.write() as conn:
            return self.write(conn)

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.flush()
        except Exception:
            # Counts of a show whose database went away are lost; the server goes on.
            log.exception("refused scans not written")


# One tally per database file: every Store of a show (the app's, the CLI's) counts into it.
_tallies: dict[Path, Tally] = {}
_tallies_guard = threading.Lock()


def count(store: Store, device_id: int, kind: str, place: str, reason: str, at: str) -> None:
    """Count a refused scan of an unknown code; nothing is written now."""
    tally = _tallies.get(store.path)
    if tally is None:
        with _tallies_guard:
            tally = _tallies.setdefault(store.path, Tally(store))
    tally.add((device_id, kind, place, reason), at)


def write_due(store: Store, conn: sqlite3.Connection) -> None:
    """Inside a write transaction: add the counts that waited a minute (cheap when none did)."""
    tally = _tallies.get(store.path)
    if tally is not None and tally.due():
        tally.write(conn)


def tally_of(store: Store) -> Tally | None:
    """The show's tally, if anything was ever counted."""
    return _tallies.get(store.path)


def flush(store: Store) -> int:
    """Write the show's counts now (tests, a stopping server); return the rows written."""
    tally = _tallies.get(store.path)
    return tally.flush() if tally is not None else 0


@atexit.register
def _flush_all() -> None:
    for tally in list(_tallies.values()):
        # The process is ending: a database gone meanwhile leaves nothing to tell.
        with contextlib.suppress(Exception):
            tally.flush()
