"""On-site check-in and lead-capture kiosk for trade shows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk import config as config_module
from kiosk import events
from kiosk.config import Settings
from kiosk.services import Services, open_services
from kiosk.storage import MAX_ROW_ID, utcnow

if TYPE_CHECKING:  # the web stack is imported by create_app only: the CLI starts without it
    from flask import Flask

log = logging.getLogger(__name__)


def row_id_converter() -> type:
    """`<int:...>` in routes: a non-negative id that fits SQLite's INTEGER."""
    from werkzeug.routing import IntegerConverter

    class RowId(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ROW_ID)
            super().__init__(url_map, *args, **kwargs)

    return RowId


def create_app(
    settings: Settings | None = None,
    *,
    config_path: str | None = None,
    db_path: str | None = None,
    testing: bool = False,
) -> Flask:
    """Build the app: config -> storage -> Socket.IO handlers -> blueprints."""
    from flask import Flask
    from flask_socketio import SocketIO

    from kiosk.attendees import walkup
    from kiosk.badges import service as badge_service
    from kiosk.checkin import offline
    from kiosk.checkin.sessions import policy as door_policy
    from kiosk.crm import metrics
    from kiosk.health import StorageWatch
    from kiosk.leads import ratings
    from kiosk.live.bridge import Bridge
    from kiosk.stats import telemetry
    from kiosk.storage.shared import open_shared
    from kiosk.throttle import Throttle
    from kiosk.web import (
        api,
        api_badges,
        api_cards,
        api_floor,
        api_leads,
        api_offline,
        api_registrations,
        console,
        errors,
        floor_pages,
        openapi,
        pages,
        staff_session,
    )

    settings = settings or config_module.load(config_path, db_path)
    badges = badge_service.load(settings)  # a bad layout stops the start; a missing font does not
    svc: Services = open_services(settings)

    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=svc.keys.session_secret,
        TESTING=testing,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=settings.server.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.ensure_ascii = False
    app.jinja_env.globals["rating_palette"] = ratings.css_variables()
    # An id past SQLite's 64-bit integers is simply not found (404), never a server error.
    app.url_map.converters["int"] = row_id_converter()
    app.extensions["kiosk"] = svc
    app.extensions["kiosk.badges"] = badges
    app.extensions["kiosk.walkup_form"] = walkup.form(settings)
    app.extensions["kiosk.throttle"] = Throttle(settings.throttle, settings.message_queue)
    app.extensions["kiosk.offline_sets"] = offline.OfflineSets(svc.store, settings, svc.keys)
    offline_alert_after = offline.alert_after_minutes(settings)
    metrics.Thresholds.from_settings(
        settings
    )  # a bad [crm.metrics] stops the start, not the export
    # A bad [console] too, not the dashboard.
    gate_window = telemetry.Thresholds.from_settings(settings).window_min * 60
    door_policy(settings)  # and a bad [door], not the first scan at a session door

    # With a message queue, several nodes serve the show: live events and what every console
    # shows go through the show's Redis (kiosk.storage.shared); without one, all stays in memory.
    shared = open_shared(settings.message_queue, settings.event_id)
    app.extensions["kiosk.shared"] = shared
    if shared.clustered:
        _same_keys(shared, svc)
        svc.answer_times = telemetry.AnswerTimes(shared, gate_window)
    app.extensions["kiosk.kiosk_states"] = offline.KioskStates(offline_alert_after, shared)
    queue = {}
    if shared.clustered:
        import socketio as python_socketio

        # Short timeouts: with Redis gone a check-in still answers at once (live events wait).
        queue["client_manager"] = python_socketio.RedisManager(
            settings.message_queue,
            channel=f"kiosk-{settings.event_id}",
            redis_options={"socket_connect_timeout": 1, "socket_timeout": 1},
        )
    socketio = SocketIO(
        async_mode="threading", cors_allowed_origins=[], logger=False, engineio_logger=False
    )
    # The namespace's handlers are registered before init_app; the web layer lends it the one
    # resolver of tokens and console sessions and the shape of a scan's answer, so live never
    # imports web.
    app.extensions["kiosk.live"] = Bridge(
        socketio,
        svc,
        authenticate=staff_session.live_caller,
        scan_answer=errors.scan_message,
        shared=shared,
    )
    # The queue goes to init_app: a message_queue given to SocketIO() without an app makes a
    # write-only (emitter) queue that serves no clients.
    socketio.init_app(app, **queue)
    app.extensions["kiosk.storage_watch"] = StorageWatch(svc.store)
    if badges.problem:
        log.warning("badges cannot be printed (check-ins go on): %s", badges.problem)
        events.publish(
            svc.store,
            events.Alert(
                kind="badges_unavailable",
                reason="font_missing",
                message=badges.problem,
                at=utcnow(),
            ),
        )

    errors.register(app)
    staff_session.init(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_badges.bp)
    app.register_blueprint(api_registrations.bp)
    app.register_blueprint(api_leads.bp)
    app.register_blueprint(api_cards.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api_floor.bp)
    app.register_blueprint(api_offline.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(floor_pages.bp)

    @app.teardown_appcontext
    def _keep_connection(_exc):
        # Connections are per thread and reused; nothing to close per request.
        return None

    return app


def _same_keys(shared, svc: Services) -> None:
    """Refuse to join a cluster whose nodes sign badges with other keys (a key file not copied)."""
    from kiosk.secrets import fingerprint

    try:
        same = shared.same_keys(fingerprint(svc.keys))
    except Exception as exc:
        raise config_module.ConfigError(
            f"live.message_queue: {shared.url} does not answer ({type(exc).__name__});"
            " start it first"
        ) from exc
    if not same:
        raise config_module.ConfigError(
            f"{svc.settings.secret_path}: this node's badge keys differ from the other nodes' of"
            " the show: copy the key file of the first node here (docs/scale-out.md)"
        )
