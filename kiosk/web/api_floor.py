"""API for the show floor: session attendance, the exit survey, device heartbeats, sessions."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from kiosk.checkin import sessions as attendance
from kiosk.errors import FieldErrors
from kiosk.stats import dashboard
from kiosk.survey import answers as survey
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import json_body, scan_answer
from kiosk.web.schemas import (
    BOOL,
    CODE,
    INT,
    NONCE,
    NUM,
    STR,
    TIME,
    array,
    error,
    nullable,
    obj,
    ok,
    ref,
    refused,
)

SESSION_COUNTED = obj(
    {
        "status": {"type": "string", "enum": ["ok"]},
        "interaction_id": INT,
        "type": {"type": "string", "enum": list(attendance.TYPES)},
        "session": STR,
        "at": TIME,
        "attendee": ref("AttendeeSummary"),
        "attended": INT,
        "capacity": nullable(INT),
        "over_capacity": BOOL,
        "outside": {
            "type": "string",
            "nullable": True,
            "enum": ["session_not_started", "session_ended", None],
            "description": "set when the door staff confirmed a scan outside the session's time",
        },
    }
)
SESSION_REFUSED = refused(
    ["already_attended", "revoked", "session_not_started", "session_ended"],
    {"attendee": ref("AttendeeSummary")},
    {
        "attended_at": TIME,
        "session": STR,
        "attended": INT,
        "capacity": nullable(INT),
        "starts": nullable(TIME),
        "ends": nullable(TIME),
        "can_confirm": {
            "type": "boolean",
            "description": "the door staff may send the scan again with confirm: true",
        },
    },
)
# What every device entry says of the device (the health list's and the summary's).
DEVICE_SEEN = {
    "id": INT,
    "name": STR,
    "role": STR,
    "gate": nullable(STR),
    "last_seen": nullable(STR),
    "age_s": nullable(NUM),
    "online": BOOL,
}
DEVICE_PRINTER = {"printer": nullable(STR), "printer_state": nullable({"type": "object"})}
DEVICE_HEALTH = obj(DEVICE_SEEN, DEVICE_PRINTER)
DEVICE_COUNTS = obj({"total": INT, "online": INT, "offline": INT, "never": INT, "trouble": INT})
SUMMARY_ENTRY = obj(
    {
        **DEVICE_SEEN,
        "trouble": nullable(
            {
                "type": "string",
                "description": "why it needs attention: `offline` (silent, it answered before) "
                "or `printer` (its printer reports trouble); null when fine",
            }
        ),
    },
    DEVICE_PRINTER,
)
DEVICE_SUMMARY = obj(
    {
        "at": {"type": "string", "description": "the server's time; ages count from it"},
        "total": INT,
        "by_role": {"type": "object", "additionalProperties": DEVICE_COUNTS},
        "kiosks": array(SUMMARY_ENTRY),
        "kiosks_total": INT,
        "attention": array(SUMMARY_ENTRY),
        "attention_total": INT,
    }
)
PRINTER_STATE = obj(
    {"printer": STR, "state": STR, "ok": BOOL},
    {"message": nullable(STR), "checked_at": nullable(STR)},
)
DASHBOARD = obj(
    {
        "dashboard": obj(
            {
                "stats": ref("Stats"),
                "arrivals": array(obj({"t": STR, "n": INT})),
                "booths": array({"type": "object"}),
                "latest": array({"type": "object"}),
                "sessions": array(ref("Session")),
                "survey": obj(
                    {
                        "answers": INT,
                        "satisfaction_mean": nullable(NUM),
                        "satisfaction": {"type": "object", "additionalProperties": INT},
                        "nps": nullable(INT),
                        "return_yes": nullable(INT),
                        "purposes": {"type": "object", "additionalProperties": INT},
                    }
                ),
                "alerts": array(obj({"kind": STR, "message": STR, "at": STR})),
            }
        ),
        "devices": array(DEVICE_HEALTH),
        "device_summary": DEVICE_SUMMARY,
        "printers": array(PRINTER_STATE),
    }
)

bp = Blueprint("api_floor", __name__, url_prefix="/api/v1")


@bp.post("/interactions")
@endpoint(
    "kiosk",
    "staff",
    summary="Record a badge scan at a door: session attendance",
    body=obj(
        {
            "code": CODE,
            "type": {"type": "string", "enum": list(attendance.TYPES)},
            "place": {"type": "string", "description": "the session id, e.g. forum-1"},
        },
        {
            "nonce": NONCE,
            "confirm": {
                "type": "boolean",
                "description": "the door staff count the person in although the session is not "
                'running ([door] outside = "confirm")',
            },
        },
    ),
    responses={
        "201": ok(
            "counted in (over_capacity: the room is full, the door staff decide)", SESSION_COUNTED
        ),
        "200": ok(
            "a known badge refused: counted already, or outside the session's time "
            "(from [door] early_minutes before it starts to late_minutes after it ends)",
            SESSION_REFUSED,
        ),
        "404": ok("an unknown or forged code", ref("InvalidCode")),
        "422": error("bad type, place, code, nonce or confirm: fields"),
    },
)
def post_interaction():
    """Count a badge into a session."""
    svc = services()
    outcome = attendance.record(svc.store, svc.settings, svc.keys, json_body(), current_device())
    return scan_answer(outcome)


@bp.post("/surveys/responses")
@endpoint(
    "kiosk",
    "staff",
    summary="Store an exit-survey answer (anonymous unless a badge code is given)",
    body=obj(
        {
            "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
            "recommend": {"type": "integer", "minimum": 0, "maximum": 10},
        },
        {
            "code": {
                "type": "string",
                "maxLength": 100,
                "nullable": True,
                "description": "the visitor's badge code; without it the answer is anonymous",
            },
            "return_intent": {"type": "boolean", "nullable": True},
            "purpose": {
                "type": "array",
                "items": {"type": "string", "enum": list(survey.PURPOSES)},
            },
            "comment": {"type": "string", "maxLength": survey.MAX_COMMENT},
        },
    ),
    responses={
        "201": ok(
            "stored",
            obj(
                {
                    "response": obj(
                        {
                            "id": INT,
                            "at": TIME,
                            "day": STR,
                            "anonymous": BOOL,
                            "attendee_id": nullable(INT),
                        }
                    )
                }
            ),
        ),
        "404": error("an unknown or forged badge code"),
        "409": error("already_answered (one answer per badge per day) or revoked"),
        "422": error("values out of range: fields"),
    },
)
def post_survey():
    """Store an exit-survey answer."""
    svc = services()
    response = survey.answer(svc.store, svc.settings, svc.keys, json_body(), current_device())
    return jsonify({"response": response}), 201


@bp.post("/surveys/badge")
@endpoint(
    "kiosk",
    "staff",
    summary="Check a badge scanned at the exit survey before the visitor answers",
    body=obj({"code": CODE}),
    responses={
        "200": ok(
            "the badge may answer (nothing about its holder is told)",
            obj({"ok": {"type": "boolean", "enum": [True]}}),
        ),
        "404": error("an unknown or forged badge code"),
        "409": error("already_answered (one answer per badge per day) or revoked"),
        "422": error("no code: fields"),
    },
)
def post_survey_badge():
    """Check a badge for the exit survey."""
    svc = services()
    return jsonify(survey.check_badge(svc.store, svc.settings, svc.keys, json_body()))


@bp.post("/heartbeat")
@endpoint(
    "kiosk",
    "exhibitor",
    summary="A device says it is alive (every few seconds), optionally with its printer's state",
    body=obj(
        optional={
            "printer": {
                "type": "object",
                "properties": {
                    "state": {"type": "string", "enum": ["ok", "error", "offline"]},
                    "message": {"type": "string"},
                },
            }
        }
    ),
    responses={
        "200": ok(
            "noted; the device shows offline after offline_after_s without one",
            obj({"ok": {"type": "boolean", "enum": [True]}, "offline_after_s": INT}),
        ),
        "422": error("printer is not an object"),
    },
)
def post_heartbeat():
    """Record a heartbeat."""
    body = json_body()
    printer = body.get("printer")
    if printer is not None and not isinstance(printer, dict):
        raise FieldErrors({"printer": "an object"}, "printer must be an object")
    current_app.extensions["kiosk.live"].heartbeats.beat(current_device().id, printer)
    return jsonify({"ok": True, "offline_after_s": 10})


@bp.get("/sessions")
@endpoint(
    "kiosk",
    "staff",
    summary="The show's sessions with room, times, capacity and attendance so far",
    responses={"200": ok("the sessions", obj({"sessions": array(ref("Session"))}))},
)
def get_sessions():
    """Sessions and their attendance."""
    svc = services()
    return jsonify({"sessions": dashboard.sessions(svc.store.conn, svc.settings)})


@bp.get("/dashboard")
@endpoint(
    "staff",
    summary="Everything the live dashboard shows, as of now",
    responses={"200": ok("the dashboard, device health and printers", DASHBOARD)},
)
def get_dashboard():
    """The dashboard snapshot (also pushed over Socket.IO as `dashboard`)."""
    return jsonify(current_app.extensions["kiosk.live"].dashboard_now())
