"""Lead capture API under /api/v1: scan, list, qualify, download, consent, questions."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.exhibitors import manage as exhibitor_admin
from kiosk.leads import capture as leads
from kiosk.leads import export
from kiosk.leads.answers import FOLLOW_UPS
from kiosk.leads.views import lead_view, matches
from kiosk.storage import exhibitors as exhibitor_sql
from kiosk.storage import leads as sql
from kiosk.storage import reports
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import batch_item, captured_status, json_body

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
    {"name": "q", "in": "query", "schema": {"type": "string"}},
    {"name": "rating", "in": "query", "schema": {"type": "string"}},
    {"name": "follow_up", "in": "query", "schema": {"type": "string"}},
    {
        "name": "answer.QUESTION",
        "in": "query",
        "schema": {"type": "string"},
        "description": "only leads whose answer to QUESTION contains or includes this value",
    },
    {
        "name": "exhibitor_id",
        "in": "query",
        "schema": {"type": "integer"},
        "description": "staff: one exhibitor",
    },
]


def _exhibitor_scope(device: Device) -> int | None:
    if device.role == "exhibitor":
        return device.exhibitor_id
    raw = request.args.get("exhibitor_id")
    if raw is None:
        return None
    if not raw.isdigit():
        raise FieldErrors({"exhibitor_id": "an id"}, "bad exhibitor_id")
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
    views = [lead_view(r) for r in rows]
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
    summary="Record a badge scan at the booth: create or update the lead",
    body={
        "type": "object",
        "required": ["code", "client_ref"],
        "properties": {
            "code": {"type": "string"},
            "client_ref": {
                "type": "string",
                "maxLength": 100,
                "description": "the device's id of this scan; a resend records nothing",
            },
            "scanned_at": {
                "type": "string",
                "format": "date-time",
                "description": "the original scan time (offline queues keep it)",
            },
            **LEAD_FIELDS,
        },
    },
    responses={
        "201": "a new lead: {lead, duplicate: false}",
        "200": "an existing lead updated (null fields keep their value), or a resent client_ref",
        "404": "an invalid, forged or revoked badge code",
        "422": "a field at fault",
    },
)
def post_lead():
    """Capture a lead."""
    svc = services()
    result = leads.capture(svc.store, svc.keys, current_device(), json_body())
    return jsonify({"lead": result.lead, "duplicate": result.duplicate}), captured_status(result)


@bp.post("/leads/batch")
@endpoint(
    "exhibitor",
    summary="Send a device's queued scans in one go (offline backlog), in order, exactly once",
    body={
        "type": "object",
        "required": ["scans"],
        "properties": {
            "scans": {
                "type": "array",
                "maxItems": BATCH_MAX,
                "items": {"type": "object", "description": "as POST /api/v1/leads"},
            }
        },
    },
    responses={
        "200": "{results: [{client_ref, status: 201|200|404|422, lead | error, duplicate}]}",
        "422": "scans missing or too many",
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
    params=LIST_PARAMS,
    responses={"200": "{leads: [...]}, contact details only where the visitor consented"},
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
    params=LIST_PARAMS,
    responses={"200": "text/csv"},
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
    params=LIST_PARAMS,
    responses={"200": "text/vcard"},
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
    body={"type": "object", "properties": LEAD_FIELDS},
    responses={"200": "{lead}", "404": "no such lead", "422": "a field at fault"},
)
def patch_lead(lead_id: int):
    """Update a lead."""
    view = leads.update(services().store, current_device(), lead_id, json_body())
    return jsonify({"lead": view})


@bp.post("/leads/<int:lead_id>/consent")
@endpoint(
    "exhibitor",
    summary="The visitor agrees on the booth's device to share contact details with this exhibitor",
    body={
        "type": "object",
        "required": ["agree", "language"],
        "properties": {
            "agree": {"type": "boolean", "enum": [True]},
            "language": {"type": "string"},
        },
    },
    responses={"200": "{lead} with contact details", "422": "agree must be true"},
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
    responses={"200": "{exhibitor, questions, follow_ups, consent}"},
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
    body={
        "type": "object",
        "required": ["questions"],
        "properties": {
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
        },
    },
    responses={
        "200": "{questions}: as stored, every label by language, every option {id, label}",
        "404": "no such exhibitor",
        "422": "questions[i].field",
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
    responses={"200": "{exhibitors: [{id, name, booth, leads, scans, hot}]}"},
)
def lead_counts():
    """Lead counts per exhibitor."""
    rows = reports.leads_per_exhibitor(services().store.conn)
    return jsonify({"exhibitors": rows})
