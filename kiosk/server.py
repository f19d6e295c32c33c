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
    threads: int = 64,
    certfile: str | None = None,
    keyfile: str | None = None,
    access_log: bool = False,
) -> None:
    """Serve until interrupted. Socket.IO without a message queue needs exactly one worker."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 75,
        "timeout": 0,
        "graceful_timeout": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
    }
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    KioskServer(app, options).run()
