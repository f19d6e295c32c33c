"""The /live namespace: devices authenticate at connect and join the rooms of their role.

Who a connection is comes from an `authenticate` callable that create_app injects (the web layer's
`staff_session.live_caller`): it resolves a bearer token, or a signed-in console session, to a
device, so this package reads no flask session and imports nothing from kiosk.web.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from flask import request
from flask_socketio import Namespace, emit, join_room

from kiosk.devices import Device
from kiosk.live.heartbeats import Heartbeats

NAMESPACE = "/live"
# Staff connections hear check-ins one message each, or in batches a few times a second.
EACH = "staff:each"
BATCHED = "staff:batched"
# Staff connections hear device health as the whole list, or as a bounded summary.
FULL_DEVICES = "staff:devices"
SUMMARY = "staff:summary"


class Host(Protocol):
    """What the namespace needs of the bridge that owns it."""

    heartbeats: Heartbeats

    def start(self) -> None: ...

    def dashboard_now(self) -> dict: ...


# A connection's token (or None) -> its device and, for a console session, that sign-in's key.
Authenticate = Callable[[object], "tuple[Device, str | None] | None"]


def rooms_for(device: Device, batched: bool = False, summary: bool = False) -> list[str]:
    """The rooms a device listens to: its role, its exhibitor or gate, itself; staff also hear
    check-ins one by one (`staff:each`) or, `batched`, a few times a second (`staff:batched`),
    and device health as the whole list (`staff:devices`) or, `summary`, as a summary
    (`staff:summary`)."""
    rooms = [device.role, f"device:{device.id}"]
    if device.role == "staff":
        rooms.append(BATCHED if batched else EACH)
        rooms.append(SUMMARY if summary else FULL_DEVICES)
    if device.exhibitor_id is not None:
        rooms.append(f"exhibitor:{device.exhibitor_id}")
    if device.gate:
        rooms.append(f"gate:{device.gate}")
    return rooms


class LiveNamespace(Namespace):
    """Staff get checkin, registration, lead and stats; exhibitors their leads; kiosks scans."""

    def __init__(self, namespace: str, bridge: Host, authenticate: Authenticate):
        super().__init__(namespace)
        self.bridge = bridge
        self.authenticate = authenticate
        self._lock = threading.Lock()
        self._callers: dict[str, tuple[Device, str | None]] = {}

    def on_connect(self, auth=None):
        """Refuse a missing or bad token (or no signed-in staff session); join the device's rooms.

        A staff connection with `auth.batch` true gets `checkins` batches instead of `checkin`s,
        and with `auth.summary` true `device_summary` instead of the whole `devices` list.
        """
        token = auth.get("token") if isinstance(auth, dict) else None
        batched = isinstance(auth, dict) and auth.get("batch") is True
        summary = isinstance(auth, dict) and auth.get("summary") is True
        caller = self.authenticate(token)
        if caller is None:
            raise ConnectionRefusedError("unauthorized")
        device = caller[0]
        with self._lock:
            self._callers[request.sid] = caller
        for room in rooms_for(device, batched, summary):
            join_room(room)
        self.bridge.start()
        if device.role == "staff":
            # A dashboard that (re)connects catches up at once.
            now = self.bridge.dashboard_now()
            emit("stats", now["dashboard"]["stats"])
            unwanted = "devices" if summary else "device_summary"
            for name, data in now.items():
                if name != unwanted:
                    emit(name, data)
        else:
            self.bridge.heartbeats.beat(device.id)
        return True

    def on_disconnect(self, *args):
        """Forget the connection."""
        with self._lock:
            self._callers.pop(request.sid, None)

    def on_heartbeat(self, data=None):
        """A kiosk or exhibitor device says it is alive, optionally with its printer's state."""
        device = self._device()
        if device is None or device.role == "staff":
            return {"error": "forbidden"}
        printer = data.get("printer") if isinstance(data, dict) else None
        self.bridge.heartbeats.beat(device.id, printer if isinstance(printer, dict) else None)
        return {"ok": True}

    def on_snapshot(self, data=None):
        """Staff only: the whole dashboard now (also sent at connect)."""
        device = self._device()
        if device is None or device.role != "staff":
            return {"error": "forbidden"}
        return self.bridge.dashboard_now()

    def cut(self, *, device_id: int | None = None, sign_in: str | None = None) -> int:
        """Disconnect every connection of a device, or of one console sign-in; return how many."""
        with self._lock:
            sids = [
                sid
                for sid, (device, key) in self._callers.items()
                if (device_id is not None and device.id == device_id)
                or (sign_in is not None and key == sign_in)
            ]
        for sid in sids:
            self.socketio.server.disconnect(sid, namespace=self.namespace)
        return len(sids)

    def connected_device_ids(self) -> set[int]:
        """The devices with at least one open connection."""
        with self._lock:
            return {device.id for device, _key in self._callers.values()}

    def _device(self) -> Device | None:
        with self._lock:
            caller = self._callers.get(request.sid)
        return caller[0] if caller is not None else None
