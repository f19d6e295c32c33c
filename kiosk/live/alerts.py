"""Alerts for staff: kept for dashboards that connect later; repeated invalid scans detected.

Both live in the shared state (kiosk.storage.shared): one node's memory, or the Redis of a show
served by several nodes, where a dashboard on any node sees every node's alerts, and invalid
scans at one gate count together whichever node they reached.
"""

from __future__ import annotations

from kiosk import events
from kiosk.storage import Store, utcnow
from kiosk.storage.shared import Local

KEEP = 50
INVALID_BURST = 5
WINDOW_S = 60.0


class AlertBoard:
    """The latest alerts, newest first, and the invalid-scan watch per gate."""

    def __init__(self, store: Store, shared=None):
        self.store = store
        self.shared = shared if shared is not None else Local()

    def add(self, alert: dict) -> None:
        """Keep an alert for the dashboard."""
        self.shared.add_alert(alert, KEEP)

    def latest(self) -> list[dict]:
        """The kept alerts, newest first."""
        return self.shared.alerts()

    def refused(self, event: events.ScanRefused) -> None:
        """Alert on a burst of invalid codes at one gate (the domain logs every refusal)."""
        if event.reason != "invalid":
            return
        gate = str(event.gate)
        count = self.shared.burst(f"invalid:{gate}", WINDOW_S, INVALID_BURST)
        if count is not None:
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
