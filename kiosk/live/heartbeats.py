"""Which kiosks, exhibitor devices and printers are answering: heartbeats in the shared state.

One node keeps them in memory; nodes behind a load balancer keep them in their Redis
(kiosk.storage.shared), so that a device's heartbeat on one node is seen on every node's console.

What a dashboard shows of them is summarised by kiosk.device_health.
"""

from __future__ import annotations

import time

from kiosk.storage import Store, from_iso, utcnow
from kiosk.storage import devices as device_sql
from kiosk.storage import staff as staff_sql
from kiosk.storage.shared import Local

OFFLINE_AFTER_S = 10.0
BEAT_EVERY_S = 3


class Heartbeats:
    """Last heartbeat per device (and its printer's state), as the show's nodes saw them."""

    def __init__(self, store: Store, shared=None):
        self.store = store
        self.shared = shared if shared is not None else Local()

    def beat(self, device_id: int, printer: dict | None = None) -> None:
        """A device said it is alive, optionally with its printer's state."""
        if printer is not None:
            printer = {
                "state": str(printer.get("state", ""))[:20],
                "message": str(printer.get("message", ""))[:200],
            }
        self.shared.beat(device_id, time.time(), utcnow(), printer)

    def connected(self, device_ids) -> None:
        """These devices hold an open live connection: alive now, like a heartbeat each. A booth
        phone sends no heartbeat of its own; its connection says it is there."""
        self.shared.beat_many(device_ids, time.time(), utcnow())

    def snapshot(self) -> list[dict]:
        """Every live device with its last heartbeat, age in seconds and online flag."""
        now = time.time()
        conn = self.store.conn
        console = staff_sql.console_device_ids(conn)
        seen, printers = self.shared.beats()
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
