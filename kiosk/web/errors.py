"""JSON errors for the API: {"error": CODE, "message": TEXT, "fields": {...}}."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from kiosk.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound


class ApiError(Exception):
    """An API answer that is not a success."""

    def __init__(self, status: int, error: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra


# The HTTP status of each kind of domain refusal; any other DomainError is a 409.
DOMAIN_STATUS = ((NotFound, 404), (FieldErrors, 422), (Conflict, 409), (Forbidden, 403))


def domain_status(exc: DomainError) -> int:
    """The HTTP status that answers a domain error."""
    return next((status for kind, status in DOMAIN_STATUS if isinstance(exc, kind)), 409)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    """Install the error handlers: API paths answer JSON, never an HTML 500."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return jsonify({"error": exc.error, "message": exc.message, **exc.extra}), exc.status

    @app.errorhandler(FieldErrors)
    def field_errors(exc: FieldErrors):
        return jsonify(
            {
                "error": "invalid_fields",
                "message": "some fields are not valid",
                "fields": exc.fields,
            }
        ), 422

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        body = {"error": exc.code, "message": exc.message}
        if exc.fields:
            body["fields"] = exc.fields
        return jsonify(body), domain_status(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
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
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
