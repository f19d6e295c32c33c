"""Serving with gunicorn's gthread worker: one process, many threads, WebSocket via simple-websocket.

The worker is gthread with connection hygiene (kiosk.server_worker): slow request heads are
dropped, connections per client address are capped, live sockets have threads of their own.
"""

from __future__ import annotations

import resource

from gunicorn.app.base import BaseApplication

from kiosk.config import ServerSettings

# Connections beyond the threads: kept-alive ones and heads still arriving wait in the poller.
SPARE_CONNECTIONS = 4096
# Files the process needs besides its connections: logs, pipes, certificates ...
RESERVED_FILES = 256
# ... and each thread's SQLite connection (the database and its WAL).
FILES_PER_THREAD = 3


def open_files_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` as far as allowed; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


def connection_limit(threads: int, limits: ServerSettings, tls: bool) -> int:
    """How many connections the worker holds at once: never more than it has files for."""
    all_threads = threads + limits.request_threads
    wanted = all_threads + SPARE_CONNECTIONS
    reserved = RESERVED_FILES + FILES_PER_THREAD * all_threads
    # A phone's connection through the TLS front door costs its socket and a socket pair.
    per_connection = 3 if tls else 1
    files = open_files_limit(wanted * per_connection + reserved)
    return max(64, min(wanted, (files - reserved) // per_connection))


class KioskServer(BaseApplication):
    """gunicorn run in-process with the app already built."""

    def __init__(self, app, options: dict, server_settings: ServerSettings | None = None):
        self.application = app
        self.options = options
        # Read by the worker (kiosk.server_worker.KioskWorker).
        self.server_settings = server_settings or ServerSettings()
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
    server_settings: ServerSettings | None = None,
) -> None:
    """Serve until interrupted. Socket.IO without a message queue needs exactly one worker.

    ``threads`` serve live sockets (each open WebSocket or long-poll holds one); ordinary
    requests have ``request_threads`` of their own. The limits come from the show's [server]
    settings unless ``server_settings`` is given. With ``tls`` (certificate file, key file,
    port) HTTPS is served on that port as well, by the worker process itself, so that phones
    and LAN kiosks reach the same app.
    """
    limits = server_settings or app.extensions["kiosk"].settings.server
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "kiosk.server_worker.KioskWorker",
        "threads": threads,
        "worker_connections": connection_limit(threads, limits, tls is not None),
        "keepalive": 75,
        "timeout": 0,
        "graceful_timeout": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
    }

    def post_worker_init(worker):
        # The printer watch and the dashboard pushers run from the start, not from the first scan.
        app.extensions["kiosk.live"].start()
        app.extensions["kiosk.storage_watch"].start()
        if tls:
            from kiosk.tls import TlsFrontDoor

            certfile, keyfile, tls_port = tls
            TlsFrontDoor(
                certfile,
                keyfile,
                host,
                tls_port,
                upstream_port=port,
                handshake_timeout=limits.header_timeout,
                # Each phone's connection reaches the worker with the phone's own address, so
                # the header timeout and the per-address cap apply to it as to plain HTTP.
                hand_over=worker.adopt,
            ).start()

    options["post_worker_init"] = post_worker_init
    KioskServer(app, options, limits).run()
