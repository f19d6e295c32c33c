"""The JSON API under /api/v1 (foundation endpoints)."""

from __future__ import annotations

import json
import time

from flask import Blueprint, jsonify, request

from kiosk.attendees import search as people
from kiosk.checkin import codes, identity
from kiosk.checkin.service import check_in
from kiosk.errors import FieldErrors, NotFound
from kiosk.stats import counts as stats
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import interactions as interaction_sql
from kiosk.web import schemas, services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import json_body, scan_answer
from kiosk.web.schemas import (
    BOOL,
    CODE,
    INT,
    NONCE,
    STR,
    TEXTS,
    TIME,
    array,
    error,
    nullable,
    obj,
    ok,
    ref,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ANY_ROLE = ("kiosk", "exhibitor", "staff")
DIRECTION = {
    "type": "string",
    "enum": ["in", "out", "both"],
    "description": "default: the device's direction; both: out for a person inside,"
    " in for anyone else (a repeat within a minute is not reversed)",
}
ME = obj(
    {
        "device": obj(
            {
                "id": INT,
                "name": STR,
                "role": {"type": "string", "enum": list(ANY_ROLE)},
                "gate": nullable(STR),
                "exhibitor_id": nullable(INT),
                "direction": {"type": "string", "enum": ["in", "out", "both"]},
                "printing": {"type": "string", "enum": ["auto", "browser", "none"]},
            }
        ),
        "show": obj(
            {
                "id": STR,
                "name": TEXTS,
                "languages": array(STR),
                "default_language": STR,
                "gates": {
                    "type": "object",
                    "additionalProperties": obj({"name": TEXTS, "directions": array(STR)}),
                },
                "categories": {
                    "type": "object",
                    "additionalProperties": obj({"name": TEXTS, "color": STR}),
                },
            }
        ),
    }
)
PERSON_RECORD = obj(
    {
        "attendee": ref("Person"),
        "badge": nullable(obj({"code": STR, "version": INT, "issued_at": TIME})),
        "consents": {
            "type": "object",
            "additionalProperties": BOOL,
            "description": "consent -> the latest show-wide answer",
        },
        "timeline": array(
            obj(
                {
                    "id": INT,
                    "at": TIME,
                    "type": STR,
                    "place": STR,
                    "direction": STR,
                    "device_id": nullable(INT),
                    "exhibitor_id": nullable(INT),
                    "data": {"type": "object"},
                }
            )
        ),
    }
)


@bp.get("/me")
@endpoint(
    *ANY_ROLE,
    summary="The calling device and the show it belongs to",
    responses={"200": ok("the device and the show", ME)},
)
def me():
    """The device behind the token, with the show's gates, categories and languages."""
    device = current_device()
    settings = services().settings
    return jsonify(
        {
            "device": {
                "id": device.id,
                "name": device.name,
                "role": device.role,
                "gate": device.gate,
                "exhibitor_id": device.exhibitor_id,
                "direction": device.direction,
                "printing": device.printing,
            },
            "show": {
                "id": settings.event_id,
                "name": settings.event_name,
                "languages": settings.languages,
                "default_language": settings.default_language,
                "gates": {
                    g.id: {"name": g.name, "directions": g.directions}
                    for g in settings.gates.values()
                },
                "categories": {
                    c.id: {"name": c.name, "color": c.color} for c in settings.categories.values()
                },
            },
        }
    )


@bp.post("/checkins")
@endpoint(
    "kiosk",
    "staff",
    summary="Check a badge in or out at a gate",
    body=obj(
        optional={
            "code": CODE,
            "attendee_id": {
                "type": "integer",
                "description": "instead of code: the person found with 'find me'",
            },
            "verify": {
                "type": "string",
                "maxLength": 200,
                "description": "with attendee_id, from a kiosk: the last four digits of the"
                " person's phone or their whole e-mail",
            },
            "gate": {"type": "string", "description": "default: the device's gate"},
            "direction": DIRECTION,
            "nonce": NONCE,
        }
    ),
    responses=schemas.CHECKIN_BY_ID_ANSWERS,
)
def post_checkin():
    """Check in or out."""
    return _at_gate(json_body())


@bp.post("/scans")
@endpoint(
    "kiosk",
    "staff",
    summary="A camera scanner's check-in; the kiosk bound to the gate gets a live `scan` event",
    body=obj(
        {"code": CODE},
        {
            "gate": {"type": "string", "description": "default: the device's gate"},
            "direction": DIRECTION,
            "nonce": NONCE,
        },
    ),
    responses=schemas.CHECKIN_ANSWERS,
)
def post_scan():
    """Check in a code read by a camera; the domain shows the answer on the gate's kiosk."""
    body = json_body()
    return _at_gate({**body, "attendee_id": None, "verify": None}, source="camera")


def _at_gate(body: dict, source: str = ""):
    started = time.perf_counter()
    device = current_device()
    svc = services()
    gate = body.get("gate") or device.gate
    outcome = check_in(
        svc.store,
        svc.settings,
        svc.keys,
        code=body.get("code"),
        attendee_id=body.get("attendee_id"),
        verify=body.get("verify"),
        gate=gate,
        direction=body.get("direction", device.direction),
        nonce=body.get("nonce"),
        device=device,
        source=source,
    )
    answer = scan_answer(outcome)
    if gate:
        svc.answer_times.record(str(gate), time.perf_counter() - started)
    return answer


@bp.get("/attendees")
@endpoint(
    "kiosk",
    "staff",
    summary="Find people by name (also pinyin), email, phone or company",
    description="Staff find up to 20 people by name, pinyin, company or any part of an e-mail or"
    " phone number, and see their records. A kiosk finds up to 5 by name (characters, pinyin,"
    " initials), by a whole e-mail or by a whole phone number only, sees their names only, and"
    " may search 30 times a minute (429 with Retry-After past that).",
    params=[{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}}],
    responses={
        "200": ok(
            "up to 20 people, best first (staff); up to 5 names (a kiosk)",
            obj(
                {
                    "attendees": array(
                        {"anyOf": [ref("Person"), ref("KioskMatch")]}, maxItems=people.LIMIT
                    )
                }
            ),
        ),
        "422": error("q is longer than 200 characters"),
        "429": schemas.rate_limited("a kiosk searched too often (rate_limited)"),
    },
)
def search_attendees():
    """Search people."""
    q = request.args.get("q", "")
    if len(q) > 200:
        raise FieldErrors({"q": "at most 200"}, "query too long")
    svc = services()
    device = current_device()
    if device.role == "staff":
        rows = people.search(svc.store.conn, q)
        return jsonify({"attendees": [people.public_view(row, full=True) for row in rows]})
    identity.count_search(svc.store, device)
    rows = people.kiosk_search(svc.store.conn, q, svc.settings.default_region)
    return jsonify({"attendees": [people.kiosk_view(row) for row in rows]})


