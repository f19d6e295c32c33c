"""JSON schemas of the API's answers, as data, for the OpenAPI description (kiosk/web/openapi.py).

Routes name their answers per status with `ok(...)`, `error(...)` and `file(...)` in their
`@endpoint(...)`. Named schemas live in COMPONENTS and are referenced with `ref(name)`. Objects
list the keys every answer carries as required; answers may carry more (additional properties
are allowed), so a new key is not a breaking change, a missing or retyped one is.
"""

from __future__ import annotations

from kiosk.attendees import fields as person_fields

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
NUM = {"type": "number"}
TIME = {"type": "string", "description": "UTC, ISO 8601 with milliseconds and Z"}
TEXTS = {
    "type": "object",
    "additionalProperties": STR,
    "description": "a text per language, e.g. {zh, en}",
}
COUNTS = {"type": "object", "additionalProperties": INT}
ID = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
# Request fields several routes share.
CODE = {"type": "string", "minLength": 1, "maxLength": 100, "description": "a badge code as read"}
NONCE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "description": "a fresh one per scan; retrying with the same nonce returns the first answer",
}


def nullable(schema: dict) -> dict:
    """The schema, or null."""
    return {**schema, "nullable": True}


def array(items: dict, **extra) -> dict:
    """A list of items."""
    return {"type": "array", "items": items, **extra}


def obj(required: dict | None = None, optional: dict | None = None, **extra) -> dict:
    """An object: `required` keys are always there, `optional` ones only where they apply."""
    schema: dict = {"type": "object", "properties": {**(required or {}), **(optional or {})}}
    if required:
        schema["required"] = sorted(required)
    return {**schema, **extra}


def refused(
    reasons: list[str], required: dict | None = None, optional: dict | None = None, **extra
) -> dict:
    """A scan answer that refuses: status "error", one of `reasons` and a message to show."""
    return obj(
        {
            "status": {"type": "string", "enum": ["error"]},
            "reason": {"type": "string", "enum": reasons},
            "message": STR,
            **(required or {}),
        },
        optional,
        **extra,
    )


def ref(name: str) -> dict:
    """A reference to a named schema of COMPONENTS."""
    return {"$ref": f"#/components/schemas/{name}"}


def ok(description: str, schema: dict) -> dict:
    """A JSON answer with its schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str, schema: dict | None = None) -> dict:
    """A refusal in the API's one error shape (or a named extension of it)."""
    return ok(description, schema or ref("Error"))


def file(description: str, media_type: str) -> dict:
    """A file answer (PNG, PDF, CSV, vCard)."""
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


def with_error(**fields: dict) -> dict:
    """The error shape plus more fields, all of them present."""
    return {"allOf": [ref("Error"), obj(fields)]}


ATTENDEE_SUMMARY = obj(
    {
        "id": INT,
        "full_name": STR,
        "company": STR,
        "category": STR,
        "category_name": TEXTS,
        "language": STR,
    },
    description="what a kiosk may show about the person it greets",
)

# A person's keys as answers carry them (kiosk.attendees.fields.PERSON lists the fields).
FIELD_SCHEMAS = {
    "interests": array(STR),
    "external_id": nullable(STR),
    "status": {"type": "string", "enum": ["active", "merged", "erased"]},
    "created_at": TIME,
    "updated_at": TIME,
}
MASKED = {
    "email": {"type": "string", "description": "masked for a kiosk"},
    "phone": {"type": "string", "description": "masked for a kiosk, E.164 for staff"},
}


def _fields(names) -> dict:
    return {name: FIELD_SCHEMAS.get(name, STR) for name in names}


PERSON = obj(
    {"id": INT, **_fields(f.name for f in person_fields.PERSON if f.kiosk), **MASKED},
    _fields(f.name for f in person_fields.PERSON if not f.kiosk),
    description="a person; the optional keys only for staff",
)

NAME_MATCH = obj(
    {"id": INT, "full_name": STR},
    description="a person as a kiosk's search shows them: the name only",
)

VISITOR = obj(
    {
        "id": nullable(INT),
        **_fields(f.name for f in person_fields.PERSON if f.exhibitor == "shown"),
        "contact_shared": BOOL,
    },
    {
        **_fields(f.name for f in person_fields.PERSON if f.exhibitor == "shared"),
        "from_card": {**BOOL, "description": "the contact details are the business card's"},
    },
    description="the scanned visitor; name and contact details only where they agreed to share"
    " or handed over a business card (id null: a contact from a card, not a registered visitor)",
)

CARD_FIELDS = obj(
    {
        "full_name": STR,
        "company": STR,
        "job_title": STR,
        "emails": array(STR),
        "phones": array(
            obj(
                {
                    "number": {**STR, "description": "E.164 where the number is valid"},
                    "type": {"type": "string", "enum": ["mobile", "office", "fax", "other"]},
                }
            )
        ),
        "website": STR,
        "address": STR,
    },
    description="what a business card says",
)
CARD = obj(
    {
        "id": INT,
        "fields": ref("CardFields"),
        "lines": array(STR, description="the text read, line by line"),
        "attendee_id": nullable(
            {**INT, "description": "the registered visitor with one of its e-mails or phones"}
        ),
        "lead_id": nullable({**INT, "description": "the lead it became, once confirmed"}),
        "taken_at": TIME,
        "images": array(STR, description="where this exhibitor fetches each photo"),
    },
    description="a business card read at the booth, visible to its exhibitor only",
)

