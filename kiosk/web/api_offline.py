"""API for entrance kiosks working offline: their offline set, their queued check-ins, their state."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from kiosk.checkin import offline
from kiosk.errors import FieldErrors
from kiosk.storage import devices as device_sql
from kiosk.storage import offline as offline_sql
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import json_body
from kiosk.web.schemas import BOOL, INT, NONCE, STR, TIME, array, error, nullable, obj, ok

bp = Blueprint("api_offline", __name__, url_prefix="/api/v1/offline")

OFFLINE_SET = obj(
    {"revision": STR, "unchanged": BOOL},
    {
        "full": BOOL,
        "entries": {
            "type": "object",
            "additionalProperties": STR,
            "description": "hash of a code -> its holder's greeting, AES-GCM under a key"
            " derived from the code (docs/offline.md)",
        },
        "removed": array(STR),
        "salt": STR,
        "gate": {"type": "object"},
        "table": array({"type": "object"}),
        "timezone": STR,
        "gates": {"type": "object"},
        "categories": {"type": "object"},
        "size": INT,
    },
)
STATE_OF_KIOSK = obj(
    {
        "id": INT,
        "name": STR,
        "gate": nullable(STR),
        "state": {"type": "string", "enum": ["online", "offline", "unknown"]},
        "offline_since": nullable(TIME),
        "queue": nullable(INT),
        "last_sync": nullable(TIME),
        "synced": INT,
        "alert": BOOL,
    },
    {"offline_minutes": {"type": "number"}},
)
CONFLICT = obj(
    {
        "id": INT,
        "attendee_id": nullable(INT),
        "full_name": nullable(STR),
        "device_id": INT,
        "device_name": nullable(STR),
        "gate": STR,
        "admitted_at": TIME,
        "reason": STR,
        "standing": {"type": "object"},
        "recorded_at": TIME,
    }
)


def sets() -> offline.OfflineSets:
    """The app's offline set."""
    return current_app.extensions["kiosk.offline_sets"]


def states() -> offline.KioskStates:
    """What each kiosk last said about its queue."""
    return current_app.extensions["kiosk.kiosk_states"]


def _small_int(name: str) -> int:
    raw = request.args.get(name, "0") or "0"
    if not raw.isdigit() or int(raw) > 10_000_000:
        raise FieldErrors({name: "a whole number"})
    return int(raw)


@bp.get("/set")
@endpoint(
    "kiosk",
    "staff",
    summary="The kiosk's offline set: good badges, its gate's rules and the decision table",
    description="With the revision a kiosk holds (`since`): `unchanged`, the entries changed"
    " since (`full: false`) or the whole set. With `peek=1` (the kiosk's every-second"
    " question, which tells how many check-ins it holds, `queue`, and since when it was"
    " offline, `offline_since`): the current revision only, at once.",
    params=[
        {"name": "since", "in": "query", "schema": {"type": "string", "maxLength": 40}},
        {"name": "queue", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "offline_since", "in": "query", "schema": {"type": "string", "maxLength": 40}},
        {"name": "gate", "in": "query", "schema": {"type": "string", "maxLength": 40}},
        {"name": "peek", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
    ],
    responses={
        "200": ok("the set, its changes, or unchanged", OFFLINE_SET),
        "422": error("a parameter is not understood"),
    },
)
def offline_set():
    """The offline set for the device's gate."""
    device = current_device()
    settings = services().settings
    gate = request.args.get("gate") or device.gate or next(iter(settings.gates))
    if gate not in settings.gates:
        raise FieldErrors({"gate": f"unknown gate (known: {', '.join(settings.gates)})"})
    held = request.args.get("since", "")[:40] or None
    if request.args.get("peek"):
        # The kiosk's every-second question: never waits for the set to be built.
        states().seen(
            device.id, _small_int("queue"), request.args.get("offline_since", "")[:40] or None
        )
        revision = sets().revision
        return jsonify({"revision": revision, "unchanged": held == revision})
    answer = sets().answer(gate, held)
    if answer is None:
        return jsonify({"revision": held, "unchanged": True})
    return jsonify({**answer, "unchanged": False})


@bp.post("/checkins")
@endpoint(
    "kiosk",
    "staff",
    summary="Check-ins a kiosk made offline, in the order it made them",
    description="Each is recorded as it would have been at its `at`, through the same check-in"
    " as online, idempotent by its nonce; one the server refuses (the badge got in elsewhere"
    " first, was revoked meanwhile...) becomes a conflict for staff.",
    body=obj(
        {
            "checkins": array(
                obj(
                    {"code": STR, "nonce": NONCE, "at": TIME},
                    {
                        "gate": STR,
                        "direction": {"type": "string", "enum": ["in", "out"], "default": "in"},
                    },
                ),
                minItems=1,
                maxItems=offline.MAX_BATCH,
            )
        },
        {"queue": {"type": "integer", "minimum": 0, "description": "check-ins still held after"}},
    ),
    responses={
        "200": ok(
            "what became of each, in order",
            obj(
                {
                    "results": array(
                        obj(
                            {
                                "nonce": STR,
                                "status": {
                                    "type": "string",
                                    "enum": ["recorded", "conflict", "invalid"],
                                },
                            },
                            {"reason": STR},
                        )
                    )
                }
            ),
        ),
        "422": error("a check-in is missing its code, nonce or time"),
    },
)
def offline_checkins():
    """Record a kiosk's queued check-ins."""
    body = json_body()
    device = current_device()
    svc = services()
    results = offline.sync_checkins(
        svc.store, svc.settings, svc.keys, device, body.get("checkins"), now=svc.settings.now()
    )
    left = body.get("queue")
    left = left if isinstance(left, int) and not isinstance(left, bool) and left >= 0 else 0
    states().synced(device.id, len(results), left)
    return jsonify({"results": results})


def kiosk_report() -> dict:
    """Each kiosk's offline state and the latest conflicts (the console shows the same)."""
    conn = services().store.conn
    kiosks = [
        {"id": d["id"], "name": d["name"], "gate": d["gate"]}
        for d in device_sql.list_devices(conn)
        if d["role"] == "kiosk" and not d["revoked_at"]
    ]
    conflicts = []
    for row in offline_sql.conflicts(conn):
        item = {k: row[k] for k in CONFLICT["required"] if k != "standing"}
        item["standing"] = json.loads(row["standing"])
        conflicts.append(item)
    return {
        "kiosks": states().snapshot(kiosks),
        "conflicts": conflicts,
        "alert_after_minutes": states().alert_after_min,
    }


@bp.get("/kiosks")
@endpoint(
    "staff",
    summary="Each kiosk's offline state and the offline conflicts",
    responses={
        "200": ok(
            "kiosks: online or offline since when, queue, last sync; conflicts: who, where, when",
            obj(
                {
                    "kiosks": array(STATE_OF_KIOSK),
                    "conflicts": array(CONFLICT),
                    "alert_after_minutes": {"type": "number"},
                }
            ),
        )
    },
)
def offline_kiosks():
    """The kiosks' offline state for staff."""
    return jsonify(kiosk_report())
