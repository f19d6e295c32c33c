"""What several server nodes must see alike beyond heartbeats and alerts: the gates' answer
times, what each entrance kiosk said of its offline queue, and the show day's close (a real
Redis here; the day's close on both databases)."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from datetime import datetime

import pytest
import redis

from conftest import BOTH_DATABASES, free_port
from kiosk.checkin import offline
from kiosk.checkin.dayclose import DayCloser
from kiosk.devices import create_device
from kiosk.services import open_services
from kiosk.stats import telemetry
from kiosk.storage.shared import Clustered

KIOSKS = [
    {"id": 7, "name": "north-1", "gate": "north"},
    {"id": 8, "name": "south-1", "gate": "south"},
]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of the tests' own, on a free port, saving nothing."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def nodes(redis_url):
    """The shared state of two nodes of one show (a show of its own per test)."""
    show = uuid.uuid4().hex[:8]
    return Clustered(redis_url, show), Clustered(redis_url, show)


def figures(svc, answers) -> tuple:
    gate = telemetry.gates(svc.store.conn, svc.settings, answers)["gates"]["north"]
    return gate["answer_ms_p50"], gate["answer_ms_p95"]


def test_every_nodes_console_shows_the_answer_times_of_all_nodes(svc, nodes):
    on_a, on_b = (telemetry.AnswerTimes(node) for node in nodes)
    for _ in range(3):
        on_a.record("north", 0.020)
    on_b.record("north", 0.400)
    # Node A has not sent its answer times yet: node B knows only its own slow one.
    assert figures(svc, on_b) == (400, 400)
    on_a.flush()
    assert figures(svc, on_b) == (20, 400)
    assert figures(svc, on_a) == (20, 400)


def test_the_shared_answer_times_keep_the_latest_within_the_window(nodes):
    node, _ = nodes
    now = time.time()
    node.add_answer_times([("north", now - 400, 0.9), ("north", now, 0.05)], 300, keep=5)
    assert node.answer_times(["north", "south"], 300) == {"north": [0.05], "south": []}
    node.add_answer_times([("south", now + i / 100, i / 1000) for i in range(8)], 300, keep=5)
    assert node.answer_times(["south"], 300) == {"south": [0.003, 0.004, 0.005, 0.006, 0.007]}


def test_with_redis_gone_a_node_shows_its_own_answer_times(svc):
    gone = Clustered(f"redis://127.0.0.1:{free_port()}/0", "show")  # nothing listens there
    answers = telemetry.AnswerTimes(gone)
    answers.record("north", 0.030)
    answers.flush()
    assert figures(svc, answers) == (30, 30)


def test_a_kiosk_reporting_to_one_node_shows_on_every_node(nodes):
    on_a, on_b = (offline.KioskStates(5.0, node) for node in nodes)
    on_a.seen(7, 3, "2026-11-24T09:00:00Z")
    north, south = on_b.snapshot(KIOSKS)
    assert (north["state"], north["queue"], north["alert"]) == ("online", 3, False)
    assert (south["state"], south["queue"]) == ("unknown", None)

    # Its queue reaches the server in two batches, through either node.
    on_b.synced(7, 2, 1)
    on_a.synced(7, 1, 0)
    for states in (on_a, on_b):
        north = states.snapshot(KIOSKS)[0]
        assert (north["state"], north["synced"], north["queue"]) == ("online", 3, 0)
        assert north["last_sync"] is not None

    nodes[0].kiosk_seen(7, time.time() - 6 * 60, 0, None)  # then silent for six minutes
    north = on_b.snapshot(KIOSKS)[0]
    assert (north["state"], north["alert"]) == ("offline", True)
    assert north["offline_minutes"] >= 6


@BOTH_DATABASES
def test_nodes_closing_the_day_at_once_check_each_person_out_once(settings, svc, make):
    device, _ = create_device(svc.store, settings, role="kiosk", name="k", gate="north")
    evening = datetime.fromisoformat("2026-11-24T18:00").replace(tzinfo=settings.timezone)
    people = []
    for _ in range(30):
        attendee_id, code = make.attendee()
        make.check_in(code, device=device, now=evening)
        people.append(attendee_id)
    morning = datetime.fromisoformat("2026-11-25T08:00").replace(tzinfo=settings.timezone)
    # Two nodes, each with its own connections to the one database, close the day together.
    stores = [open_services(settings).store for _ in range(2)]
    start = threading.Barrier(len(stores))
    closed = [None] * len(stores)

    def close(i):
        start.wait()
        closed[i] = DayCloser(stores[i], settings).run_if_due(morning)

    threads = [threading.Thread(target=close, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for store in stores:
        store.close()
    assert sum(closed) == len(people)
    rows = svc.store.query(
        "SELECT attendee_id FROM interactions WHERE type = 'day_closed' ORDER BY attendee_id"
    )
    assert [r["attendee_id"] for r in rows] == people
    inside = svc.store.one("SELECT count(*) AS n FROM presence WHERE state = 'in'")
    assert inside["n"] == 0
