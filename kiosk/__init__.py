"""On-site check-in and lead-capture kiosk for trade shows."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from kiosk import config as config_module
from kiosk.config import Settings
from kiosk.services import Services, open_services


def create_app(
    settings: Settings | None = None,
    *,
    config_path: str | None = None,
    db_path: str | None = None,
    testing: bool = False,
) -> Flask:
    """Build the app: config -> storage -> Socket.IO handlers -> blueprints."""
    from kiosk.realtime.bridge import Bridge
    from kiosk.realtime.namespace import NAMESPACE, LiveNamespace
    from kiosk.web import api, api_leads, errors, openapi, pages

    settings = settings or config_module.load(config_path, db_path)
    svc: Services = open_services(settings)

    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(
        SECRET_KEY=svc.keys.session_secret,
        TESTING=testing,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.ensure_ascii = False
    app.extensions["kiosk"] = svc

    socketio = SocketIO(
        async_mode="threading", cors_allowed_origins=[], logger=False, engineio_logger=False
    )
    bridge = Bridge(socketio, svc)
    socketio.on_namespace(LiveNamespace(NAMESPACE, bridge))
    socketio.init_app(app)
    app.extensions["kiosk.bridge"] = bridge

    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_leads.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)

    @app.teardown_appcontext
    def _keep_connection(_exc):
        # Connections are per thread and reused; nothing to close per request.
        return None

    return app
