"""Alerts for staff: kept for dashboards that connect later; repeated invalid scans detected."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from kiosk import events
from kiosk.storage import Store, utcnow

KEEP = 50
INVALID_BURST = 5
WINDOW_S = 60.0


class AlertBoard:
    """The latest alerts, newest first, and the invalid-scan watch per gate."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._alerts: deque[dict] = deque(maxlen=KEEP)
        self._invalid: dict[str, deque[float]] = defaultdict(deque)
        self._last_alert: dict[str, float] = {}

    def add(self, alert: dict) -> None:
        """Keep an alert for the dashboard."""
        with self._lock:
            self._alerts.appendleft(dict(alert))

    def latest(self) -> list[dict]:
        """The kept alerts, newest first."""
        with self._lock:
            return list(self._alerts)

    def refused(self, event: events.ScanRefused) -> None:
        """Alert on a burst of invalid codes at one gate (the domain logs every refusal)."""
        if event.reason != "invalid":
            return
        gate = str(event.gate)
        now = time.monotonic()
        with self._lock:
            times = self._invalid[gate]
            times.append(now)
            while times and now - times[0] > WINDOW_S:
                times.popleft()
            burst = (
                len(times) >= INVALID_BURST and now - self._last_alert.get(gate, -1e9) > WINDOW_S
            )
            if burst:
                self._last_alert[gate] = now
                count = len(times)
        if burst:
            events.publish(
                self.store,
                events.Alert(
                    kind="invalid_scans",
                    message=f"{count} invalid badges scanned at gate {gate} within a minute",
                    at=utcnow(),
                    gate=gate,
                    device_id=event.device_id,
                ),
            )
