"""Devices and exhibitors managed from the console: rename, revoke, questions; all audited."""

from __future__ import annotations

import io
import json

import qrcode

from kiosk.console import questions as question_text
from kiosk.devices import DeviceError
from kiosk.storage import Store, dumps
from kiosk.storage import console as sql
from kiosk.storage import devices as device_sql
from kiosk.storage.interactions import audit

PAGE_FOR_ROLE = {"kiosk": "/kiosk", "exhibitor": "/exhibitor", "staff": "/staff/live"}


def pairing_link(base_url: str, role: str, token: str) -> str:
    """The link a device opens once to keep its token (in the fragment, never sent to the server)."""
    return f"{base_url.rstrip('/')}{PAGE_FOR_ROLE[role]}#token={token}"


def qr_png(text: str) -> bytes:
    """A QR code PNG of a text."""
    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def rename_device(store: Store, device_id: int, name: str, *, actor: str) -> None:
    """Give a device a new name."""
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise DeviceError("name", "a device needs a name of 1 to 80 characters")
    with store.write() as conn:
        row = device_sql.device(conn, device_id)
        if row is None:
            raise DeviceError("device", f"no device {device_id}")
        sql.rename_device(conn, device_id, name)
        audit(
            conn,
            actor,
            "device.rename",
            f"device:{device_id}",
            {"name": row["name"]},
            {"name": name},
        )


def revoke_device(store: Store, device_id: int, *, actor: str) -> None:
    """Revoke a device's token."""
    with store.write() as conn:
        row = device_sql.device(conn, device_id)
        if row is None:
            raise DeviceError("device", f"no device {device_id}")
        sql.revoke_device(conn, device_id)
        audit(conn, actor, "device.revoke", f"device:{device_id}", {"name": row["name"]}, None)


def update_exhibitor(
    store: Store, exhibitor_id: int, *, name: str, booth: str, questions: str, actor: str
) -> None:
    """Change an exhibitor's name, booth and qualifying questions."""
    name, booth = " ".join((name or "").split()), " ".join((booth or "").split())
    if not name:
        raise DeviceError("name", "an exhibitor needs a name")
    if not booth:
        raise DeviceError("booth", "an exhibitor needs a booth")
    parsed = question_text.parse(questions)
    with store.write() as conn:
        row = device_sql.exhibitor(conn, exhibitor_id)
        if row is None:
            raise DeviceError("exhibitor", f"no exhibitor {exhibitor_id}")
        sql.update_exhibitor(conn, exhibitor_id, name=name, booth=booth, questions=dumps(parsed))
        audit(
            conn,
            actor,
            "exhibitor.update",
            f"exhibitor:{exhibitor_id}",
            before={
                "name": row["name"],
                "booth": row["booth"],
                "questions": json.loads(row["questions"]),
            },
            after={"name": name, "booth": booth, "questions": parsed},
        )
