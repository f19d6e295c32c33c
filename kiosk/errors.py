"""Coded domain errors: what the domain refuses, and why, without knowing who asked.

Each error has a machine-readable `code`, a human `message`, optional per-field messages and
extra details for the caller. Its class says what kind of refusal it is; the web layer maps the
kind to an HTTP status in one place (kiosk/web/errors.py), the command line prints the message.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses: code, message, optional fields and details."""

    code = "refused"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        **details,
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}
        self.details = details


class FieldErrors(DomainError):
    """Form errors by field name: the input itself is not valid."""

    code = "invalid_fields"
    # What an answer says above the per-field messages (the message itself lists them all).
    headline = "some fields are not valid"

    def __init__(self, fields: dict[str, str], headline: str | None = None):
        super().__init__(
            "; ".join(f"{k}: {v}" for k, v in fields.items()) or "some fields are not valid",
            fields=fields,
        )
        if headline is not None:
            self.headline = headline


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to know of)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (already done, merged, revoked...)."""

    code = "conflict"


class Forbidden(DomainError):
    """The caller may not do this to this thing."""

    code = "forbidden"


class Unavailable(DomainError):
    """Something the request needs (a printer, a remote system) cannot do it now."""

    code = "unavailable"


class StorageUnavailable(Unavailable):
    """The database cannot take writes now (its file is gone, replaced or unwritable)."""

    code = "storage_unavailable"


class RateLimited(DomainError):
    """The caller asked too often; it may try again after `retry_after` seconds."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **details):
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after
