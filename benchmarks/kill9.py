"""Durability under kill -9: every acknowledged check-in is in the database exactly once.

    .venv/bin/python -m benchmarks.kill9 [--attendees 6000] [--clients 8] [--kills 6]

Starts `kiosk serve` on 127.0.0.1 with a fresh show, then 8 kiosk processes (one device each)
check in their share of the badges while the server is killed with SIGKILL (the whole process
group: gunicorn's arbiter and its worker) every 0.5-1.5 s and started again. A kiosk that loses
its connection or its answer sends the same check-in again with the same nonce, as kiosk.js does,
until it gets an answer. Afterwards the database is read: each check-in a kiosk saw acknowledged
(201) must be there exactly once. Prints acknowledged, lost, doubled and kills; exits 1 when a
check-in was lost or doubled.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.checkins import (  # noqa: E402
    build_show,
    free_port,
    start_server,  # noqa: E402
)
from kiosk.services import open_services  # noqa: E402

RETRY_PAUSE = 0.05


def kill(proc: subprocess.Popen) -> None:
    """kill -9 the server's arbiter and worker at once."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def kiosk(port: int, token: str, gate: str, codes: list[str], out: mp.Queue) -> None:
    """Check in each code, retrying with its nonce until answered; report what was acknowledged."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn: http.client.HTTPConnection | None = None
    acknowledged, refused, resent = [], {}, 0
    for code in codes:
        sent_again = False
        body = json.dumps(
            {"code": code, "gate": gate, "direction": "in", "nonce": uuid.uuid4().hex}
        )
        while True:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/api/v1/checkins", body, headers)
                res = conn.getresponse()
                answer = res.read()
            except (OSError, http.client.HTTPException):
                # The server went away before answering: the same request again, same nonce.
                if conn is not None:
                    conn.close()
                conn = None
                sent_again = True
                time.sleep(RETRY_PAUSE)
                continue
            if res.status >= 500:
                sent_again = True
                time.sleep(RETRY_PAUSE)
                continue
            if res.status == 201:
                acknowledged.append(json.loads(answer)["attendee"]["id"])
            else:
                refused[res.status] = refused.get(res.status, 0) + 1
            break
        resent += sent_again
    out.put((acknowledged, refused, resent))


def main() -> None:
    """Run the check and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        settings, codes, tokens = build_show(Path(tmp), args.attendees, args.clients)
        port = free_port()
        server = start_server(settings, port, new_session=True)
        out: mp.Queue = mp.Queue()
        kiosks = [
            mp.Process(target=kiosk, args=(port, token, gate, codes[n :: args.clients], out))
            for n, (token, gate) in enumerate(tokens)
        ]
        started = time.monotonic()
        for p in kiosks:
            p.start()
        kills = 0
        try:
            while kills < args.kills and any(p.is_alive() for p in kiosks):
                time.sleep(rng.uniform(0.5, 1.5))
                kill(server)
                kills += 1
                server = start_server(settings, port, new_session=True)
            results = [out.get() for _ in kiosks]
            for p in kiosks:
                p.join()
        finally:
            server.terminate()
            server.wait(30)
        seconds = time.monotonic() - started
        svc = open_services(settings)
        counts = {
            row["attendee_id"]: row["n"]
            for row in svc.store.conn.execute(
                "SELECT attendee_id, count(*) AS n FROM interactions"
                " WHERE type = 'checked_in' GROUP BY attendee_id"
            )
        }
        svc.store.close()
    acknowledged = [a for acked, _, _ in results for a in acked]
    refused: dict = {}
    for _, r, _ in results:
        for status, n in r.items():
            refused[status] = refused.get(status, 0) + n
    resent = sum(r for _, _, r in results)
    lost = sum(1 for a in acknowledged if counts.get(a, 0) == 0)
    doubled = sum(1 for n in counts.values() if n > 1)
    print(f"kiosks: {args.clients} processes, {args.attendees} badges, {seconds:.1f} s")
    print(f"kills: {kills} (kill -9 of the server's process group, then a restart)")
    print(f"acknowledged: {len(acknowledged)}  lost: {lost}  doubled: {doubled}")
    print(f"check-ins sent again (no answer before a kill): {resent}  refused: {refused or 0}")
    if lost or doubled or len(acknowledged) != args.attendees:
        sys.exit(1)


if __name__ == "__main__":
    main()
