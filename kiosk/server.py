"""Serving with gunicorn's gthread worker: one process, many threads, WebSocket via simple-websocket."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class KioskServer(BaseApplication):
    """gunicorn run in-process with the app already built."""

    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        """Copy our options into gunicorn's config."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """The WSGI app."""
        return self.application


def serve(
    app,
    host: str,
    port: int,
    *,
    threads: int = 512,
    tls: tuple[str, str, int] | None = None,
    access_log: bool = False,
) -> None:
    """Serve until interrupted. Socket.IO without a message queue needs exactly one worker.

    With ``tls`` (certificate file, key file, port) HTTPS is served on that port as well,
    by the worker process itself, so that phones and LAN kiosks reach the same app.
    """
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # A WebSocket holds its thread; plain requests must still find one.
        "worker_connections": threads + 1000,
        "keepalive": 75,
        "timeout": 0,
        "graceful_timeout": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
    }

    def post_worker_init(_worker):
        # The printer watch and the dashboard pushers run from the start, not from the first scan.
        app.extensions["kiosk.live"].start()
        if tls:
            from kiosk.tls import TlsFrontDoor

            certfile, keyfile, tls_port = tls
            TlsFrontDoor(certfile, keyfile, host, tls_port, upstream_port=port).start()

    options["post_worker_init"] = post_worker_init
    KioskServer(app, options).run()
