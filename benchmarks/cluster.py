"""Check-ins on one node (SQLite, PostgreSQL) and on two and three PostgreSQL nodes behind nginx.

    .venv/bin/python benchmarks/cluster.py [--attendees 3000] [--kiosks 8 32]
                                           [--setups sqlite pg1 pg2 pg3]

Starts a PostgreSQL of its own (initdb in a temporary folder, durable as a show's: fsync and
synchronous commit on; tests/pg_cluster.py), then for each number of kiosks and each setup: a
fresh show (its own SQLite file, or its own PostgreSQL database); one `kiosk serve` alone, or
Redis, the nodes and nginx on 127.0.0.1 with deploy/nginx/kiosk.conf; then every kiosk (one
process, one keep-alive connection) checks in its share of the badges once. Prints check-ins per
second, latency p50/p95/p99, errors, the duplicates and missing check-ins found in the database
afterwards, and the load average as the run ended. Stops and deletes everything it started.

`Cluster` starts and stops Redis, the nodes and nginx; tests/test_cluster.py uses it too.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.checkins import build_show, pct, run_clients, start_server  # noqa: E402
from kiosk.services import open_services  # noqa: E402
from kiosk.storage.postgres import dispose  # noqa: E402
from tests.pg_cluster import Cluster as PgCluster  # noqa: E402

NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "kiosk.conf"
NODE_LINE = re.compile(r"^\s*server 10\.0\.0\.\d+:5000 (.*);$", re.M)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str):
    """Poll `check` until it answers something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.05)
    raise RuntimeError(f"{what}: not within {seconds} s")


def nginx_config(
    nodes: list[int], port: int, tls_port: int, certfile: str, keyfile: str, workdir: Path
) -> str:
    """deploy/nginx/kiosk.conf for these nodes and ports, wrapped in a whole nginx.conf that an
    unprivileged nginx runs from `workdir`."""
    template = NGINX_TEMPLATE.read_text()

    lines, seen = [], 0
    for line in template.splitlines():
        if NODE_LINE.match(line):
            seen += 1
            if seen % 3 == 1:  # the first example node of each upstream
                options = NODE_LINE.match(line).group(1)
                lines += [f"    server 127.0.0.1:{n} {options};" for n in nodes]
            continue
        lines.append(line)
    site = "\n".join(lines)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{tls_port} ssl")
    site = site.replace("/etc/kiosk/tls/server.pem", certfile)
    site = site.replace("/etc/kiosk/tls/server-key.pem", keyfile)
    (workdir / "kiosk.conf").write_text(site)
    temps = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