@bp.get("/attendees/<int:attendee_id>")
@endpoint(
    "staff",
    summary="One person: the whole record, badge code, consents and interaction timeline",
    responses={
        "200": ok("the person, their live badge, consents and timeline", PERSON_RECORD),
        "404": error("no such person"),
    },
)
def get_attendee(attendee_id: int):
    """The whole record of a person."""
    conn = services().store.conn
    row = attendee_sql.get(conn, attendee_id)
    if row is None:
        raise NotFound(f"no attendee {attendee_id}")
    badge = attendee_sql.live_badge(conn, attendee_id)
    timeline = [
        {
            "id": r["id"],
            "at": r["at"],
            "type": r["type"],
            "place": r["place"],
            "direction": r["direction"],
            "device_id": r["device_id"],
            "exhibitor_id": r["exhibitor_id"],
            "data": json.loads(r["data"]),
        }
        for r in interaction_sql.for_attendee(conn, attendee_id)
    ]
    if badge is not None:
        badge = {
            "code": codes.code_for(services().keys, badge["code_id"], badge["version"]),
            "version": badge["version"],
            "issued_at": badge["issued_at"],
        }
    return jsonify(
        {
            "attendee": people.public_view(row, full=True),
            "badge": badge,
            "consents": attendee_sql.current_consents(conn, attendee_id),
            "timeline": timeline,
        }
    )


@bp.get("/stats")
@endpoint(
    "staff",
    summary="Live counts",
    responses={"200": ok("the counts as of now", ref("Stats"))},
)
def get_stats():
    """Live counts."""
    svc = services()
    return jsonify(stats.compute(svc.store.conn, svc.settings))
