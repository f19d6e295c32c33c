"""Many live dashboards while check-ins run at a steady rate.

Starts `kiosk serve` on a fresh show, connects N Socket.IO staff clients to /live (spread over a
few client processes so that the clients are not the bottleneck), posts check-ins at a steady
rate and reports the delay from check-in request to the check-in's arrival on the clients
(p50/p99), the messages and bytes they received (per event), the dashboards that lost their
connection, and the server's CPU and memory (gunicorn master and worker together). Dashboards
connect as the console does: check-ins in batches (`checkins`) unless `--each` asks for one
`checkin` message per check-in, device health as a summary (`device_summary`) unless
`--full-devices` asks for the whole `devices` list; `--phones N` also keeps N booth phones
connected (exhibitor devices, each also sending a `heartbeat` every 3 s, spread over the 3 s: the
booth page itself sends none, its open connection counts, so this is the harder case), and counts
what they receive.

    python benchmarks/dashboard.py                    # 200 clients, 20 check-ins/s for 10 s
    python benchmarks/dashboard.py --each             # the same, one message per check-in
    python benchmarks/dashboard.py --phones 1000      # and 1,000 booth phones connected
    python benchmarks/dashboard.py --phones 1000 --full-devices   # dashboards take the whole list
    python benchmarks/dashboard.py --clients 500 --rate 50 --seconds 60 --procs 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import config  # noqa: E402
from kiosk.attendees import registration  # noqa: E402
from kiosk.attendees.fields import clean_person  # noqa: E402
from kiosk.devices import create_device  # noqa: E402
from kiosk.exhibitors.manage import create_exhibitor  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402

BEAT_EVERY_S = 3.0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def prepare(workdir: Path, people: int, phones: int = 0):
    """A fresh show with people, a kiosk, a staff device and `phones` exhibitor devices (ten
    to a booth); returns (settings, codes, kiosk token, staff token, phone tokens)."""
    # Every client runs on this machine, one address for all: let it hold them all.
    toml = (ROOT / "config" / "event.toml").read_text(encoding="utf-8")
    (workdir / "event.toml").write_text(
        toml + "\n[server]\nmax_connections_per_address = 10000\n", encoding="utf-8"
    )
    settings = config.load(workdir / "event.toml", workdir / "kiosk.db")
    initialise(settings)
    svc = open_services(settings)
    codes = []
    with svc.store.write() as conn:
        for i in range(people):
            person = clean_person(
                {"full_name": f"Bench Person {i}", "email": f"b{i}@example.com"}, settings
            )
            applicant = registration.Applicant(person, {})
            done = registration.create(conn, settings, svc.keys, applicant, source="test")
            codes.append(done.code)
    _, kiosk = create_device(svc.store, settings, role="kiosk", name="bench-kiosk", gate="north")
    _, staff = create_device(svc.store, settings, role="staff", name="bench-staff")
    booths = [
        create_exhibitor(svc.store, name=f"Booth {b}", booth=f"B{b}") for b in range(phones // 10)
    ]
    phone_tokens = [
        create_device(
            svc.store, settings, role="exhibitor", name=f"phone-{p}", exhibitor_id=booths[p // 10]
        )[1]
        for p in range(len(booths) * 10)
    ]
    return settings, codes, kiosk, staff, phone_tokens


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings, port: int, threads: int, log_path: Path) -> subprocess.Popen:
    """`kiosk serve` in a subprocess, ready when /healthz answers."""
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "kiosk", "serve", "--port", str(port),
            "--threads", str(threads),
            "--db", str(settings.db_path), "--config", str(settings.config_path),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("wb"),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start: " + log_path.read_text()[-2000:])


def client_process(
    url: str, auth: dict, count: int, phones: list[str], ready, go_home, results
) -> None:
    """Connect `count` dashboards (`auth` plus nothing else) and the `phones`; record (attendee
    id, arrival wall time) of every check-in the dashboards receive, and per event the messages
    and bytes that reached the dashboards and the phones."""
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    arrivals: list[tuple[int, float]] = []
    # (who, event) -> [messages, bytes]; who is "dashboards" or "phones"
    received: dict[tuple[str, str], list[int]] = {}
    dropped = [0]
    lock = threading.Lock()
    clients, phone_clients = [], []
    failed = 0

    def connect(client, auth) -> bool:
        try:
            client.connect(
                url, namespaces=["/live"], auth=auth, transports=["websocket"], wait_timeout=30
            )
            return True
        except socketio.exceptions.ConnectionError:
            return False

    def counted(client, who: str) -> None:
        # The bytes of each Socket.IO frame as it came off the WebSocket, named by its event.
        receive = client.eio._receive_packet

        def receive_counted(pkt):
            data = pkt.data
            if isinstance(data, str) and data[:1] == "2":
                event = data[data.index("[") + 2 : data.index('"', data.index("[") + 2)]
                with lock:
                    tally = received.setdefault((who, event), [0, 0])
                    tally[0] += 1
                    tally[1] += len(data)
            receive(pkt)

        client.eio._receive_packet = receive_counted

    for _ in range(count):
        client = socketio.Client(reconnection=False)
        counted(client, "dashboards")

        @client.on("checkin", namespace="/live")
        def on_checkin(event):
            now = time.time()
            with lock:
                arrivals.append((event["attendee"]["id"], now))

        @client.on("checkins", namespace="/live")
        def on_checkins(batch):
            now = time.time()
            with lock:
                arrivals.extend((event["attendee"]["id"], now) for event in batch)

        @client.on("disconnect", namespace="/live")
        def on_disconnect(*_args):
            with lock:
                dropped[0] += 1

        if connect(client, auth):
            clients.append(client)
        else:
            failed += 1
    for phone in phones:
        client = socketio.Client(reconnection=False)
        counted(client, "phones")
        if connect(client, {"token": phone}):
            phone_clients.append(client)
        else:
            failed += 1
    ready.put((len(clients), len(phone_clients), failed))
    # Each phone says it is alive every 3 s, the phones one after the other over those 3 s (as
    # independent phones do), not all at once.
    start, beats = time.monotonic(), 0
    while phone_clients:
        due = start + beats * BEAT_EVERY_S / len(phone_clients)
        if go_home.wait(max(0.0, due - time.monotonic())):
            break
        with contextlib.suppress(socketio.exceptions.SocketIOError):
            phone_clients[beats % len(phone_clients)].emit("heartbeat", {}, namespace="/live")
        beats += 1
    go_home.wait()
    lost = dropped[0]
    for client in clients + phone_clients:
        client.disconnect()
    results.put((arrivals, received, lost))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="check-ins per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--each", action="store_true", help="one `checkin` message per check-in")
    parser.add_argument("--phones", type=int, default=0, help="booth phones connected as well")
    parser.add_argument(
        "--full-devices",
        action="store_true",
        help="dashboards take the whole `devices` list instead of `device_summary`",
    )
    parser.add_argument(
        "--drain", type=float, default=3.0, help="seconds the clients wait for the last events"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    total = int(args.rate * args.seconds)

    with tempfile.TemporaryDirectory() as tmp:
        settings, codes, kiosk, staff, phones = prepare(Path(tmp), total, args.phones)
        port = free_port()
        # Each WebSocket holds one gunicorn thread: leave room for the HTTP requests too.
        threads = args.clients + len(phones) + 64
        server = start_server(settings, port, threads, Path(tmp) / "server.log")
        url = f"http://127.0.0.1:{port}"
        ctx = mp.get_context("spawn")
        ready, results, go_home = ctx.Queue(), ctx.Queue(), ctx.Event()
        shares = [
            args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)
        ]
        workers = [
            ctx.Process(
                target=client_process,
                args=(
                    url,
                    {"token": staff, "batch": not args.each, "summary": not args.full_devices},
                    n,
                    phones[i :: args.procs],
                    ready,
                    go_home,
                    results,
                ),
            )
            for i, n in enumerate(shares)
        ]
        try:
            for w in workers:
                w.start()
            counts = [ready.get(timeout=600) for _ in workers]
            connected = sum(c[0] for c in counts)
            phones_connected = sum(c[1] for c in counts)
            # gunicorn forks its worker: measure the whole process tree.
            master = psutil.Process(server.pid)
            procs = [master, *master.children(recursive=True)]
            for proc in procs:
                proc.cpu_percent(None)
            cpu, rss = [], []
            stop = threading.Event()

            def sample():
                while not stop.wait(1.0):
                    with contextlib.suppress(psutil.Error):
                        cpu.append(sum(p.cpu_percent(None) for p in procs))
                        rss.append(sum(p.memory_info().rss for p in procs) / 2**20)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {kiosk}"
            sent: dict[int, float] = {}
            statuses = []
            t0 = time.perf_counter()
            for i, code in enumerate(codes):
                pause = t0 + i / args.rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                sent[i + 1] = time.time()
                try:
                    res = session.post(
                        f"{url}/api/v1/checkins",
                        json={"code": code, "gate": "north", "nonce": f"b{i}"},
                        timeout=30,
                    )
                    statuses.append(res.status_code)
                except requests.RequestException:
                    # A server too busy to answer in 30 s is a figure, not the end of the run.
                    statuses.append(None)
            time.sleep(args.drain)  # let the last events arrive
            stop.set()
            sampler.join()
            go_home.set()
            delays, received, dropped = [], {}, 0
            for _ in workers:
                arrivals, tallies, lost = results.get(timeout=120)
                dropped += lost
                for key, (n, size) in tallies.items():
                    total_n, total_size = received.get(key, (0, 0))
                    received[key] = (total_n + n, total_size + size)
                delays += [(at - sent[aid]) * 1000 for aid, at in arrivals if aid in sent]
            for w in workers:
                w.join(30)
        finally:
            go_home.set()
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
    figures = {
        "clients": args.clients,
        "connected": connected,
        "checkins_batched": not args.each,
        "phones_connected": phones_connected,
        "checkins": total,
        "checkins_ok": statuses.count(201),
        "checkins_unanswered_30s": statuses.count(None),
        "rate_per_s": args.rate,
        "events_expected": total * connected,
        "events_received": len(delays),
        "delay_ms_p50": round(percentile(delays, 50), 1) if delays else None,
        "delay_ms_p99": round(percentile(delays, 99), 1) if delays else None,
        "delay_ms_max": round(max(delays), 1) if delays else None,
        "checkin_messages_received": sum(
            n for (who, event), (n, _) in received.items() if event in ("checkin", "checkins")
        ),
        "dashboards_dropped": dropped,
        "dashboard_pushes_received": received.get(("dashboards", "dashboard"), (0, 0))[0],
        "dashboard_mb_received": round(
            sum(size for (who, _), (_, size) in received.items() if who == "dashboards") / 1e6, 1
        ),
        "dashboard_kb_per_dashboard": round(
            sum(size for (who, _), (_, size) in received.items() if who == "dashboards")
            / 1e3
            / max(1, connected),
            1,
        ),
        "phone_kb_received": round(
            sum(size for (who, _), (_, size) in received.items() if who == "phones") / 1e3, 1
        ),
        "received_by_event": {
            f"{who}:{event}": {"messages": n, "kb": round(size / 1e3, 1)}
            for (who, event), (n, size) in sorted(received.items())
        },
        "server_cpu_percent_median": round(statistics.median(cpu), 1) if cpu else None,
        "server_cpu_percent_max": round(max(cpu), 1) if cpu else None,
        "server_rss_mb_median": round(statistics.median(rss), 1) if rss else None,
        "server_rss_mb_max": round(max(rss), 1) if rss else None,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
