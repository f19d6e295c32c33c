"""The throttle (kiosk.throttle) as requests meet it: counted by the client's address."""

from __future__ import annotations

from flask import current_app, request

from kiosk.throttle import SIGN_IN, TOKEN, Throttle
from kiosk.web.errors import ApiError


def throttle() -> Throttle:
    """This app's throttle."""
    return current_app.extensions["kiosk.throttle"]


def client_address() -> str:
    """The address a request came from (the phone's own through the HTTPS front door, and the
    client's as the load balancer forwards it when the request came through one of
    `server.proxies`)."""
    address = request.remote_addr or "unknown"
    if address in current_app.extensions["kiosk"].settings.server.proxies:
        # nginx appends the address it saw to X-Forwarded-For: the last one is the one to trust.
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        return forwarded or address
    return address


def unknown_token() -> None:
    """A request sent a token that names no device: counted; 429 once that spends the budget."""
    address = client_address()
    wait = throttle().wait(TOKEN, address) or throttle().failed(TOKEN, address)
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            f"too many unknown device tokens from this address: try again in {wait} s",
            retry_after=wait,
        )


def unknown_live_token() -> None:
    """A live connection was refused for its token: counted with the requests'."""
    throttle().failed(TOKEN, client_address())


def sign_in_wait() -> int:
    """Seconds this address must wait before its next sign-in attempt (0: go ahead)."""
    return throttle().wait(SIGN_IN, client_address())


def sign_in_failed() -> int:
    """Count a failed sign-in; the seconds to wait if that spent the address's budget."""
    return throttle().failed(SIGN_IN, client_address())
