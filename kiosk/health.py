"""Whether the show can take writes, as /healthz and the staff see it.

The database file is checked by every write (kiosk/storage/guard.py); this watch turns a refused
write, a failed /healthz or its own look every few seconds into a `storage_unavailable` alert for
staff, at most once a minute while the trouble lasts (at once when its reason changes).
"""

from __future__ import annotations

import logging
import threading
import time

from kiosk import events
from kiosk.errors import StorageUnavailable
from kiosk.storage import Store, utcnow

log = logging.getLogger(__name__)

POLL_EVERY_S = 2.0
ALERT_EVERY_S = 60.0


class StorageWatch:
    """One per app: checks the database file and alerts staff when it stops taking writes."""

    def __init__(self, store: Store):
        self.store = store
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._alerted: tuple[str, float] | None = None
        self._started = False
        store.on_trouble(lambda _error: self._wake.set())

    def check(self) -> StorageUnavailable | None:
        """Why the show takes no writes now (staff alerted, rate-limited), or None."""
        trouble = self.store.health()
        reason = trouble.details.get("reason", trouble.code) if trouble else None
        now = time.monotonic()
        with self._lock:
            last = self._alerted
            due = trouble is not None and (
                last is None or last[0] != reason or now - last[1] >= ALERT_EVERY_S
            )
            if trouble is None:
                self._alerted = None
            elif due:
                self._alerted = (reason, now)
        if due:
            log.error("storage unavailable: %s", trouble.message)
            events.publish(
                self.store,
                events.Alert(
                    kind="storage_unavailable", reason=reason, message=trouble.message, at=utcnow()
                ),
            )
        return trouble

    def start(self) -> None:
        """Look every few seconds, and at once when a write is refused (in the serving process)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._watch, name="storage-watch", daemon=True).start()

    def _watch(self) -> None:
        while True:
            self._wake.wait(POLL_EVERY_S)
            self._wake.clear()
            try:
                self.check()
            except Exception:
                log.exception("storage watch: check failed")
