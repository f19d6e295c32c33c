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

bp = Blueprint("api_floor", __name__, url_prefix="/api/v1")


@bp.post("/interactions")
@endpoint(
    "kiosk",
    "staff",
    summary="Record a badge scan at a door: session attendance",
    body={
        "type": "object",
        "required": ["code", "type", "place"],
        "properties": {
            "code": {"type": "string", "maxLength": 100},
            "type": {"type": "string", "enum": list(attendance.TYPES)},
            "place": {"type": "string", "description": "the session id, e.g. forum-1"},
            "nonce": {
                "type": "string",
                "maxLength": 100,
                "description": "retrying with the same nonce returns the first answer",
            },
        },
    },
    responses={
        "201": "counted in: {status: ok, session, attendee, attended, capacity, over_capacity}",
        "200": "a known badge refused: {status: error, reason: already_attended | revoked}",
        "404": "an unknown or forged code: {status: error, reason: invalid}",
        "422": "bad type, place, code or nonce: {fields}",
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
    body={
        "type": "object",
        "required": ["satisfaction", "recommend"],
        "properties": {
            "code": {"type": "string", "description": "the visitor's badge code (optional)"},
            "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
            "recommend": {"type": "integer", "minimum": 0, "maximum": 10},
            "return_intent": {"type": "boolean", "nullable": True},
            "purpose": {
                "type": "array",
                "items": {"type": "string", "enum": list(survey.PURPOSES)},
            },
            "comment": {"type": "string", "maxLength": survey.MAX_COMMENT},
        },
    },
    responses={
        "201": "{response: {id, at, day, anonymous, attendee_id}}",
        "404": "an unknown or forged badge code",
        "409": "already_answered (one answer per badge per day) or revoked",
        "422": "values out of range: {fields}",
    },
)
def post_survey():
    """Store an exit-survey answer."""
    svc = services()
    response = survey.answer(svc.store, svc.settings, svc.keys, json_body(), current_device())
    return jsonify({"response": response}), 201


@bp.post("/heartbeat")
@endpoint(
    "kiosk",
    "exhibitor",
    summary="A device says it is alive (every few seconds), optionally with its printer's state",
    body={
        "type": "object",
        "properties": {
            "printer": {
                "type": "object",
                "properties": {
                    "state": {"type": "string", "enum": ["ok", "error", "offline"]},
                    "message": {"type": "string"},
                },
            }
        },
    },
    responses={"200": "{ok: true, offline_after_s}"},
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
    responses={"200": "{sessions: [{id, name, room, starts, ends, capacity, attended}]}"},
)
def get_sessions():
    """Sessions and their attendance."""
    svc = services()
    return jsonify({"sessions": dashboard.sessions(svc.store.conn, svc.settings)})


@bp.get("/dashboard")
@endpoint("staff", summary="Everything the live dashboard shows, as of now")
def get_dashboard():
    """The dashboard snapshot (also pushed over Socket.IO as `dashboard`)."""
    return jsonify(current_app.extensions["kiosk.live"].dashboard_now())
