"""One throttled pusher for the staff room's aggregates: `stats`, `dashboard`, `devices`, `printers`.

Cadences. `stats` goes at most once a second while counts change, `dashboard` at most every 2 s
while anything it shows changes; both go at once after a quiet spell. Measured with
benchmarks/dashboard.py (200 dashboards, 20 check-ins/s, a busy 2-core machine): a dashboard
snapshot every second delayed the per-scan `checkin` events to a median of about 2 s; every 2 s,
to about 0.5 s. Counts still move every second through `stats`. Nothing changed, nothing is sent,
except device health (`devices`, every 2 s) and printer state (`printers`, every 5 s), which age.
With device health it also closes the show day when `[event] day_closes` has passed.

The counts are computed once per tick: when `stats` and `dashboard` are due together, `stats` is
the snapshot's own. CUPS may take seconds to answer, so a printer poll runs beside the pusher
(one at a time) and sends `printers` when it is done; a slow printer never holds the counts back.
A failure (a locked database, CUPS gone) is logged, what failed is tried again at its next turn,
and the pusher goes on for the rest of the show.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask_socketio import SocketIO

from kiosk.badges.printer_watch import POLL_EVERY_S, PrinterWatch
from kiosk.checkin.dayclose import DayCloser
from kiosk.live.alerts import AlertBoard
from kiosk.live.heartbeats import Heartbeats
from kiosk.live.namespace import NAMESPACE
from kiosk.services import Services
from kiosk.stats import counts, dashboard

log = logging.getLogger(__name__)

STATS = "stats"
DASHBOARD = "dashboard"
STATS_EVERY_S = 1.0
DASHBOARD_EVERY_S = 2.0
DEVICES_EVERY_S = 2.0
THROTTLE = {STATS: STATS_EVERY_S, DASHBOARD: DASHBOARD_EVERY_S}


class Pusher:
    """Sends the aggregates to the staff room on their cadences, from one background task."""

    def __init__(
        self,
        socketio: SocketIO,
        services: Services,
        alerts: AlertBoard,
        sweep: Callable[[], object] = lambda: None,
    ):
        self.socketio = socketio
        self.sweep = sweep
        self.services = services
        self.alerts = alerts
        self.heartbeats = Heartbeats(services.store)
        self.printers = PrinterWatch(services.store, services.settings)
        self.day_closer = DayCloser(services.store, services.settings)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._started = False
        self._changed: set[str] = set()
        self._sent: dict[str, float] = {}
        self._polling = False

    def start(self) -> None:
        """Start the pusher once (at server start, the first connection or the first change)."""
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
        self.socketio.start_background_task(self._run)

    def changed(self, aggregates: frozenset[str]) -> None:
        """What `stats` or the `dashboard` show changed: send them when their cadence allows."""
        if not aggregates:
            return
        with self._lock:
            self._changed |= aggregates
        self._wake.set()
        self.start()

    def stats(self) -> dict:
        """The counts as of now."""
        return counts.compute(self.services.store.conn, self.services.settings)

    def snapshot(self) -> dict:
        """The dashboard as of now."""
        svc = self.services
        return dashboard.snapshot(
            svc.store.conn, svc.settings, self.alerts.latest(), answer_times=svc.answer_times
        )

    def tick(self, now: float) -> float:
        """Send what is due at monotonic time `now`; return the seconds until something may be."""
        with self._lock:
            due = {n for n in self._changed if now >= self._sent.get(n, -1e9) + THROTTLE[n]}
            self._changed -= due
        snapshot = None
        if DASHBOARD in due:
            snapshot = self._send(DASHBOARD, self.snapshot, now)
        if STATS in due:
            self._send(STATS, (lambda: snapshot[STATS]) if snapshot else self.stats, now)
        if now >= self._sent.get("devices", -1e9) + DEVICES_EVERY_S:
            self._send("devices", self.heartbeats.snapshot, now)
            try:
                self.sweep()
            except Exception:
                log.exception("live: revoked devices not swept")
            try:
                self.day_closer.run_if_due()
            except Exception:
                log.exception("live: the show day not closed (tried again shortly)")
        if not self._polling and now >= self._sent.get("printers", -1e9) + POLL_EVERY_S:
            self._polling = True
            self._sent["printers"] = now
            self.socketio.start_background_task(self._poll_printers)
        with self._lock:
            waits = [self._sent.get(n, -1e9) + THROTTLE[n] for n in self._changed]
        waits.append(self._sent["devices"] + DEVICES_EVERY_S)
        if not self._polling:
            waits.append(self._sent["printers"] + POLL_EVERY_S)
        return max(0.0, min(waits) - now)

    def _send(self, name: str, build: Callable[[], object], now: float):
        self._sent[name] = now
        try:
            data = build()
            self.socketio.emit(name, data, namespace=NAMESPACE, to="staff")
            return data
        except Exception:
            log.exception("live: %s not sent", name)
            if name in (STATS, DASHBOARD):
                with self._lock:
                    self._changed.add(name)
            return None

    def _poll_printers(self) -> None:
        try:
            self._send("printers", self.printers.poll, time.monotonic())
        finally:
            self._polling = False
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = self.tick(time.monotonic())
            except Exception:
                log.exception("live: pusher tick failed")
                wait = STATS_EVERY_S
            self._wake.wait(wait)
