"""Walk-up registration latency against a real server: register, check in, print (browser path).

    python -m benchmarks.walkup              # 40 visitors (about ten seconds)
    python -m benchmarks.walkup --people 300

Starts `kiosk serve` on a free port with a fresh show in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kiosk(*args: str, env) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def kiosk_show() -> Iterator[tuple[int, str]]:
    """A fresh show served by `kiosk serve` on a free port: yield (port, a kiosk's token)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "KIOSK_DB": f"{tmp}/bench.db",
            "KIOSK_CONFIG": str(ROOT / "config/event.toml"),
            "PYTHONPATH": str(ROOT),
        }
        _kiosk("init", env=env)
        token = _kiosk(
            "devices", "add", "--role", "kiosk", "--name", "bench-kiosk", "--gate", "north", env=env
        )
        port = _port()
        server = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            yield port, token
        finally:
            server.terminate()
            server.wait(10)


def main(argv=None) -> None:
    """Print median and p95 ms of each step and of the whole walk-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args(argv)
    with kiosk_show() as (port, token):
        url = f"http://127.0.0.1:{port}/api/v1"
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        steps: dict[str, list[float]] = {
            "register": [],
            "check in": [],
            "print": [],
            "whole walk-up": [],
        }
        for i in range(args.people):
            body = {
                "full_name": f"访客{i:04d}",
                "company": f"公司{i}",
                "email": f"visitor{i}@example.com",
                "phone": f"+86138{i:08d}",
                "category": "visitor",
                "language": "zh",
                "consents": {"terms": True, "share_with_exhibitors": i % 2 == 0},
            }
            t0 = time.perf_counter()
            res = http.post(f"{url}/registrations", json=body, timeout=10)
            t1 = time.perf_counter()
            attendee_id = res.json()["attendee"]["id"]
            http.post(
                f"{url}/checkins",
                json={"attendee_id": attendee_id, "gate": "north"},
                timeout=10,
            )
            t2 = time.perf_counter()
            http.post(f"{url}/attendees/{attendee_id}/print", json={}, timeout=10)
            http.get(f"{url}/attendees/{attendee_id}/badge.png", timeout=10)
            t3 = time.perf_counter()
            if i >= 3:
                steps["register"].append((t1 - t0) * 1000)
                steps["check in"].append((t2 - t1) * 1000)
                steps["print"].append((t3 - t2) * 1000)
                steps["whole walk-up"].append((t3 - t0) * 1000)
    print(f"{args.people} walk-up visitors against kiosk serve (synchronous=FULL)")
    print(f"{'step':16} {'median ms':>10} {'p95 ms':>8}")
    for step, values in steps.items():
        print(
            f"{step:16} {statistics.median(values):10.1f} {statistics.quantiles(values, n=20)[18]:8.1f}"
        )
    print("print = the browser path: POST .../print then GET .../badge.png")


if __name__ == "__main__":
    main()
