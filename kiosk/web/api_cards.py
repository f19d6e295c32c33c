"""Business cards under /api/v1: read a photo at the booth, show it back to that booth only."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from kiosk.cards import leads as cards
from kiosk.errors import FieldErrors
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.schemas import BOOL, STR, error, obj, ok, ref

bp = Blueprint("api_cards", __name__, url_prefix="/api/v1")

# Two photos of at most 10 MB each, and the form's few other fields.
MAX_BODY = cards.MAX_SIDES * cards.MAX_IMAGE + 256 * 1024
CARD_ANSWER = obj({"card": ref("Card")}, {"duplicate": BOOL})
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _photos() -> list[bytes]:
    try:
        if (request.content_length or 0) > MAX_BODY:
            raise RequestEntityTooLarge()
        uploads = request.files.getlist("image")
        form = request.form
    except RequestEntityTooLarge:
        raise FieldErrors(
            {"image": f"at most {cards.MAX_IMAGE // 2**20} MB a photo"}, "the photo is too large"
        ) from None
    if not uploads and form.get("image"):
        raise FieldErrors({"image": "send the photo as a file (multipart/form-data)"})
    return [upload.read(cards.MAX_IMAGE + 1) for upload in uploads]


@bp.post("/cards")
@endpoint(
    "exhibitor",
    summary="Read a business card photographed at the booth (front, and back when it has one)",
    description="The photos are kept with the card, visible to this exhibitor only. Confirm or"
    " correct the fields, then send them to POST /api/v1/leads with `card_id`.",
    body_type="multipart/form-data",
    body=obj(
        {
            "image": {
                "type": "array",
                "minItems": 1,
                "maxItems": 2,
                "items": {"type": "string", "format": "binary"},
                "description": "the front, then the back: JPEG or PNG, at most 10 MB each",
            }
        },
        {
            "client_ref": {
                **STR,
                "maxLength": 100,
                "description": "the device's id of this photo; a resend answers the card read"
                " the first time (200, duplicate: true) and reads nothing again",
            },
            "taken_at": {
                **STR,
                "format": "date-time",
                "description": "when the photo was taken (an offline outbox keeps it)",
            },
        },
    ),
    responses={
        "201": ok("the card as read", CARD_ANSWER),
        "200": ok("a resent client_ref: the card read the first time", CARD_ANSWER),
        "422": error(
            "no photo, more than two, empty, larger than 10 MB, not a JPEG or PNG image"
            " (invalid_fields), or no text found on it (card_unreadable, reason: not_an_image,"
            " too_large or no_text); nothing is kept"
        ),
    },
)
def post_card():
    """Read a business card."""
    svc = services()
    photos = _photos()
    result = cards.read(
        svc.store,
        svc.settings,
        current_device(),
        photos,
        client_ref=request.form.get("client_ref"),
        taken_at=request.form.get("taken_at") or None,
    )
    return jsonify({"card": result.card, "duplicate": result.duplicate}), (
        200 if result.duplicate else 201
    )


# Photos are larger than the app's server.max_body_mb: this route takes two of 10 MB
# (kiosk.web.errors reads it before the body).
post_card.max_body = MAX_BODY  # type: ignore[attr-defined]


@bp.get("/cards/<int:card_id>")
@endpoint(
    "exhibitor",
    summary="A card read at this booth",
    responses={
        "200": ok("the card", obj({"card": ref("Card")})),
        "404": error("no such card at this booth (another booth's card is not said to exist)"),
    },
)
def get_card(card_id: int):
    """One card."""
    return jsonify({"card": cards.card(services().store, current_device(), card_id)})


@bp.get("/cards/<int:card_id>/image")
@endpoint(
    "exhibitor",
    summary="The photo of a card read at this booth",
    params=[
        {
            "name": "side",
            "in": "query",
            "schema": {"type": "string", "enum": list(cards.SIDES)},
            "description": "front (the default) or back",
        }
    ],
    responses={
        "200": {
            "description": "the photo as taken",
            "content": {"image/jpeg": BINARY, "image/png": BINARY},
        },
        "404": error("no such card or side at this booth (another booth's is not said to exist)"),
        "422": error("side is not front or back: fields"),
    },
)
def card_image(card_id: int):
    """A card's photo."""
    kind, data = cards.image(
        services().store, current_device(), card_id, request.args.get("side", "front")
    )
    return Response(data, mimetype=kind, headers={"Cache-Control": "private, no-store"})
