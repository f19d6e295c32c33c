"""The one bridge from domain events (kiosk.events) to Socket.IO: a table of routes, one pusher.

`ROUTES` says, per event class, which Socket.IO event it becomes, which rooms hear it at once and
which aggregates it changes; the pusher (kiosk.live.pusher) sends those aggregates on their
cadences. A few events also act on the bridge's own state: alerts are kept for dashboards that
connect later, refused scans feed the invalid-code watch, and a revoked device or a signed-out
console loses its open connections at once.

Check-ins go to the dashboards one by one (`checkin`, room `staff:each`) or, for dashboards that
asked for them so (the console does), in batches (`checkins`, room `staff:batched`, sent by the
pusher). Device health likewise: the whole `devices` list (room `staff:devices`), or a bounded
`device_summary` for dashboards that asked for it (`staff:summary`). With several nodes (kiosk.storage.shared.Clustered) every emit to a room goes through
the message queue to the clients of every node; the nodes tell each other what changed and which
console sign-ins ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_socketio import SocketIO

from kiosk import events
from kiosk.device_health import summarise
from kiosk.live.alerts import AlertBoard
from kiosk.live.namespace import EACH, NAMESPACE, Authenticate, LiveNamespace
from kiosk.live.pusher import DASHBOARD, STATS, Pusher
from kiosk.services import Services
from kiosk.storage import utcnow
from kiosk.storage.shared import Local

COUNTS = frozenset({STATS, DASHBOARD})
SHOWN = frozenset({DASHBOARD})
NOTHING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    """Where an event goes: its Socket.IO name (None: not sent), its rooms, what it changes."""

    name: str | None
    rooms: Callable[[events.Event], list[str]]
    changes: frozenset[str]


def _staff(_event) -> list[str]:
    return ["staff"]


def _nobody(_event) -> list[str]:
    return []


ROUTES: dict[type[events.Event], Route] = {
    events.CheckedIn: Route("checkin", lambda _e: [EACH], COUNTS),
    events.Registered: Route("registration", _staff, COUNTS),
    events.LeadCaptured: Route("lead", lambda e: ["staff", f"exhibitor:{e.exhibitor_id}"], COUNTS),
    events.Scanned: Route("scan", lambda e: [f"gate:{e.gate}"], NOTHING),
    events.Alert: Route("alert", _staff, SHOWN),
    events.PeopleChanged: Route(None, _nobody, COUNTS),
    events.DayClosed: Route(None, _nobody, COUNTS),
    events.SessionAttended: Route(None, _nobody, SHOWN),
    events.SurveyAnswered: Route(None, _nobody, SHOWN),
    events.ScanRefused: Route(None, _nobody, NOTHING),
    events.DeviceRevoked: Route(None, _nobody, NOTHING),
    events.StaffSignedOut: Route(None, _nobody, NOTHING),
}
# An event the table does not name may change what the dashboard shows.
UNLISTED = Route(None, _nobody, SHOWN)


class Bridge:
    """One per app: subscribes to the show's events, owns the /live namespace and the pusher."""

    def __init__(
        self,
        socketio: SocketIO,
        services: Services,
        authenticate: Authenticate,
        scan_answer: Callable[[dict], dict],
        shared=None,
    ):
        self.socketio = socketio
        self.services = services
        self.shared = shared if shared is not None else Local()
        self.alerts = AlertBoard(services.store, self.shared)
        self.pusher = Pusher(
            socketio,
            services,
            self.alerts,
            sweep=self.cut_revoked,
            shared=self.shared,
            connected=lambda: self.namespace.connected_device_ids(),
        )
        self.heartbeats = self.pusher.heartbeats
        self.printers = self.pusher.printers
        self.namespace = LiveNamespace(NAMESPACE, self, authenticate)
        socketio.on_namespace(self.namespace)
        self._act: dict[type[events.Event], Callable] = {
            events.Alert: lambda e: self.alerts.add(e.payload()),
            events.ScanRefused: self.alerts.refused,
            events.DeviceRevoked: lambda e: self.namespace.cut(device_id=e.device_id),
            events.StaffSignedOut: self.signed_out,
        }
        # A camera's scan reaches its gate's kiosk as the answer the scanner got: the web layer
        # lends the shape (status and body) of that answer, so live never imports web.
        self._payload: dict[type[events.Event], Callable[[events.Event], dict]] = {
            events.Scanned: lambda e: {
                "gate": e.gate,
                "device_id": e.device_id,
                "at": e.at,
                **scan_answer(e.outcome),
            },
        }
        events.subscribe(services.store, self.on_event)

    def on_event(self, event: events.Event) -> None:
        """Route one domain event: act on it, send it to its rooms, mark what it changes."""
        act = self._act.get(type(event))
        if act is not None:
            act(event)
        route = ROUTES.get(type(event), UNLISTED)
        if route.name is not None:
            shape = self._payload.get(type(event))
            payload = shape(event) if shape is not None else event.payload()
            for room in route.rooms(event):
                self.socketio.emit(route.name, payload, namespace=NAMESPACE, to=room)
            if type(event) is events.CheckedIn:
                self.pusher.checkin(payload)
        self.pusher.changed(route.changes)

    def signed_out(self, event: events.StaffSignedOut) -> None:
        """A console sign-in ended: cut its connections here and on every other node."""
        self.namespace.cut(sign_in=event.sign_in)
        self.shared.tell({"signed_out": event.sign_in})

    def on_news(self, message: dict) -> None:
        """What another node of the show said: what changed, which sign-in ended."""
        changed = message.get("changed")
        if isinstance(changed, list):
            self.pusher.changed(frozenset(changed) & COUNTS, elsewhere=True)
        if isinstance(message.get("signed_out"), str):
            self.namespace.cut(sign_in=message["signed_out"])

    def cut_revoked(self) -> int:
        """Disconnect devices revoked by another process (the command line, another node)."""
        connected = self.namespace.connected_device_ids()
        revoked = self.services.devices.revoked_among(connected) if connected else set()
        return sum(self.namespace.cut(device_id=device_id) for device_id in revoked)

    def start(self) -> None:
        """Start hearing the other nodes and the pusher (the printer watch and device health run
        from here on)."""
        # Here, not when the app is made: gunicorn makes it in its master process and serves it
        # from a forked worker, where a thread started before the fork does not exist.
        self.shared.listen(self.on_news)
        self.pusher.start()

    def dashboard_now(self) -> dict:
        """Everything a dashboard shows, as of now: `dashboard`, `devices` (the whole list),
        `device_summary` (the same, summarised) and `printers`."""
        devices = self.heartbeats.snapshot()
        return {
            "dashboard": self.pusher.snapshot(),
            "devices": devices,
            "device_summary": summarise(devices, utcnow()),
            "printers": self.printers.states(),
        }
