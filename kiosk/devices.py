"""Devices and their roles: kiosk, exhibitor device, staff. Tokens are stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from kiosk import events
from kiosk.config import Settings
from kiosk.errors import FieldErrors, NotFound
from kiosk.storage import Store, utcnow
from kiosk.storage import devices as sql
from kiosk.storage import exhibitors as exhibitor_sql
from kiosk.storage.interactions import audit

ROLES = ("kiosk", "exhibitor", "staff")
# What a kiosk does at its gate: check in, check out, or both (the person's presence decides).
DIRECTIONS = ("in", "out", "both")
# How a kiosk prints badges: auto (its CUPS printer if it names one, else its browser), browser
# (Chromium with --kiosk-printing), none (no printer: the visitor is sent to the desk).
PRINTING = ("auto", "browser", "none")
TOKEN_PREFIX = "kt_"
TOUCH_EVERY_S = 15.0


class DeviceError(FieldErrors):
    """A device (or an exhibitor) cannot be created or changed as asked: the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__({field: message})
        self.message = message
        self.args = (message,)
        self.field = field


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    role: str
    exhibitor_id: int | None
    gate: str | None
    printer: str
    direction: str = "in"
    printing: str = "auto"

    @property
    def actor(self) -> str:
        """How this device is named in the audit log."""
        return f"device:{self.id}:{self.name}"


