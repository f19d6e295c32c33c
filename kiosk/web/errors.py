"""The one place where domain errors and scan outcomes become HTTP answers.

A domain error (kiosk.errors) answers `{"error": CODE, "message": TEXT, "fields"?: {...}}` plus
its details, with the status of its kind (STATUS). A scan outcome (kiosk.checkin.scans.Outcome)
answers as the contract's check-ins do: 201 `{"status": "ok", ...}`, 200 `{"status": "error",
"reason": R, ...}` for a known badge refused, 404 for an unknown or forged code. ApiError is left
for what only the transport knows: a body that is not a JSON object, a missing or wrong token.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, RequestTimeout

from kiosk.checkin.scans import Outcome
from kiosk.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    Forbidden,
    NotFound,
    RateLimited,
    StorageUnavailable,
    Unavailable,
)
from kiosk.leads.capture import Captured

# The first kind an error is an instance of gives its status; any other refusal is a 409.
STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (FieldErrors, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (RateLimited, 429),
    (Unavailable, 503),
    (DomainError, 409),
)


class ApiError(Exception):
    """A transport-level refusal (bad body, authentication): status, code and message."""

    def __init__(self, status: int, error: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error's kind."""
    return next(status for kind, status in STATUS if isinstance(exc, kind))


def error_body(exc: DomainError) -> dict:
    """The one error shape: error, message, fields for form errors, then the error's details."""
    if isinstance(exc, FieldErrors):
        return {"error": exc.code, "message": exc.headline, "fields": exc.fields, **exc.details}
    body = {"error": exc.code, "message": exc.message, **exc.details}
    if exc.fields:
        body["fields"] = exc.fields
    return body


def outcome_status(outcome: Outcome) -> int:
    """201 done, 200 a known badge refused, 404 an unknown or forged code."""
    if outcome.ok:
        return 201
    return 200 if outcome.attendee is not None else 404


def outcome_body(outcome: Outcome) -> dict:
    """A scan's answer: {status: ok, attendee, ...} or {status: error, reason, message, ...}."""
    if outcome.ok:
        return {"status": "ok", **outcome.details, "attendee": outcome.attendee}
    body = {
        "status": "error",
        "reason": outcome.reason,
        "message": outcome.message,
        **outcome.details,
    }
    if outcome.attendee is not None:
        body["attendee"] = outcome.attendee
    return body


def scan_answer(outcome: Outcome):
    """The HTTP answer to a check-in or a session scan."""
    return jsonify(outcome_body(outcome)), outcome_status(outcome)


def scan_message(outcome: dict) -> dict:
    """A camera scan as its gate's kiosk shows it live: the answer the scanner itself got."""
    scanned = Outcome(**outcome)
    return {"status": outcome_status(scanned), "result": outcome_body(scanned)}


def captured_status(result: Captured) -> int:
    """201 for a new lead, 200 for a lead scanned again (or a scan sent twice)."""
    return 201 if result.created else 200


def batch_item(ref, result: Captured | DomainError) -> dict:
    """One scan of a lead batch: its status and either the lead or the error."""
    if isinstance(result, DomainError):
        return {"client_ref": ref, "status": status_of(result), **error_body(result)}
    return {
        "client_ref": ref,
        "status": captured_status(result),
        "lead": result.lead,
        "duplicate": result.duplicate,
    }


def _is_api() -> bool:
    return request.path.startswith("/api/")


def too_large(limit: int) -> str:
    """What a 413 says: the limit a body must keep to."""
    return (
        f"the request body is larger than the limit of {limit / 1024 / 1024:g} MB"
        f" ({limit} bytes; server.max_body_mb)"
    )


def register(app: Flask) -> None:
    """Install the error handlers: API paths answer JSON, never an HTML 500."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        res = make_response(jsonify({"error": exc.error, "message": exc.message}), exc.status)
        if exc.retry_after is not None:
            res.headers["Retry-After"] = str(exc.retry_after)
        return res

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if not _is_api():
            return Response(exc.message, status_of(exc), mimetype="text/plain")
        return jsonify(error_body(exc)), status_of(exc)

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(exc: StorageUnavailable):
        # Nothing was acknowledged: the client may retry (same nonce) once the show is back.
        res = make_response(domain_error(exc))
        res.headers["Retry-After"] = "10"
        return res

    @app.before_request
    def _body_size():
        # A route that takes files (a business card's photos) sets its own `max_body` and
        # refuses a larger body itself, in its own words, without reading it.
        own = getattr(app.view_functions.get(request.endpoint), "max_body", None)
        if own is not None:
            request.max_content_length = own
            return
        # Refused from the head alone, whether or not the route reads its body.
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(RateLimited)
    def rate_limited(exc: RateLimited):
        res = make_response(domain_error(exc))
        res.headers["Retry-After"] = str(exc.retry_after)
        return res

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc.__context__, TimeoutError):
            # The body stopped arriving (server.body_timeout, kiosk.server_worker): werkzeug
            # calls the socket's timeout a disconnection; the client is told what happened.
            exc = RequestTimeout(str(exc.__context__))
        if isinstance(exc, RequestEntityTooLarge):
            exc = RequestEntityTooLarge(too_large(app.config["MAX_CONTENT_LENGTH"]))
        if not _is_api():
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify({"error": code, "message": exc.description}), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        if _is_api():
            return jsonify({"error": "server_error", "message": "unexpected error"}), 500
        return "Internal error", 500


def json_body() -> dict:
    """The request's JSON object, or a 400 naming the problem."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "bad_request", "the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
