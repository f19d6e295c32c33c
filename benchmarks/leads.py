"""Lead capture against a real server: leads/s from 16 exhibitor devices, and a 5,000-scan backlog.

    python benchmarks/leads.py                # short run (seconds)
    python benchmarks/leads.py --per-device 500 --backlog 5000 --rounds 5

Starts `kiosk serve` on 127.0.0.1 with a fresh show in a temporary folder. The backlog phase
replays what a phone does after the Wi-Fi returns: its queued scans sent one at a time, in
order; then the whole backlog again (every answer "lost"), and checks that exactly one scan
and one `lead_captured` row exist per queued scan.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import config  # noqa: E402
from kiosk.attendees import registration  # noqa: E402
from kiosk.devices import create_device  # noqa: E402
from kiosk.exhibitors.manage import create_exhibitor  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402


def make_show(folder: Path, people: int, devices: int):
    settings = config.load(ROOT / "config" / "event.toml", folder / "kiosk.db")
    initialise(settings)
    svc = open_services(settings)
    codes = []
    with svc.store.write() as conn:
        for i in range(people):
            person = {
                "full_name": f"Bench Person {i}",
                "company": f"Firm {i % 97}",
                "email": f"b{i}@example.com",
                "email_key": f"b{i}@example.com",
                "category": "trade",
                "external_id": f"B{i}",
            }
            applicant = registration.Applicant(
                {**person, "language": "en"}, {"share_with_exhibitors": i % 2 == 0}
            )
            done = registration.create(conn, settings, svc.keys, applicant, source="import")
            codes.append(done.code)
    tokens = []
    for d in range(devices + 1):
        ex = create_exhibitor(svc.store, name=f"Exhibitor {d}", booth=f"H{d}")
        tokens.append(
            create_device(
                svc.store, settings, role="exhibitor", name=f"phone-{d}", exhibitor_id=ex
            )[1]
        )
    return settings, codes, tokens


def start_server(settings) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "serve",
            "--port",
            str(port),
            "--db",
            str(settings.db_path),
            "--config",
            str(settings.config_path),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def concurrent_round(url, tokens, codes, per_device) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors = []

    def device(token, offset):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        mine = []
        for i in range(per_device):
            body = {
                "code": codes[(offset + i * 7) % len(codes)],
                "client_ref": uuid.uuid4().hex,
                "scanned_at": datetime.now(UTC).isoformat(),
                "rating": "warm",
            }
            t0 = time.perf_counter()
            res = session.post(url + "/api/v1/leads", json=body, timeout=30)
            mine.append(time.perf_counter() - t0)
            if res.status_code not in (200, 201):
                errors.append(res.status_code)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=device, args=(t, i * 131)) for i, t in enumerate(tokens)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{len(errors)} scans failed: {set(errors)}")
    return len(tokens) * per_device / elapsed, latencies


def backlog(url, token, codes, size, db_path, batch) -> tuple[float, float]:
    start = datetime.now(UTC) - timedelta(hours=2)
    queue = [
        {
            "code": codes[i % len(codes)],
            "client_ref": f"q-{i}",
            "scanned_at": (start + timedelta(seconds=i)).isoformat(),
        }
        for i in range(size)
    ]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def send_all() -> float:
        t0 = time.perf_counter()
        # In order, as the page's outbox does: consecutive queued scans go in batches.
        for i in range(0, len(queue), batch):
            res = session.post(
                url + "/api/v1/leads/batch", json={"scans": queue[i : i + batch]}, timeout=60
            )
            statuses = {r["status"] for r in res.json()["results"]} if res.ok else {res.status_code}
            if not statuses <= {200, 201}:
                raise SystemExit(f"backlog scan refused: {statuses}")
        return time.perf_counter() - t0

    first = send_all()
    again = send_all()
    with sqlite3.connect(db_path) as conn:
        device_id = conn.execute("SELECT id FROM devices WHERE name = 'phone-0'").fetchone()[0]
        scans = conn.execute(
            "SELECT count(*) FROM lead_scans WHERE device_id = ?", (device_id,)
        ).fetchone()[0]
        logged = conn.execute(
            "SELECT count(*), min(at) FROM interactions WHERE type = 'lead_captured'"
            " AND device_id = ?",
            (device_id,),
        ).fetchone()
        total = conn.execute(
            "SELECT sum(scans) FROM leads l JOIN devices d"
            " ON d.exhibitor_id = l.exhibitor_id WHERE d.id = ?",
            (device_id,),
        ).fetchone()[0]
    ok = scans == logged[0] == total == size
    print(
        f"backlog exactly-once: {scans} scans, {logged[0]} lead_captured, lead scans sum {total}"
        f" for {size} queued -> {'OK' if ok else 'MISMATCH'}; earliest logged at {logged[1]}"
    )
    if not ok:
        raise SystemExit(1)
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument("--per-device", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=5000)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100, help="scans per batch (1..200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings, codes, tokens = make_show(Path(tmp), args.people, args.devices)
        proc, url = start_server(settings)
        try:
            rates, lat = [], []
            for r in range(args.rounds):
                rate, latencies = concurrent_round(url, tokens[1:], codes, args.per_device)
                rates.append(rate)
                lat.extend(latencies)
                print(f"round {r + 1}: {rate:.0f} leads/s from {args.devices} devices")
            lat.sort()
            print(
                f"concurrent scans: median {statistics.median(rates):.0f} leads/s over"
                f" {args.rounds} rounds; latency median {statistics.median(lat) * 1000:.1f} ms,"
                f" p95 {lat[int(len(lat) * 0.95)] * 1000:.1f} ms"
            )
            first, again = backlog(
                url, tokens[0], codes, args.backlog, settings.db_path, args.batch
            )
            print(
                f"backlog of {args.backlog} queued scans: synced in {first:.1f} s"
                f" ({args.backlog / first:.0f}/s); resent whole in {again:.1f} s, nothing added"
            )
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