worker_rlimit_nofile 8192;
events {{ worker_connections 4096; }}
http {{
    access_log off;
{temps}
    include {workdir / "kiosk.conf"};
}}
"""


class Cluster:
    """Redis, `nodes` kiosk servers on one show's database and, optionally, nginx in front."""

    def __init__(
        self,
        settings,
        workdir: Path,
        nodes: int = 2,
        *,
        nginx: bool = True,
        database_url: str | None = None,
    ):
        self.settings = settings
        self.workdir = Path(workdir)
        self.env = {"KIOSK_DATABASE_URL": database_url} if database_url else {}
        self.procs: list[subprocess.Popen | None] = []
        self.ports: list[int] = []
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.logs: list = []
        try:
            self._start_redis()
            self.start_nodes(nodes)
            if nginx:
                self._start_nginx()
        except BaseException:
            self.stop()
            raise

    @property
    def queue(self) -> str:
        """The message queue URL the nodes share."""
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def node_url(self, i: int) -> str:
        """The address of node `i` itself."""
        return f"http://127.0.0.1:{self.ports[i]}"

    @property
    def url(self) -> str:
        """The address of the balancer (nginx), plain HTTP."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        """The address of the balancer, HTTPS (the show's CA signs its certificate)."""
        return f"https://127.0.0.1:{self.tls_port}"

    def _start_redis(self) -> None:
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _answers_ping(self.redis_port), 20, "redis-server")

    def start_nodes(self, count: int) -> None:
        """Start `count` more nodes at once, each in its own process group."""
        first = len(self.ports)
        self.ports += [free_port() for _ in range(count)]
        self.procs += [None] * count
        failures = []

        def start(i: int) -> None:
            log = (self.workdir / f"node-{i}.log").open("ab")
            self.logs.append(log)
            try:
                self.procs[i] = start_server(
                    self.settings,
                    self.ports[i],
                    new_session=True,
                    args=("--message-queue", self.queue, "--threads", "256"),
                    env=self.env,
                    log=log,
                )
            except BaseException as exc:  # noqa: BLE001 - reported below, after the others
                failures.append(f"node {i}: {exc}")

        threads = [threading.Thread(target=start, args=(i,)) for i in range(first, len(self.ports))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise RuntimeError("; ".join(failures))

    def kill(self, i: int) -> None:
        """kill -9 node `i` (its gunicorn master and worker)."""
        proc = self.procs[i]
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

    def _start_nginx(self) -> None:
        from kiosk.tls import ensure_server_certificate

        certfile, keyfile = ensure_server_certificate(self.settings, "127.0.0.1")
        self.port, self.tls_port = free_port(), free_port()
        nginx_dir = self.workdir / "nginx"
        nginx_dir.mkdir(exist_ok=True)
        conf = nginx_dir / "nginx.conf"
        conf.write_text(
            nginx_config(self.ports, self.port, self.tls_port, certfile, keyfile, nginx_dir)
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        test = subprocess.run(
            [nginx, "-e", "stderr", "-p", str(nginx_dir), "-c", str(conf), "-t"],
            capture_output=True,
            text=True,
        )
        if test.returncode:
            raise RuntimeError(f"nginx -t: {test.stderr}")
        log = (nginx_dir / "stderr.log").open("ab")
        self.logs.append(log)
        self.nginx = subprocess.Popen(
            [nginx, "-e", "stderr", "-p", str(nginx_dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        wait_for(lambda: _healthy("127.0.0.1", self.port), 20, "nginx")

    def stop(self) -> None:
        """Stop everything this cluster started."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            _reap(self.nginx)
        running = [p for p in self.procs if p is not None and p.poll() is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in running:
            _reap(proc, group=True)
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            _reap(self.redis)
        for log in self.logs:
            log.close()


def _reap(proc: subprocess.Popen, group: bool = False) -> None:
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(10)


def _answers_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


def _healthy(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    finally:
        conn.close()


def count_checkins(settings) -> tuple[int, int]:
    """(people checked in, people checked in more than once) in the show's database."""
    store = open_services(settings).store
    people = store.one(
        "SELECT count(DISTINCT attendee_id) AS n FROM interactions WHERE type = 'checked_in'"
    )["n"]
    dup = store.one(
        "SELECT count(*) AS n FROM (SELECT attendee_id FROM interactions"
        " WHERE type = 'checked_in' GROUP BY attendee_id HAVING count(*) > 1) AS d"
    )["n"]
    return people, dup


SETUPS = {
    "sqlite": ("SQLite", 1),
    "pg1": ("PostgreSQL", 1),
    "pg2": ("PostgreSQL", 2),
    "pg3": ("PostgreSQL", 3),
}


def run(nodes: int, kiosks: int, attendees: int, database_url: str | None) -> dict:
    """One configuration: a fresh show, its node(s), every badge checked in once."""
    with tempfile.TemporaryDirectory() as tmp:
        settings, codes, tokens = build_show(Path(tmp), attendees, kiosks, database_url)
        if nodes == 1:
            # One node alone, as shows run today: no Redis, no balancer.
            port = free_port()
            server = start_server(settings, port, new_session=True, env=_db_env(database_url))
            cluster = None
        else:
            cluster = Cluster(settings, Path(tmp), nodes, database_url=database_url)
            port = cluster.port
        try:
            shares = [codes[n::kiosks] for n in range(kiosks)]
            elapsed, lat, statuses = run_clients(port, tokens, shares)
        finally:
            if cluster is not None:
                cluster.stop()
            else:
                os.killpg(server.pid, signal.SIGTERM)
                _reap(server, group=True)
        people, dup = count_checkins(settings)
    ok = statuses.get(201, 0)
    return {
        "per_s": round(ok / elapsed),
        "p50": round(pct(lat, 50), 1),
        "p95": round(pct(lat, 95), 1),
        "p99": round(pct(lat, 99), 1),
        "ok": ok,
        "errors": sum(v for k, v in statuses.items() if k != 201),
        "duplicates": dup,
        "missing": len(codes) - people,
        "load": os.getloadavg()[0],
    }


def _db_env(database_url: str | None) -> dict:
    return {"KIOSK_DATABASE_URL": database_url} if database_url else {}


def main() -> None:
    """Start PostgreSQL, run every configuration, print one table, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=3000, help="badges per configuration")
    parser.add_argument("--kiosks", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--setups", nargs="+", choices=list(SETUPS), default=list(SETUPS))
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
    postgres = None
    try:
        if any(SETUPS[name][0] == "PostgreSQL" for name in args.setups):
            postgres = PgCluster(root, durable=True)
            postgres.start()
        print(f"{args.attendees} badges per run; load average at the start {_load()}")
        print(
            "database    nodes kiosks  check-ins/s   p50 ms   p95 ms   p99 ms"
            "  errors  duplicates  missing  load"
        )
        for kiosks in args.kiosks:
            for name in args.setups:
                database, nodes = SETUPS[name]
                url = postgres.create_database() if database == "PostgreSQL" else None
                try:
                    r = run(nodes, kiosks, args.attendees, url)
                finally:
                    if url is not None:
                        dispose(url)
                        postgres.drop_database(url)
                print(
                    f"{database:11} {nodes:5} {kiosks:6} {r['per_s']:12} {r['p50']:8}"
                    f" {r['p95']:8} {r['p99']:8} {r['errors']:7} {r['duplicates']:11}"
                    f" {r['missing']:8} {r['load']:5.1f}",
                    flush=True,
                )
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
