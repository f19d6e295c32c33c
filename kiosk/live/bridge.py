"""Forwards domain events (kiosk.events) to Socket.IO rooms; pushes stats at most once a second."""

from __future__ import annotations

import threading

from flask_socketio import SocketIO, emit

from kiosk import events
from kiosk.live.namespace import NAMESPACE
from kiosk.services import Services
from kiosk.stats import counts as stats

STATS_EVERY_S = 1.0


class Bridge:
    """One per app: subscribes to the app's Store events and emits to its SocketIO."""

    def __init__(self, socketio: SocketIO, services: Services):
        self.socketio = socketio
        self.services = services
        self._dirty = threading.Event()
        self._pusher_started = False
        self._lock = threading.Lock()
        self._handlers = {
            events.CheckedIn: self._on_checkin,
            events.Registered: self._on_registration,
            events.LeadCaptured: self._on_lead,
            events.Scanned: self._on_scan,
            events.Alert: self._on_alert,
        }
        events.subscribe(services.store, self._on_event)

    def _on_event(self, event: events.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event.payload())

    def _emit(self, event: str, data: dict, room: str) -> None:
        self.socketio.emit(event, data, namespace=NAMESPACE, to=room)

    def _on_checkin(self, event: dict) -> None:
        self._emit("checkin", event, "staff")
        self.mark_dirty()

    def _on_registration(self, event: dict) -> None:
        self._emit("registration", event, "staff")
        self.mark_dirty()

    def _on_lead(self, event: dict) -> None:
        self._emit("lead", event, "staff")
        self._emit("lead", event, f"exhibitor:{event['exhibitor_id']}")
        self.mark_dirty()

    def _on_scan(self, event: dict) -> None:
        self._emit("scan", event, f"gate:{event['gate']}")

    def _on_alert(self, event: dict) -> None:
        self._emit("alert", event, "staff")

    def mark_dirty(self) -> None:
        """Counts changed: the pusher sends fresh stats within a second."""
        self._dirty.set()
        if not self._pusher_started:
            with self._lock:
                if not self._pusher_started:
                    self._pusher_started = True
                    self.socketio.start_background_task(self._push_stats_forever)

    def current_stats(self) -> dict:
        """Counts as of now."""
        return stats.compute(self.services.store.conn, self.services.settings)

    def send_stats_to_caller(self) -> None:
        """A dashboard that (re)connects catches up at once."""
        emit("stats", self.current_stats())

    def _push_stats_forever(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            try:
                self._emit("stats", self.current_stats(), "staff")
            finally:
                self.socketio.sleep(STATS_EVERY_S)
