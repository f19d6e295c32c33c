"""Signed-in staff: the session cookie, its expiry, CSRF for cookie-authenticated writes.

`device_for` is the one resolver of the device behind a request: a bearer token, or else the
signed-in account's console device. The API (kiosk.web.auth), the console pages and the /live
namespace all use it; kiosk.live gets it (as `live_caller`) from create_app rather than importing
the web layer, so the flask session is read here only and live stays below web.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import Flask, g, jsonify, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from kiosk.devices import Device
from kiosk.staff import accounts
from kiosk.staff.accounts import StaffUser
from kiosk.web import services, throttling

csrf = CSRFProtect()
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def init(app: Flask) -> None:
    """CSRF on every form and on every cookie-authenticated API write; sessions that expire."""
    rules = accounts.policy(app.extensions["kiosk"].settings)
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=rules.session_hours),
    )
    csrf.init_app(app)

    @app.before_request
    def _csrf():
        if request.method not in UNSAFE:
            return None
        # A bearer token cannot be sent by another site; a cookie can.
        if request.path.startswith("/api/") and (
            request.headers.get("Authorization") or "staff" not in session
        ):
            return None
        csrf.protect()
        return None

    @app.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError):
        if request.path.startswith("/api/"):
            return jsonify({"error": "csrf", "message": exc.description}), 400
        return f"<h1>400</h1><p>{exc.description} Reload the page and try again.</p>", 400


def start(user: StaffUser) -> None:
    """Begin a fresh session for a staff account (a new session id: no fixation)."""
    session.clear()
    session.permanent = True
    now = int(time.time())
    # `key` names this sign-in: signing out ends it on the server (a copy of the cookie opens
    # nothing after) and cuts the live connections it opened.
    session["staff"] = {"id": user.id, "since": now, "seen": now, "key": user.sign_in}


def end() -> None:
    """Sign out: the session ends, and so do the live connections this sign-in opened."""
    user = current_staff()
    key = _sign_in_key()
    session.clear()
    if user is not None:
        accounts.sign_out(services().store, user, key)


def _sign_in_key() -> str | None:
    data = session.get("staff")
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


def current_staff() -> StaffUser | None:
    """The signed-in staff account, or None when absent, expired or disabled."""
    if "staff_user" in g:
        return g.staff_user
    g.staff_user = None
    data = session.get("staff")
    if not isinstance(data, dict):
        return None
    rules = accounts.policy(services().settings)
    now = int(time.time())
    if (
        now - int(data.get("seen", 0)) > rules.idle_minutes * 60
        or now - int(data.get("since", 0)) > rules.session_hours * 3600
    ):
        session.pop("staff", None)
        return None
    user = accounts.signed_in(services().store, int(data.get("id", 0)), data.get("key"))
    if user is None:
        session.pop("staff", None)
        return None
    if now - int(data["seen"]) >= 30:
        session["staff"] = {**data, "seen": now}
    g.staff_user = user
    return user


def device_for(token: object, *, token_sent: bool | None = None) -> Device | None:
    """The device behind a bearer token; with no token sent at all, the signed-in staff's console."""
    devices = services().devices
    device = devices.authenticate(token)
    if device is None and not (bool(token) if token_sent is None else token_sent):
        user = current_staff()
        device = devices.console_device(user.device_id) if user is not None else None
    return device


def live_caller(token: object) -> tuple[Device, str | None] | None:
    """A /live connection's device, with its sign-in's key when it came through the console."""
    device = device_for(token)
    if device is None:
        if token:
            throttling.unknown_live_token()
        return None
    return device, (None if token else _sign_in_key())


def actor() -> str:
    """Who is acting in this request, as written in the audit log."""
    user = current_staff()
    if user is not None:
        return user.actor
    device = g.get("device")
    return device.actor if device is not None else "unknown"


def staff_page(view: Callable) -> Callable:
    """A console page or action: signed-in staff only, others go to the sign-in page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        device = device_for(None)
        if device is None:
            if request.method == "GET":
                return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
            return redirect(url_for("console.sign_in"))
        g.device = device
        return view(*args, **kwargs)

    return wrapper
