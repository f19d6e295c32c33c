"""Pushes the staff dashboard: a snapshot at most every 2 s, device health every 2 s, printers every 5 s.

Measured with benchmarks/dashboard.py (200 dashboards, 20 check-ins/s, a busy 2-core machine): a
snapshot every second delayed the per-scan `checkin` events to a median of about 2 s; every 2 s, to
about 0.5 s. Counts still move every second through the bridge's `stats` event.
"""

from __future__ import annotations

import logging
import threading

from flask_socketio import SocketIO

from kiosk import events
from kiosk.badges.printer_watch import POLL_EVERY_S, PrinterWatch
from kiosk.live.alerts import AlertBoard
from kiosk.live.heartbeats import Heartbeats
from kiosk.live.namespace import NAMESPACE
from kiosk.services import Services
from kiosk.stats import dashboard

log = logging.getLogger(__name__)

SNAPSHOT_EVERY_S = 2.0
DEVICES_EVERY_S = 2.0


class ConsoleFeed:
    """One per app: listens to domain events and keeps dashboards in the staff room current."""

    def __init__(self, socketio: SocketIO, services: Services):
        self.socketio = socketio
        self.services = services
        self.heartbeats = Heartbeats(services.store)
        self.alerts = AlertBoard(services.store)
        self.printers = PrinterWatch(services.store, services.settings)
        self._dirty = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        events.subscribe(services.store, self._on_event)

    def _on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Alert):
            self.alerts.add(event.payload())
            self.mark_dirty()
        elif isinstance(event, events.ScanRefused):
            self.alerts.refused(event)
        elif not isinstance(event, events.Scanned):
            self.mark_dirty()

    def snapshot(self) -> dict:
        """The dashboard as of now."""
        svc = self.services
        return dashboard.snapshot(svc.store.conn, svc.settings, self.alerts.latest())

    def devices(self) -> list[dict]:
        """Device health as of now."""
        return self.heartbeats.snapshot()

    def start(self) -> None:
        """Start the pushers once (at the first connection)."""
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
            self.socketio.start_background_task(self._push_snapshots)
            self.socketio.start_background_task(self._push_devices)
            self.socketio.start_background_task(self._watch_printers)

    def mark_dirty(self) -> None:
        """Something the dashboard shows changed."""
        self._dirty.set()
        self.start()

    def _push_snapshots(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            self._emit_now("dashboard", self.snapshot)
            self.socketio.sleep(SNAPSHOT_EVERY_S)

    def _push_devices(self) -> None:
        while True:
            self._emit_now("devices", self.devices)
            self.socketio.sleep(DEVICES_EVERY_S)

    def _watch_printers(self) -> None:
        while True:
            self._emit_now("printers", self.printers.poll)
            self.socketio.sleep(POLL_EVERY_S)

    def _emit_now(self, name: str, build) -> None:
        # A failure (a locked database, CUPS gone) must not end the pusher for the rest of the show.
        try:
            self.socketio.emit(name, build(), namespace=NAMESPACE, to="staff")
        except Exception:
            log.exception("console feed: %s not sent", name)
