"""Badge images and printing under /api/v1."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from kiosk.badges.printing import browser_failed, print_badge
from kiosk.badges.service import Badges
from kiosk.checkin import identity
from kiosk.errors import FieldErrors, Forbidden, Unavailable
from kiosk.web import services
from kiosk.web.auth import current_device, endpoint
from kiosk.web.errors import ApiError
from kiosk.web.schemas import STR, error, file, obj, ok, ref, with_error

bp = Blueprint("api_badges", __name__, url_prefix="/api/v1")


def badges() -> Badges:
    """The show's badge layouts, loaded at start."""
    return current_app.extensions["kiosk.badges"]


def _template():
    wanted = request.args.get("template")
    if wanted and wanted not in badges().templates:
        raise FieldErrors(
            {"template": f"one of {', '.join(badges().templates)}"}, "unknown template"
        )
    return badges().template_for(current_device().name, wanted)


def _render(attendee_id: int):
    tpl = _template()
    image, _code = badges().for_attendee(services().store.conn, services().keys, attendee_id, tpl)
    return image, tpl


TEMPLATE_PARAM = [
    {
        "name": "template",
        "in": "query",
        "schema": {"type": "string"},
        "description": "a layout id of badge_templates/ (default: the kiosk's or the show's)",
    }
]
BADGE_ANSWERS = {
    "403": error(
        "not_served_here: a kiosk gets the badge only of a person it checked in or registered"
        " in the last 5 minutes"
    ),
    "404": error("no such person or no live badge"),
    "422": error("unknown template: fields.template lists the layouts"),
    "503": error("badges_unavailable: a font the layouts name is missing on the server"),
}


@bp.get("/attendees/<int:attendee_id>/badge.png")
@endpoint(
    "kiosk",
    "staff",
    summary="The badge as rendered for printing (PNG at the layout's resolution)",
    params=TEMPLATE_PARAM,
    responses={"200": file("the badge, PNG at the layout's dpi", "image/png"), **BADGE_ANSWERS},
)
def badge_png(attendee_id: int):
    """The badge as PNG."""
    return _badge_file(attendee_id, badges().png, "image/png")


@bp.get("/attendees/<int:attendee_id>/badge.pdf")
@endpoint(
    "kiosk",
    "staff",
    summary="The badge as a one-page PDF sized to the badge",
    params=TEMPLATE_PARAM,
    responses={
        "200": file("the badge, a one-page PDF sized to the badge", "application/pdf"),
        **BADGE_ANSWERS,
    },
)
def badge_pdf(attendee_id: int):
    """The badge as PDF."""
    return _badge_file(attendee_id, badges().pdf, "application/pdf")


def _badge_file(attendee_id: int, encode, mimetype: str) -> Response:
    identity.may_show_badge(services().store.conn, current_device(), attendee_id)
    image, tpl = _render(attendee_id)
    response = Response(encode(image, tpl), mimetype=mimetype)
    # A badge carries a live code: never left in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attendees/<int:attendee_id>/print")
@endpoint(
    "kiosk",
    "staff",
    summary="Print the badge on the device's printer (CUPS), or hand it to the kiosk's browser",
    body=obj(
        optional={
            "reprint": {
                "type": "boolean",
                "description": "staff only: revoke the old badge code and print a new one",
            }
        }
    ),
    body_required=False,
    responses={
        "200": ok(
            "queued on CUPS, or status browser: the kiosk prints png_url itself",
            {"allOf": [ref("PrintJob"), obj({"png_url": STR})]},
        ),
        "403": error(
            "a kiosk asked for a reprint, or for a person it did not check in or register in"
            " the last 5 minutes (not_served_here)"
        ),
        "404": error("no such person or no live badge"),
        "422": error("reprint is not true or false"),
        "503": error(
            "the printer failed (reason: missing, stopped, out_of_paper, paper_jam, offline,"
            " no_cups...; staff are alerted), or badges_unavailable (reason font_missing)",
            with_error(reason=STR, job=ref("PrintJob")),
        ),
    },
)
def post_print(attendee_id: int):
    """Print a badge."""
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    reprint = body.get("reprint", False)
    if not isinstance(reprint, bool):
        raise FieldErrors({"reprint": "true or false"}, "reprint must be true or false")
    device = current_device()
    if reprint and device.role != "staff":
        raise Forbidden("only staff may reprint a badge")
    svc = services()
    result = print_badge(svc.store, svc.keys, badges(), attendee_id, device, reprint=reprint)
    if result.status == "failed":
        raise Unavailable(
            result.message, code="print_failed", reason=result.reason, job=result.as_dict()
        )
    body = result.as_dict()
    body["png_url"] = f"/api/v1/attendees/{attendee_id}/badge.png"
    return jsonify(body)


BROWSER_FAILURES = ("image", "print")


@bp.post("/print-jobs/<int:job_id>/failed")
@endpoint(
    "kiosk",
    "staff",
    summary="Report that the kiosk's browser could not print a badge it was handed",
    description="The job becomes failed, `print_failed` is logged and staff get a live alert;"
    " a second report changes nothing.",
    body=obj(
        {
            "reason": {
                "type": "string",
                "enum": list(BROWSER_FAILURES),
                "description": "image: the badge image did not load; print: printing failed",
            }
        }
    ),
    responses={
        "200": ok("recorded", obj({"status": STR})),
        "404": error("no browser print job of this device with that id (no_job)"),
        "422": error("reason is not one of image, print"),
    },
)
def post_print_failed(job_id: int):
    """A browser print failed."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    reason = body.get("reason")
    if reason not in BROWSER_FAILURES:
        raise FieldErrors(
            {"reason": "one of " + ", ".join(BROWSER_FAILURES)}, "reason is not valid"
        )
    browser_failed(services().store, job_id, current_device(), f"browser_{reason}")
    return jsonify({"status": "failed"})
