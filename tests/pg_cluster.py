"""A private PostgreSQL cluster: initdb in a temporary folder, on a free port.

The tests run one per session (without fsync: a test cluster that dies is thrown away), the
cluster benchmark one of its own (durable, as a show's). PostgreSQL refuses to run as root; when
they run as root (CI), the cluster runs as the `postgres` system user that Debian's package
creates, through runuser. Nothing is left behind: the cluster stops at the end and its folder
goes with the temporary directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One running postgres, trust authentication on 127.0.0.1 only, user `kiosk`; `durable`
    keeps PostgreSQL's own fsync and synchronous commit (for figures that mean something)."""

    def __init__(self, root: Path, *, durable: bool = False):
        self.root = root
        self.durable = durable
        self._databases = 0
        self.data = root / "data"
        self.port = _free_port()
        self.bin = binaries()
        self._as = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [*self._as, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> None:
        """initdb and start; returns once the server takes connections."""
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "kiosk",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300"
        )
        if not self.durable:
            # A test cluster that dies is thrown away anyway.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop at once (nothing of a test cluster needs keeping)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str) -> str:
        """The postgresql:// URL of a database of this cluster."""
        return f"postgresql://kiosk@127.0.0.1:{self.port}/{database}"

    def create_database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of `template`); returns its URL."""
        self._databases += 1
        name = f"show_{os.getpid()}_{self._databases}"
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, closing what still connects to it."""
        self.sql(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def sql(self, statement: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)