def hash_token(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_device(
    store: Store,
    settings: Settings,
    *,
    role: str,
    name: str,
    exhibitor_id: int | None = None,
    gate: str | None = None,
    printer: str | None = None,
    direction: str = "in",
    printing: str = "auto",
    actor: str = "cli",
) -> tuple[Device, str]:
    """Create a device; return it with its bearer token (shown once, never stored)."""
    name = (name or "").strip()
    if role not in ROLES:
        raise DeviceError("role", f"role must be one of {', '.join(ROLES)}")
    if not name:
        raise DeviceError("name", "a device needs a name")
    if gate is not None and gate not in settings.gates:
        raise DeviceError("gate", f"unknown gate '{gate}' (known: {', '.join(settings.gates)})")
    _check_mode(settings, gate, direction, printing)
    if role == "exhibitor" and exhibitor_id is None:
        raise DeviceError("exhibitor", "an exhibitor device needs --exhibitor ID")
    if role != "exhibitor" and exhibitor_id is not None:
        raise DeviceError("exhibitor", "only exhibitor devices belong to an exhibitor")
    kiosk_settings = settings.kiosks.get(name)
    if gate is None and kiosk_settings is not None:
        gate = kiosk_settings.gate
    if printer is None:
        printer = kiosk_settings.printer if kiosk_settings else ""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as conn:
        if exhibitor_id is not None and exhibitor_sql.exhibitor(conn, exhibitor_id) is None:
            raise DeviceError("exhibitor", f"no exhibitor with id {exhibitor_id}")
        device_id = sql.insert_device(
            conn,
            name=name,
            role=role,
            token_hash=hash_token(token),
            exhibitor_id=exhibitor_id,
            gate=gate,
            printer=printer,
            direction=direction,
            printing=printing,
        )
        audit(
            conn,
            actor,
            "device.create",
            f"device:{device_id}",
            after={
                "name": name,
                "role": role,
                "exhibitor_id": exhibitor_id,
                "gate": gate,
                "direction": direction,
                "printing": printing,
            },
        )
    return Device(device_id, name, role, exhibitor_id, gate, printer, direction, printing), token


def _check_mode(settings: Settings, gate: str | None, direction: str, printing: str) -> None:
    if direction not in DIRECTIONS:
        raise DeviceError("direction", f"direction must be one of {', '.join(DIRECTIONS)}")
    if printing not in PRINTING:
        raise DeviceError("printing", f"printing must be one of {', '.join(PRINTING)}")
    allowed = settings.gates[gate].directions if gate in settings.gates else ("in", "out")
    wanted = ("in", "out") if direction == "both" else (direction,)
    if not set(wanted) <= set(allowed):
        raise DeviceError("direction", f"gate {gate} allows {', '.join(allowed)} only")


def device_from_row(row) -> Device:
    """A device as its stored row describes it."""
    return Device(
        row["id"],
        row["name"],
        row["role"],
        row["exhibitor_id"],
        row["gate"],
        row["printer"],
        row["direction"],
        row["printing"],
    )


class DeviceRegistry:
    """The one place a bearer token or a staff account becomes a device.

    The web layer (API requests, console pages) and the /live namespace both resolve through it;
    the signed-in session itself is read in kiosk.web.staff_session, which hands the account here.
    It also remembers when each device was last seen, without a write per request.
    """

    def __init__(self, store: Store):
        self.store = store
        self._touched: dict[int, float] = {}

    def authenticate(self, token) -> Device | None:
        """The device for a bearer token, or None when missing, unknown, revoked or not text."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = hash_token(token)
        row = sql.device_by_token_hash(self.store.conn, digest)
        if row is None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        self._touch(row["id"])
        return device_from_row(row)

    def revoked_among(self, device_ids) -> set[int]:
        """Those of the given devices whose token no longer works (revoked elsewhere, even)."""
        return sql.revoked_among(self.store.conn, sorted(set(device_ids)))

    def console_device(self, device_id: int) -> Device | None:
        """The console device a staff account acts through (its `device_id`), None if missing."""
        row = sql.device(self.store.conn, device_id)
        return device_from_row(row) if row is not None else None

    def _touch(self, device_id: int) -> None:
        now = time.monotonic()
        if now - self._touched.get(device_id, 0.0) < TOUCH_EVERY_S:
            return
        self._touched[device_id] = now
        with self.store.write() as conn:
            sql.touch_device(conn, device_id, utcnow())


def rename_device(store: Store, device_id: int, name: str, *, actor: str) -> None:
    """Give a device a new name."""
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise DeviceError("name", "a device needs a name of 1 to 80 characters")
    with store.write() as conn:
        row = sql.device(conn, device_id)
        if row is None:
            raise NotFound(f"no device {device_id}")
        sql.rename_device(conn, device_id, name)
        audit(
            conn,
            actor,
            "device.rename",
            f"device:{device_id}",
            {"name": row["name"]},
            {"name": name},
        )


def set_mode(
    store: Store, settings: Settings, device_id: int, *, direction: str, printing: str, actor: str
) -> None:
    """Change what a kiosk does at its gate (in, out, both) and how it prints its badges."""
    with store.write() as conn:
        row = sql.device(conn, device_id)
        if row is None:
            raise NotFound(f"no device {device_id}")
        _check_mode(settings, row["gate"], direction, printing)
        sql.set_mode(conn, device_id, direction, printing)
        audit(
            conn,
            actor,
            "device.mode",
            f"device:{device_id}",
            {"direction": row["direction"], "printing": row["printing"]},
            {"direction": direction, "printing": printing},
        )


def revoke_device(store: Store, device_id: int, *, actor: str) -> None:
    """Revoke a device's token; its open live connections are cut once this commits."""
    with store.write() as conn:
        row = sql.device(conn, device_id)
        if row is None:
            raise NotFound(f"no device {device_id}")
        sql.revoke_device(conn, device_id)
        audit(conn, actor, "device.revoke", f"device:{device_id}", {"name": row["name"]}, None)
    events.publish(store, events.DeviceRevoked(device_id=device_id, at=utcnow()))


def find_device(store: Store, name_or_id: str) -> int:
    """The id of the device named, or numbered, so; DeviceError when none or several match."""
    text = (name_or_id or "").strip()
    if text.isdigit():
        if sql.device(store.conn, int(text)) is None:
            raise DeviceError("device", f"no device {text}")
        return int(text)
    rows = sql.named(store.conn, text)
    if not rows:
        raise DeviceError("device", f"no device named '{text}'")
    if len(rows) > 1:
        ids = ", ".join(str(r["id"]) for r in rows)
        raise DeviceError("device", f"several devices are named '{text}' (ids {ids}): give the id")
    return rows[0]["id"]