LEAD = obj(
    {
        "id": INT,
        "exhibitor_id": INT,
        "exhibitor_name": STR,
        "visitor": ref("Visitor"),
        "first_scanned_at": TIME,
        "last_scanned_at": TIME,
        "scans": INT,
        "rating": {"type": "string", "enum": ["", "hot", "warm", "cold"]},
        "notes": STR,
        "answers": {"type": "object", "description": "question id -> answer"},
        "follow_up": array(STR),
        "device_id": nullable(INT),
        "updated_at": TIME,
        "source": {"type": "string", "enum": ["badge_scan", "business_card"]},
        "contact_only": {
            **BOOL,
            "description": "a contact from a business card of someone not registered",
        },
        "card": nullable(
            obj(
                {"id": INT, "fields": ref("CardFields"), "image_url": STR},
                description="the latest card given at the booth, its fields as confirmed",
            )
        ),
    }
)

SCAN_OK = obj(
    {
        "status": {"type": "string", "enum": ["ok"]},
        "direction": {"type": "string", "enum": ["in", "out"]},
        "gate": STR,
        "at": TIME,
        "attendee": ref("AttendeeSummary"),
    },
    {"first_visit": BOOL, "at_local": {"type": "string", "description": "HH:MM, venue time"}},
)

SCAN_REFUSED = refused(
    [
        "already_checked_in",
        "already_checked_out",
        "revoked",
        "not_allowed",
        "no_reentry",
        "not_checked_in",
    ],
    optional={
        "attendee": ref("AttendeeSummary"),
        "direction": {
            "type": "string",
            "enum": ["in", "out"],
            "description": "the passage refused (a both-ways kiosk's choice)",
        },
        "checked_in_at": TIME,
        "checked_in_local": STR,
        "checked_in_day": {"type": "string", "description": "local date, YYYY-MM-DD"},
        "checked_in_today": BOOL,
        "checked_in_gate": STR,
        "checked_in_gate_name": TEXTS,
        "checked_out_at": TIME,
        "checked_out_local": STR,
        "checked_out_day": {"type": "string", "description": "local date, YYYY-MM-DD"},
        "checked_out_today": BOOL,
        "checked_out_gate": STR,
        "checked_out_gate_name": TEXTS,
        "day_closed": {
            "type": "boolean",
            "description": "the person was checked out when the show day closed",
        },
        "rule": {"type": "string", "enum": ["category", "hours"]},
        "allowed": array(obj({"id": STR, "name": TEXTS})),
        "opens": nullable(STR),
        "closes": nullable(STR),
    },
    description="a known badge refused; already_checked_in and already_checked_out say when"
    " (the day too: *_today false) and where, not_allowed why",
)

INVALID_CODE = refused(
    ["invalid"],
    description="an unknown or forged code (or, by attendee_id, no such person)",
)

SESSION = obj(
    {
        "id": STR,
        "name": TEXTS,
        "room": STR,
        "starts": nullable(STR),
        "ends": nullable(STR),
        "capacity": nullable(INT),
        "attended": INT,
    }
)

STATS = obj(
    {
        "registered": INT,
        "checked_in": INT,
        "inside_now": INT,
        "by_gate": {
            "type": "object",
            "additionalProperties": obj({"in": INT, "out": INT, "inside": INT}),
        },
        "by_category": {
            "type": "object",
            "additionalProperties": obj({"registered": INT, "checked_in": INT}),
        },
        "by_hour": {**COUNTS, "description": "show-local hour (YYYY-MM-DDTHH:00) -> check-ins"},
        "leads": INT,
        "leads_by_exhibitor": array(
            obj({"id": INT, "name": STR, "booth": STR, "leads": INT, "hot": INT})
        ),
    },
    {"at": STR},
)

PRINT_JOB = obj(
    {
        "status": {"type": "string", "enum": ["queued", "browser", "failed"]},
        "job_id": INT,
        "printer": STR,
        "template": STR,
        "width_mm": NUM,
        "height_mm": NUM,
        "cups_job": STR,
        "reason": STR,
        "message": STR,
    }
)

# POST /checkins and POST /scans answer alike.
CHECKIN_ANSWERS = {
    "201": ok("checked in or out", ref("ScanOk")),
    "200": ok("a known badge refused", ref("ScanRefused")),
    "404": ok("an unknown or forged code", ref("InvalidCode")),
    "422": error("bad code, gate, direction or nonce: fields"),
}


def rate_limited(description: str) -> dict:
    """A 429: too many tries from this device; Retry-After (and retry_after) says when to retry."""
    return {
        **error(description, with_error(retry_after=INT)),
        "headers": {"Retry-After": {"schema": INT, "description": "seconds to wait"}},
    }


# A kiosk checking a person in by attendee_id proves who they are first.
CHECKIN_BY_ID_ANSWERS = {
    **CHECKIN_ANSWERS,
    "422": error(
        "bad code, gate, direction, nonce or verify: fields; by attendee_id a kiosk gets"
        " verification_required (no verify), verification_failed (it does not match) or"
        " verification_unavailable (no phone or e-mail on file: the desk serves them)"
    ),
    "429": rate_limited("too many wrong verify answers from this kiosk (rate_limited)"),
}

COMPONENTS: dict[str, dict] = {
    "Error": obj(
        {"error": STR, "message": STR},
        {"fields": {"type": "object", "additionalProperties": STR}},
        description="every refusal: a code, a text, and per field what is wrong (422)",
    ),
    "AttendeeSummary": ATTENDEE_SUMMARY,
    "Person": PERSON,
    "KioskMatch": NAME_MATCH,
    "Visitor": VISITOR,
    "Lead": LEAD,
    "Card": CARD,
    "CardFields": CARD_FIELDS,
    "ScanOk": SCAN_OK,
    "ScanRefused": SCAN_REFUSED,
    "InvalidCode": INVALID_CODE,
    "Session": SESSION,
    "Stats": STATS,
    "PrintJob": PRINT_JOB,
}
