"""The /live namespace: devices authenticate at connect and join the rooms of their role."""

from __future__ import annotations

from flask import current_app
from flask_socketio import Namespace, join_room

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

    def on_connect(self, auth=None):
        """Refuse a missing or bad token; otherwise join the device's rooms."""
        token = auth.get("token") if isinstance(auth, dict) else None
        device = current_app.extensions["kiosk"].devices.authenticate(token)
        if device is None:
            raise ConnectionRefusedError("unauthorized")
        for room in rooms_for(device):
            join_room(room)
        if device.role == "staff":
            self.bridge.send_stats_to_caller()
        return True
