"""Check-in throughput and latency against the real server.

    .venv/bin/python benchmarks/checkins.py [--attendees 20000] [--clients 8]

Starts `kiosk serve` on 127.0.0.1 with a fresh show of pre-registered attendees, then each of
the client processes (one kiosk device each, one keep-alive connection each) checks in its share
of the badges, every badge exactly once. Reports check-ins per second, latency percentiles, errors,
and the duplicates found afterwards in the database; then the latency of a lone client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import config  # noqa: E402
from kiosk.attendees import registration  # noqa: E402
from kiosk.attendees.fields import clean_person  # noqa: E402
from kiosk.devices import create_device  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平"


def build_show(directory: Path, attendees: int, clients: int, database_url: str | None = None):
    """A fresh show with `attendees` people (in PostgreSQL when `database_url` is given);
    returns (settings, badge codes, kiosk tokens)."""
    settings = config.load(
        ROOT / "config/event.toml", directory / "bench.db", database_url=database_url
    )
    initialise(settings)
    svc = open_services(settings)
    codes = []
    batch = 1000
    for start in range(0, attendees, batch):
        with svc.store.write() as conn:
            for i in range(start, min(start + batch, attendees)):
                name = SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20]
                person = clean_person(
                    {
                        "full_name": name,
                        "company": f"Company {i % 700}",
                        "email": f"bench{i}@example.com",
                        "phone": f"+86139{i:08d}",
                        "category": "trade",
                    },
                    settings,
                )
                person["external_id"] = f"B{i:06d}"
                applicant = registration.Applicant(person, {})
                done = registration.create(conn, settings, svc.keys, applicant, source="import")
                codes.append(done.code)
    tokens = []
    for n in range(clients):
        gate = "north" if n % 2 == 0 else "south"
        tokens.append(
            (create_device(svc.store, settings, role="kiosk", name=f"k{n}", gate=gate)[1], gate)
        )
    return settings, codes, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    settings,
    port: int,
    *,
    new_session: bool = False,
    args: tuple[str, ...] = (),
    env: dict | None = None,
    log=subprocess.DEVNULL,
) -> subprocess.Popen:
    """`kiosk serve` in its own process (and process group with `new_session`), with extra
    `args` and environment `env`; returns once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--port", str(port)]
        + ["--db", str(settings.db_path), "--config", str(settings.config_path), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        start_new_session=new_session,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return proc
            finally:
                conn.close()
        except OSError:
            time.sleep(0.1)
    if new_session:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()
    raise SystemExit("the server did not start")


def drive(port: int, token: str, gate: str, codes: list[str], out: mp.Queue) -> None:
    """One kiosk: check in each code once over one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies, statuses = [], {}
    for code in codes:
        body = json.dumps(
            {"code": code, "gate": gate, "direction": "in", "nonce": uuid.uuid4().hex}
        )
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/checkins", body, headers)
            res = conn.getresponse()
            res.read()
            status = res.status
        except OSError:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        latencies.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
    out.put((latencies, statuses))


def run_clients(port: int, tokens, shares) -> tuple[float, list[float], dict]:
    """Run one process per client at once; returns (seconds, latencies, status counts)."""
    out: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=drive, args=(port, token, gate, share, out))
        for (token, gate), share in zip(tokens, shares, strict=True)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    latencies = [x for lat, _ in results for x in lat]
    statuses: dict = {}
    for _, st in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    return elapsed, latencies, statuses


def pct(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--lone", type=int, default=300, help="check-ins for the lone-client run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        total = args.attendees + args.lone
        settings, codes, tokens = build_show(Path(tmp), total, args.clients)
        print(f"show: {total} attendees built in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        server = start_server(settings, port)
        try:
            main_codes, lone_codes = codes[: args.attendees], codes[args.attendees :]
            shares = [main_codes[n :: args.clients] for n in range(args.clients)]
            elapsed, lat, statuses = run_clients(port, tokens, shares)
            _, lone_lat, lone_statuses = run_clients(port, tokens[:1], [lone_codes])
        finally:
            server.terminate()
            server.wait(10)
        svc = open_services(settings)
        dup = svc.store.one(
            "SELECT count(*) AS n FROM (SELECT attendee_id FROM interactions"
            " WHERE type = 'checked_in' GROUP BY attendee_id HAVING count(*) > 1)"
        )["n"]
        inside = svc.store.one("SELECT count(*) AS n FROM presence WHERE state = 'in'")["n"]
    ok = statuses.get(201, 0)
    errors = sum(v for k, v in statuses.items() if k != 201)
    print(f"clients: {args.clients} processes, one keep-alive connection and kiosk each")
    print(f"check-ins: {ok} ok, {errors} errors {dict(sorted(statuses.items()))}")
    print(f"throughput: {ok / elapsed:.0f} check-ins/s ({elapsed:.1f} s)")
    print(
        f"latency ms: p50 {pct(lat, 50):.1f}  p95 {pct(lat, 95):.1f}  p99 {pct(lat, 99):.1f}"
        f"  max {max(lat) * 1000:.1f}  mean {statistics.fmean(lat) * 1000:.1f}"
    )
    print(
        f"lone client: p50 {pct(lone_lat, 50):.1f} ms  p99 {pct(lone_lat, 99):.1f} ms"
        f"  ({lone_statuses.get(201, 0)} ok of {len(lone_lat)})"
    )
    print(f"database: {inside} people inside, {dup} duplicate check-ins")


if __name__ == "__main__":
    main()
