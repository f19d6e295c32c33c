"""Check-in latency while one address holds 2,000 half-open connections to the server.

    python -m benchmarks.half_open                      # about a minute
    python -m benchmarks.half_open --checkout ../main   # the same against another checkout

Starts `kiosk serve` (the code in --checkout, default this one) on 127.0.0.1 with a fresh show.
A separate process opens --connections connections from 127.0.0.1, each sending
`GET / HTTP/1.1\\r\\nHost: x\\r\\n` and then nothing, and reopens any the server closes one second
later, as an attacker would. Meanwhile a kiosk checks a badge in every 0.25 s, each time on a new
connection, with a 3 s timeout (after five timeouts in a row it gives up). Two runs:

- held: the per-address cap raised above the flood, so the server keeps every connection open and
  only the header timeout protects it; the kiosk connects from the flood's own address.
- capped: the default limits (256 connections per address); the kiosk is on 127.0.0.2 (on Linux
  every 127.x.x.x address is the loopback).

Reports the kiosk's median, p95 and max latency without and with the flood, the check-ins that
timed out, and how many flood connections were open at once. Loopback only, bounded in
connections and time.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import http.client
import json
import multiprocessing as mp
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTIAL = b"GET / HTTP/1.1\r\nHost: x\r\n"
TIMEOUT = 3.0
INTERVAL = 0.25
REOPEN_AFTER = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kiosk_cli(checkout: Path, env: dict, *args: str) -> str:
    """Run `kiosk ARGS` from the checkout; its last line of output."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def request(port: int, method: str, path: str, token: str, body: dict, source: str):
    """One request on a new connection: (status, parsed body, seconds); raises OSError."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT, source_address=(source, 0)
    )
    started = time.perf_counter()
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, json.dumps(body), headers)
        res = conn.getresponse()
        data = res.read()
        return res.status, json.loads(data or b"null"), time.perf_counter() - started
    finally:
        conn.close()


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def flood(port: int, count: int, stop, out) -> None:
    """Keep `count` half-open connections to the server; report how many are open, twice a second."""
    raise_fd_limit(count + 256)
    sel = selectors.DefaultSelector()
    reopen: list[float] = []
    opened = closed_by_server = 0
    connected: set[socket.socket] = set()

    def open_one() -> None:
        nonlocal opened
        sock = socket.socket()
        sock.setblocking(False)
        err = sock.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            reopen.append(time.monotonic() + REOPEN_AFTER)
            return
        opened += 1
        sel.register(sock, selectors.EVENT_WRITE)

    def lost(sock: socket.socket) -> None:
        nonlocal closed_by_server
        closed_by_server += 1
        connected.discard(sock)
        sel.unregister(sock)
        sock.close()
        reopen.append(time.monotonic() + REOPEN_AFTER)

    for _ in range(count):
        open_one()
    next_report = time.monotonic()
    while not stop.is_set():
        for key, events in sel.select(timeout=0.05):
            sock = key.fileobj
            if events & selectors.EVENT_WRITE:
                try:
                    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        raise OSError
                    sock.send(PARTIAL)
                except OSError:
                    lost(sock)
                    continue
                connected.add(sock)
                sel.modify(sock, selectors.EVENT_READ)
            else:
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data or data.startswith(b"HTTP/"):
                    lost(sock)
        now = time.monotonic()
        while reopen and reopen[0] <= now:
            reopen.pop(0)
            open_one()
        if now >= next_report:
            out.put(("open", len(connected)))
            next_report = now + 0.5
    out.put(("done", opened, closed_by_server))
    for key in list(sel.get_map().values()):
        key.fileobj.close()


def ms(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def summary(latencies: list[float], timeouts: int) -> str:
    if not latencies:
        return f"no check-in answered, {timeouts} timed out ({TIMEOUT:g} s each)"
    text = (
        f"median {statistics.median(latencies) * 1000:7.1f} ms  p95 {ms(latencies, 95):7.1f} ms"
        f"  max {max(latencies) * 1000:7.1f} ms  ({len(latencies)} answered"
    )
    return text + (f", {timeouts} timed out after {TIMEOUT:g} s)" if timeouts else ")")


def check_ins(port, token, codes, source, count: int) -> tuple[list[float], int, dict]:
    """`count` check-ins, one every INTERVAL, each on a new connection."""
    latencies, timeouts, in_a_row, statuses = [], 0, 0, {}
    for code in codes[:count]:
        started = time.perf_counter()
        try:
            status, _, seconds = request(
                port, "POST", "/api/v1/checkins", token, {"code": code, "gate": "north"}, source
            )
            latencies.append(seconds)
            statuses[status] = statuses.get(status, 0) + 1
            in_a_row = 0
        except OSError:
            timeouts += 1
            in_a_row += 1
            if in_a_row == 5:
                break
        time.sleep(max(0.0, INTERVAL - (time.perf_counter() - started)))
    return latencies, timeouts, statuses


def run(checkout: Path, label: str, server_toml: str, source: str, args) -> None:
    """One scenario against a fresh show and a fresh server."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "event.toml"
        config.write_text(
            (ROOT / "config/event.toml").read_text(encoding="utf-8") + server_toml,
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "KIOSK_DB": f"{tmp}/bench.db",
            "KIOSK_CONFIG": str(config),
            "PYTHONPATH": str(checkout),
        }
        kiosk_cli(checkout, env, "init")
        staff = kiosk_cli(checkout, env, "devices", "add", "--role", "staff", "--name", "s")
        kiosk = kiosk_cli(
            checkout, env, "devices", "add", "--role", "kiosk", "--name", "k", "--gate", "north"
        )
        port = free_port()
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
            cwd=checkout,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        stop = mp.Event()
        out: mp.Queue = mp.Queue()
        attacker = mp.Process(target=flood, args=(port, args.connections, stop, out))
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            codes = []
            for i in range(args.checkins + 10):
                person = {
                    "full_name": f"Bench {i}",
                    "email": f"bench{i}@example.com",
                    "category": "visitor",
                    "consents": {"terms": True},
                }
                _, body, _ = request(
                    port, "POST", "/api/v1/registrations", staff, person, "127.0.0.1"
                )
                codes.append(body["badge"]["code"])
            quiet, quiet_timeouts, _ = check_ins(port, kiosk, codes[:10], source, 10)
            attacker.start()
            open_counts = []
            deadline = time.monotonic() + 2  # the flood is up and the first heads are overdue
            while time.monotonic() < deadline:
                open_counts.append(out.get(timeout=5)[1])
            loud, loud_timeouts, statuses = check_ins(
                port, kiosk, codes[10:], source, args.checkins
            )
            stop.set()
            opened = closed = 0
            while True:
                kind, *values = out.get(timeout=10)
                if kind == "done":
                    opened, closed = values
                    break
                open_counts.append(values[0])
            attacker.join(10)
        finally:
            stop.set()
            if attacker.is_alive():
                attacker.kill()
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)
            log.close()
    print(f"{label}: kiosk from {source}")
    print(f"  no flood    {summary(quiet, quiet_timeouts)}")
    print(
        f"  with flood  {summary(loud, loud_timeouts)}  statuses {dict(sorted(statuses.items()))}"
    )
    print(
        f"  flood       {args.connections} half-open kept up; open at once: max {max(open_counts)},"
        f" last {open_counts[-1]}; {opened} connects, {closed} closed by the server"
    )


def main(argv=None) -> None:
    """Run both scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000, help="1 to 5000")
    parser.add_argument("--checkins", type=int, default=30, help="1 to 200")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the code to serve")
    args = parser.parse_args(argv)
    if not (1 <= args.connections <= 5000 and 1 <= args.checkins <= 200):
        parser.error("--connections 1 to 5000, --checkins 1 to 200")
    checkout = args.checkout.resolve()
    print(f"serving {checkout} (git {git_head(checkout)})")
    held = f"\n[server]\nmax_connections_per_address = {args.connections + 100}\n"
    run(checkout, "held", held, "127.0.0.1", args)
    run(checkout, "capped", "", "127.0.0.2", args)


def git_head(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or "?"


if __name__ == "__main__":
    main()
