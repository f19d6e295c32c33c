"""Check-ins sent by a camera scanner: answered like /checkins; the domain shows them live on the
gate's kiosk (the `Scanned` event)."""

from __future__ import annotations

from flask import Blueprint

from kiosk.checkin.service import check_in
from kiosk.web import schemas, services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import json_body, scan_answer

bp = Blueprint("api_scans", __name__, url_prefix="/api/v1")


@bp.post("/scans")
@endpoint(
    "kiosk",
    "staff",
    summary="A camera scanner's check-in; the kiosk bound to the gate gets a live `scan` event",
    body={
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": schemas.CODE,
            "gate": {"type": "string", "description": "default: the device's gate"},
            "direction": {"type": "string", "enum": ["in", "out"], "default": "in"},
            "nonce": schemas.NONCE,
        },
    },
    responses=schemas.CHECKIN_ANSWERS,
)
def post_scan():
    """Check in a code read by a camera, and show the answer on the gate's kiosk."""
    body = json_body()
    svc = services()
    device = current_device()
    gate = body.get("gate") or device.gate
    outcome = check_in(
        svc.store,
        svc.settings,
        svc.keys,
        code=body.get("code"),
        gate=gate,
        direction=body.get("direction", "in"),
        nonce=body.get("nonce"),
        device=device,
        source="camera",
    )
    return scan_answer(outcome)
