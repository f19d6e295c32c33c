"""Walk-up registration under /api/v1: the form a kiosk shows, and registering a person."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from kiosk.attendees import fields, registration, walkup
from kiosk.checkin.scans import attendee_summary
from kiosk.web import services, staff_session
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import json_body
from kiosk.web.schemas import BOOL, STR, TEXTS, array, error, obj, ok, ref

bp = Blueprint("api_registrations", __name__, url_prefix="/api/v1")

BODY = {
    "type": "object",
    "properties": {
        **{
            f.name: {"type": "string", "maxLength": fields.MAX_LEN, "description": f.en}
            for f in fields.PERSON
            if f.kind == "text"
        },
        "category": {"type": "string"},
        "interests": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "string", "description": "separated by ;"},
            ]
        },
        "consents": {
            "type": "object",
            "additionalProperties": {"type": "boolean"},
            "description": 'e.g. {"terms": true, "share_with_exhibitors": false}',
        },
    },
    "required": ["full_name"],
}


def walkup_form() -> walkup.Form:
    """The walk-up form as configured, checked at start."""
    return current_app.extensions["kiosk.walkup_form"]


@bp.get("/registration-form")
@endpoint(
    "kiosk",
    "staff",
    summary="What the walk-up form asks: categories, fields and required fields, consent texts",
    responses={
        "200": ok(
            "the form",
            obj(
                {
                    "languages": array(STR),
                    "default_language": STR,
                    "default_region": STR,
                    "categories": array(
                        obj(
                            {
                                "id": STR,
                                "name": TEXTS,
                                "color": STR,
                                "fields": array(STR),
                                "required": array(STR),
                            }
                        )
                    ),
                    "consents": array(
                        obj({"id": STR, "text": TEXTS, "version": STR, "required": BOOL})
                    ),
                    "labels": {
                        "type": "object",
                        "additionalProperties": TEXTS,
                        "description": "each field's name per language",
                    },
                }
            ),
        )
    },
)
def get_form():
    """The walk-up form for this show."""
    settings = services().settings
    form = walkup_form()
    return jsonify(
        {
            "languages": settings.languages,
            "default_language": settings.default_language,
            "default_region": settings.default_region,
            "categories": [
                {
                    "id": c,
                    "name": settings.categories[c].name,
                    "color": settings.categories[c].color,
                    "fields": form.fields[c],
                    "required": form.required[c],
                }
                for c in form.categories
            ],
            "consents": [
                {"id": k.id, "text": k.text, "version": k.version, "required": k.required}
                for k in settings.consents.values()
            ],
            "labels": {f.name: f.label for f in fields.PERSON if f.form},
        }
    )


@bp.post("/registrations")
@endpoint(
    "kiosk",
    "staff",
    summary="Register a person on the spot (walk-up) with their consents",
    body=BODY,
    responses={
        "201": ok(
            "registered, with a badge",
            obj({"attendee": ref("AttendeeSummary"), "badge": obj({"code": STR, "png_url": STR})}),
        ),
        "409": error(
            "already_registered: the same email, phone, or name and company; a kiosk gets only"
            " the id, to check the person in with their proof (POST /api/v1/checkins with"
            " attendee_id and verify), staff also what matched and who it is",
            {
                "allOf": [
                    ref("Error"),
                    obj(
                        {"attendee_id": {"type": "integer"}},
                        {
                            "matched_on": {
                                "type": "string",
                                "enum": ["email", "phone", "name_company"],
                            },
                            "attendee": ref("AttendeeSummary"),
                        },
                    ),
                ]
            },
        ),
        "422": error("invalid_fields: fields by name, consents as consents.<id>"),
    },
)
def post_registration():
    """Register a walk-up visitor."""
    body = json_body()
    svc = services()
    device = current_device()
    staff = device.role == "staff"
    done = registration.register(
        svc.store,
        svc.settings,
        svc.keys,
        body,
        source="staff" if staff else "walk-up",
        device_id=device.id,
        actor=staff_session.actor() if staff else "",
        form=None if staff else walkup_form(),
    )
    row, code = done.attendee, done.code
    return jsonify(
        {
            "attendee": attendee_summary(row, svc.settings),
            "badge": {"code": code, "png_url": f"/api/v1/attendees/{row['id']}/badge.png"},
        }
    ), 201
