"""One throttled pusher for the staff room's aggregates: `stats`, `dashboard`, `devices`, `printers`.

Cadences. `stats` goes at most once a second while counts change, `dashboard` at most every 2 s
while anything it shows changes; both go at once after a quiet spell. Measured with
benchmarks/dashboard.py (200 dashboards, 20 check-ins/s, a busy 2-core machine): a dashboard
snapshot every second delayed the per-scan `checkin` events to a median of about 2 s; every 2 s,
to about 0.5 s. Counts still move every second through `stats`. Nothing changed, nothing is sent,
except device health and printer state (`printers`, every 5 s), which age. Device health goes
to the console's dashboards as `device_summary` (counts, the gates' kiosks, the devices needing
attention: a few KB however many booth phones), within 2 s of a change and only then; staff
clients that did not ask for the summary get the whole `devices` list (within 2 s of a device
going on- or offline or its printer changing, else every 10 s for the ages), which with a
thousand phones is some 250 KB a message. A device with an open live connection on this node
counts as alive (booth phones send no heartbeats of their own). With device health it also
closes the show day when `[event] day_closes` has passed.

The counts are computed once per tick: when `stats` and `dashboard` are due together, `stats` is
the snapshot's own. CUPS may take seconds to answer, so a printer poll runs beside the pusher
(one at a time) and sends `printers` when it is done; a slow printer never holds the counts back.

Check-ins reach the console in batches: a dashboard that connects with `auth.batch` gets one
`checkins` message (a list of `checkin` payloads) every quarter second while check-ins arrive,
instead of one `checkin` message per check-in. Measured with benchmarks/dashboard.py (200
dashboards, 20 check-ins/s): see docs/scale-out.md.

Several nodes (kiosk.storage.shared.Clustered): each node's pusher sends the aggregates to its own
dashboards only, computed from the one database and the shared state, so every console shows
the same; a node tells the others what changed (at most every quarter second), sends its gates'
answer times to the shared state every 2 s, and a batch of check-ins goes through the message
queue to the dashboards of every node. One node at a time polls the printers. Every node's
pusher closes the show day; the database makes sure it closes once (kiosk.checkin.dayclose).

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
from kiosk.device_health import shape_of, summarise
from kiosk.live.alerts import AlertBoard
from kiosk.live.heartbeats import Heartbeats
from kiosk.live.namespace import BATCHED, FULL_DEVICES, NAMESPACE, SUMMARY
from kiosk.services import Services
from kiosk.stats import counts, dashboard
from kiosk.storage import utcnow
from kiosk.storage.shared import Local

log = logging.getLogger(__name__)

STATS = "stats"
DASHBOARD = "dashboard"
STATS_EVERY_S = 1.0
DASHBOARD_EVERY_S = 2.0
DEVICES_EVERY_S = 2.0
DEVICES_REFRESH_S = 10.0
CHECKINS_EVERY_S = 0.25
TELL_EVERY_S = 0.25
THROTTLE = {STATS: STATS_EVERY_S, DASHBOARD: DASHBOARD_EVERY_S}
# The event that carries a batch of check-ins (to the room `BATCHED`).
CHECKINS = "checkins"


class Pusher:
    """Sends the aggregates to the staff room on their cadences, from one background task."""

    def __init__(
        self,
        socketio: SocketIO,
        services: Services,
        alerts: AlertBoard,
        sweep: Callable[[], object] = lambda: None,
        shared=None,
        connected: Callable[[], set[int]] = set,
    ):
        self.socketio = socketio
        self.sweep = sweep
        self.connected = connected
        self.services = services
        self.alerts = alerts
        self.shared = shared if shared is not None else Local()
        self.heartbeats = Heartbeats(services.store, self.shared)
        self.printers = PrinterWatch(services.store, services.settings, self.shared)
        self.day_closer = DayCloser(services.store, services.settings)
        # With several nodes the aggregates go to this node's own dashboards only.
        self._local = {"ignore_queue": True} if self.shared.clustered else {}
        self._checkins: list[dict] = []
        self._to_tell: set[str] = set()
        self._device_shape: list | None = None
        self._devices_sent = -1e9
        self._summary_shape: list | None = None
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

    def changed(self, aggregates: frozenset[str], *, elsewhere: bool = False) -> None:
        """What `stats` or the `dashboard` show changed (here, or on another node when
        `elsewhere`): send them when their cadence allows."""
        if not aggregates:
            return
        with self._lock:
            self._changed |= aggregates
            if self.shared.clustered and not elsewhere:
                self._to_tell |= aggregates
        self._wake.set()
        self.start()

    def checkin(self, payload: dict) -> None:
        """A check-in for the dashboards that take them in batches: sent with the next batch."""
        with self._lock:
            self._checkins.append(payload)
            first = len(self._checkins) == 1
        if first:
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
            batch = None
            if self._checkins and now >= self._sent.get(CHECKINS, -1e9) + CHECKINS_EVERY_S:
                batch, self._checkins = self._checkins, []
            tell = None
            if self._to_tell and now >= self._sent.get("tell", -1e9) + TELL_EVERY_S:
                tell, self._to_tell = sorted(self._to_tell), set()
        if batch:
            self._sent[CHECKINS] = now
            self._emit(CHECKINS, batch, BATCHED, everywhere=True)
        if tell:
            self._sent["tell"] = now
            self.shared.tell({"changed": tell})
        snapshot = None
        if DASHBOARD in due:
            snapshot = self._send(DASHBOARD, self.snapshot, now)
        if STATS in due:
            self._send(STATS, (lambda: snapshot[STATS]) if snapshot else self.stats, now)
        if now >= self._sent.get("devices", -1e9) + DEVICES_EVERY_S:
            self._sent["devices"] = now
            try:
                self.heartbeats.connected(self.connected())
            except Exception:
                log.exception("live: connected devices not marked alive")
            self._devices(now)
            try:
                self.sweep()
            except Exception:
                log.exception("live: revoked devices not swept")
            try:
                self.day_closer.run_if_due()
            except Exception:
                log.exception("live: the show day not closed (tried again shortly)")
            # With several nodes, this node's gate answer times go to the others (a scan never
            # waits for Redis itself).
            self.services.answer_times.flush()
        if not self._polling and now >= self._sent.get("printers", -1e9) + POLL_EVERY_S:
            self._polling = True
            self._sent["printers"] = now
            self.socketio.start_background_task(self._poll_printers)
        with self._lock:
            waits = [self._sent.get(n, -1e9) + THROTTLE[n] for n in self._changed]
            if self._checkins:
                waits.append(self._sent.get(CHECKINS, -1e9) + CHECKINS_EVERY_S)
            if self._to_tell:
                waits.append(self._sent.get("tell", -1e9) + TELL_EVERY_S)
        waits.append(self._sent["devices"] + DEVICES_EVERY_S)
        if not self._polling:
            waits.append(self._sent["printers"] + POLL_EVERY_S)
        return max(0.0, min(waits) - now)

    def _devices(self, now: float) -> None:
        """Send `device_summary` when it changed (a device on- or offline, its printer, one added
        or removed). Send the whole `devices` list to the staff clients that take it on such a
        change too, otherwise only every `DEVICES_REFRESH_S` (for the ages): a thousand booth
        phones make a list too long to send every two seconds to every dashboard."""
        try:
            devices = self.heartbeats.snapshot()
            summary = summarise(devices, utcnow())
        except Exception:
            log.exception("live: devices not sent")
            return
        shape = shape_of(summary)
        if shape != self._summary_shape:
            try:
                self._emit("device_summary", summary, SUMMARY)
                self._summary_shape = shape
            except Exception:
                log.exception("live: device summary not sent")
        if not self._listening(FULL_DEVICES):
            self._device_shape = None
            return
        shape = [(d["id"], d["online"], d["printer_state"]) for d in devices]
        if shape == self._device_shape and now < self._devices_sent + DEVICES_REFRESH_S:
            return
        self._device_shape, self._devices_sent = shape, now
        try:
            self._emit("devices", devices, FULL_DEVICES)
        except Exception:
            log.exception("live: devices not sent")

    def _listening(self, room: str) -> bool:
        # This node's own clients in the room (the aggregates go to a node's own clients only).
        manager = self.socketio.server.manager
        return next(iter(manager.get_participants(NAMESPACE, room)), None) is not None

    def _send(self, name: str, build: Callable[[], object], now: float):
        self._sent[name] = now
        try:
            data = build()
            self._emit(name, data, "staff")
            return data
        except Exception:
            log.exception("live: %s not sent", name)
            if name in (STATS, DASHBOARD):
                with self._lock:
                    self._changed.add(name)
            return None

    def _emit(self, name: str, data, room: str, *, everywhere: bool = False) -> None:
        extra = {} if everywhere else self._local
        self.socketio.emit(name, data, namespace=NAMESPACE, to=room, **extra)

    def _poll_printers(self) -> None:
        # One node at a time asks CUPS; the others show what it found.
        poll = self.printers.poll
        if not self.shared.take_turn("printers", POLL_EVERY_S * 0.8):
            poll = self.printers.states
        try:
            self._send("printers", poll, time.monotonic())
        finally:
            self._polling = False
            self._wake.set()

    def _run(self) -> None:
        # A show whose database was closed for good (moved, or dropped) has nothing left to push.
        while not getattr(self.services.store, "disposed", False):
            self._wake.clear()
            try:
                wait = self.tick(time.monotonic())
            except Exception:
                log.exception("live: pusher tick failed")
                wait = STATS_EVERY_S
            self._wake.wait(wait)
