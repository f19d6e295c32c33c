"""The /live namespace: devices authenticate at connect and join the rooms of their role."""

from __future__ import annotations

from flask import current_app, request
from flask_socketio import Namespace, emit, join_room

from kiosk.devices import Device

NAMESPACE = "/live"


def rooms_for(device: Device) -> list[str]:
    """The rooms a device listens to: its role, its exhibitor or gate, itself."""
    rooms = [device.role, f"device:{device.id}"]
    if device.exhibitor_id is not None:
        rooms.append(f"exhibitor:{device.exhibitor_id}")
    if device.gate:
        rooms.append(f"gate:{device.gate}")
    return rooms


class LiveNamespace(Namespace):
    """Staff get checkin, registration, lead and stats; exhibitors their leads; kiosks scans."""

    def __init__(self, namespace: str, bridge):
        super().__init__(namespace)
        self.bridge = bridge
        self._devices: dict[str, Device] = {}

    def on_connect(self, auth=None):
        """Refuse a missing or bad token (or no signed-in staff session); join the device's rooms."""
        token = auth.get("token") if isinstance(auth, dict) else None
        device = current_app.extensions["kiosk"].devices.authenticate(token)
        if device is None and not token:
            device = _signed_in_staff_device()
        if device is None:
            raise ConnectionRefusedError("unauthorized")
        self._devices[request.sid] = device
        for room in rooms_for(device):
            join_room(room)
        feed = current_app.extensions["kiosk.feed"]
        feed.start()
        if device.role == "staff":
            self.bridge.send_stats_to_caller()
            # A dashboard that (re)connects catches up at once.
            emit("dashboard", feed.snapshot())
            emit("devices", feed.devices())
            emit("printers", feed.printers.states())
        else:
            feed.heartbeats.beat(device.id)
        return True

    def on_disconnect(self, *args):
        """Forget the connection."""
        self._devices.pop(request.sid, None)

    def on_heartbeat(self, data=None):
        """A kiosk or exhibitor device says it is alive, optionally with its printer's state."""
        device = self._devices.get(request.sid)
        if device is None or device.role == "staff":
            return {"error": "forbidden"}
        printer = data.get("printer") if isinstance(data, dict) else None
        current_app.extensions["kiosk.feed"].heartbeats.beat(
            device.id, printer if isinstance(printer, dict) else None
        )
        return {"ok": True}

    def on_snapshot(self, data=None):
        """Staff only: the whole dashboard now (also sent at connect)."""
        device = self._devices.get(request.sid)
        if device is None or device.role != "staff":
            return {"error": "forbidden"}
        feed = current_app.extensions["kiosk.feed"]
        return {
            "dashboard": feed.snapshot(),
            "devices": feed.devices(),
            "printers": feed.printers.states(),
        }


def _signed_in_staff_device() -> Device | None:
    from kiosk.web.staff_session import current_staff, staff_device

    user = current_staff()
    return staff_device(user) if user is not None else None
