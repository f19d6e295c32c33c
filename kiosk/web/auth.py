"""Bearer-token authentication and role checks for every API endpoint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request

from kiosk.devices import Device
from kiosk.web import throttling
from kiosk.web.errors import ApiError
from kiosk.web.staff_session import device_for


def bearer_token() -> str | None:
    """The token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_device() -> Device:
    """The authenticated device of this request."""
    return g.device


def endpoint(
    *roles: str,
    summary: str,
    description: str = "",
    body: dict | None = None,
    body_required: bool = True,
    body_type: str = "application/json",
    responses: dict | None = None,
    params: list | None = None,
) -> Callable:
    """Protect a view to the given roles and describe it for the OpenAPI document.

    `responses` maps each status to its answer (kiosk.web.schemas: ok, error, file); `params`
    are query parameters, optional unless they say otherwise.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            # A signed-in console session counts as its staff account's device (CSRF checked
            # earlier), but only when no Authorization header was sent at all.
            sent = bool(request.headers.get("Authorization"))
            device = device_for(bearer_token(), token_sent=sent)
            if device is None:
                if sent:
                    # A good token is never refused; a wrong one counts against its address.
                    throttling.unknown_token()
                raise ApiError(401, "unauthorized", "missing or unknown device token")
            if device.role not in roles:
                raise ApiError(403, "forbidden", f"this needs a {' or '.join(roles)} device")
            g.device = device
            return view(*args, **kwargs)

        wrapper.openapi = {  # type: ignore[attr-defined]
            "roles": roles,
            "summary": summary,
            "description": description + " " if description else "",
            "body": body,
            "body_required": body_required,
            "body_type": body_type,
            "responses": responses or {},
            "params": params or [],
        }
        return wrapper

    return decorate
