"""Which kiosks, exhibitor devices and printers are answering: heartbeats kept in memory."""

from __future__ import annotations

import threading
import time

from kiosk.storage import Store, from_iso, utcnow
from kiosk.storage import devices as device_sql
from kiosk.storage import staff as staff_sql

OFFLINE_AFTER_S = 10.0
BEAT_EVERY_S = 3


class Heartbeats:
    """Last heartbeat per device (and its printer's state), as of this server process."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._seen: dict[int, tuple[float, str]] = {}
        self._printers: dict[int, dict] = {}

    def beat(self, device_id: int, printer: dict | None = None) -> None:
        """A device said it is alive, optionally with its printer's state."""
        with self._lock:
            self._seen[device_id] = (time.time(), utcnow())
            if printer is not None:
                self._printers[device_id] = {
                    "state": str(printer.get("state", ""))[:20],
                    "message": str(printer.get("message", ""))[:200],
                }

    def snapshot(self) -> list[dict]:
        """Every live device with its last heartbeat, age in seconds and online flag."""
        now = time.time()
        conn = self.store.conn
        console = staff_sql.console_device_ids(conn)
        with self._lock:
            seen = dict(self._seen)
            printers = dict(self._printers)
        out = []
        for row in device_sql.list_devices(conn):
            if row["revoked_at"] or row["id"] in console:
                continue
            beat = seen.get(row["id"])
            if beat is not None:
                last, last_iso = beat
            elif row["last_seen_at"]:
                last_iso = row["last_seen_at"]
                last = from_iso(last_iso).timestamp()
            else:
                last, last_iso = None, None
            age = None if last is None else round(max(0.0, now - last), 1)
            out.append(
                {
                    "id": row["id"],
                    "name": row["name"],
                    "role": row["role"],
                    "gate": row["gate"],
                    "printer": row["printer"],
                    "printer_state": printers.get(row["id"]),
                    "last_seen": last_iso,
                    "age_s": age,
                    "online": age is not None and age <= OFFLINE_AFTER_S,
                }
            )
        return out
