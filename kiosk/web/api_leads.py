"""Lead capture API under /api/v1: scan, list, qualify, download, consent, questions."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from kiosk.cards import leads as card_leads
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.exhibitors import manage as exhibitor_admin
from kiosk.leads import capture as leads
from kiosk.leads import export
from kiosk.leads.answers import FOLLOW_UPS
from kiosk.leads.views import lead_view, matches
from kiosk.storage import MAX_ROW_ID, reports
from kiosk.storage import exhibitors as exhibitor_sql
from kiosk.storage import leads as sql
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import batch_item, captured_status, json_body
from kiosk.web.schemas import (
    BOOL,
    CODE,
    ID,
    INT,
    STR,
    TEXTS,
    array,
    error,
    file,
    nullable,
    obj,
    ok,
    ref,
)

bp = Blueprint("api_leads", __name__, url_prefix="/api/v1")

LEAD_FIELDS = {
    "rating": {"type": "string", "enum": ["hot", "warm", "cold", ""], "nullable": True},
    "notes": {"type": "string", "nullable": True},
    "answers": {"type": "object", "nullable": True, "description": "question id -> answer"},
    "follow_up": {"type": "array", "items": {"type": "string", "enum": list(FOLLOW_UPS)}},
}
BATCH_MAX = 200
LABEL = {
    "oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}],
    "description": "one text for every language, or texts by language; no '|', ' / ' or line break",
}
LIST_PARAMS = [
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "search text"},
    {"name": "rating", "in": "query", "schema": {"type": "string", "enum": list(leads.RATINGS)}},
    {"name": "follow_up", "in": "query", "schema": {"type": "string"}},
    {
        "name": "exhibitor_id",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0},
        "description": "staff: one exhibitor (an exhibitor device always gets its own)",
    },
]
LIST_DESCRIPTION = (
    "`answer.QUESTION=VALUE` parameters keep only leads whose answer to QUESTION contains or"
    " includes VALUE."
)
LIST_REFUSED = {"422": error("bad rating or exhibitor_id: fields")}
CAPTURED = obj({"lead": ref("Lead"), "duplicate": BOOL})
ONE_LEAD = obj({"lead": ref("Lead")})
BATCH_RESULT = obj(
    {
        "client_ref": {"description": "as sent"},
        "status": {"type": "integer", "enum": [200, 201, 404, 422]},
    },
    {
        "lead": ref("Lead"),
        "duplicate": BOOL,
        "error": STR,
        "message": STR,
        "fields": {"type": "object", "additionalProperties": STR},
    },
    description="what POST /leads would have answered for this scan",
)
QUESTION = obj(
    {
        "id": STR,
        "type": {"type": "string", "enum": ["text", "single", "multiple"]},
        "label": TEXTS,
    },
    {"options": array(obj({"id": STR, "label": TEXTS}))},
)


def _exhibitor_scope(device: Device) -> int | None:
    if device.role == "exhibitor":
        return device.exhibitor_id
    raw = request.args.get("exhibitor_id")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_ROW_ID:
        raise FieldErrors({"exhibitor_id": "an exhibitor's id"}, "bad exhibitor_id")
    return int(raw)


def _selected() -> tuple[list[dict], int | None]:
    device = current_device()
    scope = _exhibitor_scope(device)
    args = request.args
    rating = args.get("rating", "")
    if rating not in leads.RATINGS:
        raise FieldErrors({"rating": "hot, warm or cold"}, "bad rating")
    answers = {k[len("answer.") :]: v for k, v in args.items() if k.startswith("answer.") and v}
    rows = sql.listing(services().store.conn, scope)
    # A business card is its booth's: staff see its company, not what else it says.
    views = [lead_view(r, cards=device.role == "exhibitor") for r in rows]
    chosen = [
        v
        for v in views
        if matches(
            v,
            q=args.get("q", "")[:200],
            rating=rating,
            answers=answers,
            follow_up=args.get("follow_up", ""),
        )
    ]
    return chosen, scope


@bp.post("/leads")
@endpoint(
    "exhibitor",
    summary="Record a badge scan (or a business card) at the booth: create or update the lead",
    description="Send `code` for a badge, or `card_id` (from POST /api/v1/cards) with the card's"
    " `fields` as staff confirmed or corrected them: a card whose e-mail or phone is a registered"
    " visitor's makes or updates that visitor's lead, any other card a contact-only lead"
    " (source business_card).",
    body=obj(
        {
            "client_ref": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "the device's id of this scan; a resend records nothing",
            },
        },
        {
            "code": {**CODE, "description": "the badge code scanned"},
            "card_id": {**ID, "description": "instead of code: a card read at this booth"},
            "fields": {
                **ref("CardFields"),
                "description": "with card_id: the card's fields as confirmed (default: as read)",
            },
            "scanned_at": {
                "type": "string",
                "format": "date-time",
                "description": "the original scan time (offline queues keep it; a card's"
                " default is when its photo was taken)",
            },
            **LEAD_FIELDS,
        },
    ),
    responses={
        "201": ok("a new lead", CAPTURED),
        "200": ok(
            "an existing lead updated (null fields keep their value), or a resent client_ref"
            " (duplicate: true, nothing recorded)",
            CAPTURED,
        ),
        "404": error(
            "invalid_code: an invalid, forged or revoked badge code; no_such_card: no card of"
            " that id at this booth"
        ),
        "422": error("a field at fault (fields.emails[0], ...), or both code and card_id"),
    },
)
def post_lead():
    """Capture a lead."""
    svc = services()
    body = json_body()
    if "card_id" in body:
        if body.get("code") is not None:
            raise FieldErrors({"card_id": "send code or card_id, not both"})
        result = card_leads.capture_card(svc.store, svc.settings, current_device(), body)
        return jsonify({"lead": result.lead, "duplicate": result.duplicate}), captured_status(
            result
        )
    result = leads.capture(svc.store, svc.keys, current_device(), body)
    return jsonify({"lead": result.lead, "duplicate": result.duplicate}), captured_status(result)


@bp.post("/leads/batch")
@endpoint(
    "exhibitor",
    summary="Send a device's queued scans in one go (offline backlog), in order, exactly once",
    body=obj(
        {
            "scans": {
                "type": "array",
                "maxItems": BATCH_MAX,
                "items": {"type": "object", "description": "as POST /api/v1/leads"},
            }
        }
    ),
    responses={
        "200": ok("one result per scan, in order", obj({"results": array(BATCH_RESULT)})),
        "422": error("scans missing or too many"),
    },
)
def post_lead_batch():
    """Capture queued leads."""
    scans = json_body().get("scans")
    if not isinstance(scans, list) or not 0 < len(scans) <= BATCH_MAX:
        raise FieldErrors({"scans": f"1 to {BATCH_MAX} scans"}, "bad scans")
    svc = services()
    results = leads.capture_batch(svc.store, svc.keys, current_device(), scans)
    return jsonify({"results": [batch_item(ref, result) for ref, result in results]})


@bp.get("/leads")
@endpoint(
    "exhibitor",
    "staff",
    summary="Leads: an exhibitor its own, staff all; search and filters",
    description=LIST_DESCRIPTION,
    params=LIST_PARAMS,
    responses={
        "200": ok(
            "the leads; contact details only where the visitor consented",
            obj({"leads": array(ref("Lead")), "count": INT}),
        ),
        **LIST_REFUSED,
    },
)
def list_leads():
    """List leads."""
    chosen, _ = _selected()
    return jsonify({"leads": chosen, "count": len(chosen)})


def _questions_for(scope: int | None) -> list[dict]:
    return leads.questions_of(services().store.conn, scope) if scope is not None else []


@bp.get("/leads.csv")
@endpoint(
    "exhibitor",
    "staff",
    summary="Leads as CSV (UTF-8 with BOM)",
    description=LIST_DESCRIPTION,
    params=LIST_PARAMS,
    responses={
        "200": file(
            "the selection; formula-safe cells, one answer:<id> column per question", "text/csv"
        ),
        **LIST_REFUSED,
    },
)
def leads_csv():
    """Download leads as CSV."""
    chosen, scope = _selected()
    return Response(
        export.to_csv(chosen, _questions_for(scope)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=leads.csv"},
    )


@bp.get("/leads.vcf")
@endpoint(
    "exhibitor",
    "staff",
    summary="Leads as vCard 4.0",
    description=LIST_DESCRIPTION,
    params=LIST_PARAMS,
    responses={"200": file("the selection, one vCard per lead", "text/vcard"), **LIST_REFUSED},
)
def leads_vcard():
    """Download leads as vCard."""
    chosen, _ = _selected()
    return Response(
        export.to_vcard(chosen),
        mimetype="text/vcard",
        headers={"Content-Disposition": "attachment; filename=leads.vcf"},
    )


@bp.patch("/leads/<int:lead_id>")
@endpoint(
    "exhibitor",
    summary="Rate, annotate, answer questions, set follow-ups of an own lead",
    body=obj(optional=LEAD_FIELDS),
    responses={
        "200": ok("the lead as it is now", ONE_LEAD),
        "403": error("another exhibitor's lead"),
        "404": error("no such lead"),
        "422": error("a field at fault, or none sent: fields"),
    },
)
def patch_lead(lead_id: int):
    """Update a lead."""
    view = leads.update(services().store, current_device(), lead_id, json_body())
    return jsonify({"lead": view})


@bp.post("/leads/<int:lead_id>/consent")
@endpoint(
    "exhibitor",
    summary="The visitor agrees on the booth's device to share contact details with this exhibitor",
    body=obj({"agree": {"type": "boolean", "enum": [True]}, "language": {"type": "string"}}),
    responses={
        "200": ok("the lead, now with the visitor's contact details", ONE_LEAD),
        "403": error("another exhibitor's lead"),
        "404": error("no such lead"),
        "409": error("no_consent_configured: the show has no sharing consent"),
        "422": error("agree is not true, or an unknown language: fields"),
    },
)
def post_consent(lead_id: int):
    """Record consent given at the booth."""
    body = json_body()
    if body.get("agree") is not True:
        raise FieldErrors({"agree": "must be true"}, "the visitor must tap agree")
    svc = services()
    view = leads.consent_on_the_spot(
        svc.store, svc.settings, current_device(), lead_id, body.get("language")
    )
    return jsonify({"lead": view})


@bp.get("/exhibitor")
@endpoint(
    "exhibitor",
    summary="The calling device's exhibitor: questions, follow-up flags, the sharing consent text",
    responses={
        "200": ok(
            "what the exhibitor page needs to start",
            obj(
                {
                    "exhibitor": obj({"id": INT, "name": STR, "booth": STR}),
                    "device": obj({"id": INT, "name": STR}),
                    "questions": array(QUESTION),
                    "follow_ups": array(STR),
                    "categories": {"type": "object", "additionalProperties": TEXTS},
                    "consent": nullable(obj({"key": STR, "version": STR, "text": TEXTS})),
                }
            ),
        )
    },
)
def my_exhibitor():
    """What the exhibitor page needs to start."""
    svc = services()
    device = current_device()
    row = exhibitor_sql.exhibitor(svc.store.conn, device.exhibitor_id)
    consent = svc.settings.consents.get(sql.SHARE)
    return jsonify(
        {
            "exhibitor": {"id": row["id"], "name": row["name"], "booth": row["booth"]},
            "device": {"id": device.id, "name": device.name},
            "questions": json.loads(row["questions"]),
            "follow_ups": list(FOLLOW_UPS),
            "categories": {c.id: c.name for c in svc.settings.categories.values()},
            "consent": None
            if consent is None
            else {"key": sql.SHARE, "version": consent.version, "text": consent.text},
        }
    )


@bp.put("/exhibitors/<int:exhibitor_id>/questions")
@endpoint(
    "staff",
    summary="Set an exhibitor's qualifying questions (text, single or multiple choice)",
    body=obj(
        {
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "type", "label"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,39}$"},
                        "type": {"enum": ["text", "single", "multiple"]},
                        "label": LABEL,
                        "options": {
                            "type": "array",
                            "minItems": 2,
                            "maxItems": 20,
                            "description": "choices only: an option id, or {id, label}",
                            "items": {
                                "oneOf": [
                                    {"type": "string"},
                                    {
                                        "type": "object",
                                        "required": ["id"],
                                        "properties": {"id": {"type": "string"}, "label": LABEL},
                                    },
                                ]
                            },
                        },
                    },
                },
            }
        }
    ),
    responses={
        "200": ok(
            "the questions as stored: every label by language, every option {id, label}",
            obj({"questions": array(QUESTION)}),
        ),
        "404": error("no such exhibitor"),
        "422": error("a question at fault: fields names it, e.g. questions[2].options"),
    },
)
def put_questions(exhibitor_id: int):
    """Replace an exhibitor's questions."""
    questions = exhibitor_admin.set_questions(
        services().store,
        exhibitor_id,
        json_body().get("questions"),
        actor=current_device().actor,
        languages=services().settings.languages,
    )
    return jsonify({"questions": questions})


@bp.get("/leads/counts")
@endpoint(
    "staff",
    summary="Leads per exhibitor",
    responses={
        "200": ok(
            "per exhibitor with leads",
            obj(
                {
                    "exhibitors": array(
                        obj(
                            {
                                "id": INT,
                                "name": STR,
                                "booth": STR,
                                "leads": INT,
                                "scans": INT,
                                "hot": INT,
                            }
                        )
                    )
                }
            ),
        )
    },
)
def lead_counts():
    """Lead counts per exhibitor."""
    rows = reports.leads_per_exhibitor(services().store.conn)
    return jsonify({"exhibitors": rows})
