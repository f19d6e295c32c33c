"""Three `kiosk serve` nodes on one show, Redis between them, nginx in front (real processes).

The nodes share the show's PostgreSQL database (a copy of the session's migrated template) and
the message queue; nginx runs deploy/nginx/kiosk.conf as shipped, with the test's ports.
"""

import threading
import time
import uuid

import psutil
import pytest
import requests
import socketio

from benchmarks.cluster import Cluster, count_checkins
from conftest import EVENT_TOML, TEMPLATE, Factory, auth, load_settings
from kiosk.services import open_services
from kiosk.stats import counts
from kiosk.storage.postgres import dispose
from kiosk.tls import ca_cert_path

DEADLINE_S = 20
CLUSTER_TOML = """
[server]
proxies = ["127.0.0.1"]
# Three servers, Redis and nginx on a shared 2-core test machine: request heads may be slow.
header_timeout = 30

[throttle]
token_failures = 4
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory, pg_cluster):
    """(settings, services, factory, folder) of a show in a PostgreSQL database of its own."""
    tmp = tmp_path_factory.mktemp("cluster")
    url = pg_cluster.create_database(TEMPLATE)
    toml = EVENT_TOML.read_text(encoding="utf-8") + CLUSTER_TOML
    settings = load_settings(tmp, toml, database_url=url)
    svc = open_services(settings)
    yield settings, svc, Factory(svc), tmp
    dispose(url)
    pg_cluster.drop_database(url)


@pytest.fixture(scope="module")
def cluster(show):
    """Three nodes on the show's database, Redis and nginx."""
    settings, _svc, _make, tmp = show
    running = Cluster(settings, tmp, nodes=3, database_url=settings.database_url)
    yield running
    running.stop()


def until(check, what: str, seconds: float = DEADLINE_S):
    """Poll `check` until it answers something true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


class Listener:
    """A real Socket.IO client on /live that keeps every event it receives, with its time."""

    def __init__(self, url: str, token: str, *, batch: bool = False, reconnect: bool = False):
        self.events: list[tuple[str, object, float]] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(
            reconnection=reconnect, reconnection_delay=0.2, reconnection_delay_max=1
        )
        self.client.on("*", self._keep, namespace="/live")
        self.client.connect(
            url,
            namespaces=["/live"],
            auth={"token": token, "batch": batch},
            transports=["websocket"],
            wait_timeout=DEADLINE_S,
        )

    def _keep(self, name, data=None):
        with self.lock:
            self.events.append((name, data, time.time()))

    def got(self, name: str) -> list:
        """The payloads of every `name` event so far."""
        with self.lock:
            return [(data, at) for n, data, at in self.events if n == name]

    def close(self):
        self.client.disconnect()


def again(send):
    """Send a request as a device does: once more if the connection dropped before an answer (a
    loaded test machine drops one now and then)."""
    for _ in range(3):
        try:
            return send()
        except requests.ConnectionError:
            time.sleep(0.2)
    return send()


def post(url, path, token, body, **headers):
    return again(
        lambda: requests.post(url + path, json=body, headers={**auth(token), **headers}, timeout=30)
    )


def get(url, headers):
    return again(lambda: requests.get(url, headers=headers, timeout=30))


def test_sixteen_simultaneous_scans_of_one_badge_over_the_nodes_make_one_checkin(cluster, show):
    _settings, svc, make, _tmp = show
    _, code = make.attendee()
    kiosk = make.device("kiosk", gate="north")
    urls = [cluster.node_url(i % 3) for i in range(12)] + [cluster.url] * 4
    start = threading.Barrier(len(urls))
    answers = [None] * len(urls)

    def scan(i):
        start.wait()
        body = {"code": code, "gate": "north", "nonce": uuid.uuid4().hex}
        answers[i] = post(urls[i], "/api/v1/checkins", kiosk, body)

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 15 + [201], [(a.status_code, a.text) for a in answers]
    assert {a.json()["reason"] for a in answers if a.status_code == 200} == {"already_checked_in"}
    stats = get(cluster.url + "/api/v1/stats", auth(make.device("staff")))
    assert stats.json()["checked_in"] == 1


def test_an_address_locked_out_on_some_nodes_is_locked_out_on_all(cluster, show):
    _settings, _svc, make, _tmp = show
    # An address that spends its budget of unknown tokens on some nodes is refused on all.
    away = {"X-Forwarded-For": "203.0.113.7"}
    for i in range(4):
        get(cluster.node_url(i % 2) + "/api/v1/stats", away | auth("kt_bad"))
    refused = get(cluster.node_url(2) + "/api/v1/stats", away | auth("kt_bad"))
    assert refused.status_code == 429
    # Through nginx (which forwards each client's own address) others are not refused.
    assert get(cluster.url + "/api/v1/stats", auth(make.device("staff"))).ok


def test_live_events_reach_clients_on_every_node(cluster, show):
    _settings, _svc, make, _tmp = show
    staff = make.device("staff")
    each = Listener(cluster.node_url(1), staff)
    batched = Listener(cluster.node_url(1), staff, batch=True)
    gate_kiosk = Listener(cluster.node_url(2), make.device("kiosk", gate="south"))
    exhibitor = make.exhibitor(name="Cluster Co", booth="C9")
    phone_a = make.device("exhibitor", exhibitor_id=exhibitor)
    phone_b = Listener(cluster.node_url(2), make.device("exhibitor", exhibitor_id=exhibitor))
    try:
        person, code = make.attendee(full_name="Node Crosser")
        sent = time.time()
        body = {"code": code, "gate": "north", "nonce": uuid.uuid4().hex}
        assert post(cluster.node_url(0), "/api/v1/checkins", make.device(), body).ok
        # One node's check-in, another node's dashboards: one by one, and in a batch.
        (event, at), *_ = until(lambda: each.got("checkin"), "checkin on node 1")
        assert event["attendee"]["id"] == person
        print(f"check-in on node 0 seen on node 1 after {1000 * (at - sent):.0f} ms")
        batches = until(lambda: batched.got("checkins"), "checkins batch on node 1")
        assert [c["attendee"]["id"] for batch, _ in batches for c in batch] == [person]
        assert not batched.got("checkin")
        # Counts follow on node 1 although nothing happened there.
        until(lambda: any(s["checked_in"] >= 1 for s, _ in each.got("stats")), "stats")

        # A camera at the south gate, posting to node 0: the gate's kiosk on node 2 sees it.
        _, other = make.attendee()
        camera = make.device("kiosk", gate="south")
        scan = {"code": other, "gate": "south", "nonce": uuid.uuid4().hex}
        assert post(cluster.node_url(0), "/api/v1/scans", camera, scan).status_code == 201
        until(lambda: gate_kiosk.got("scan"), "scan on node 2")

        # A booth's phone scans on node 0; its colleague's phone on node 2 sees the lead.
        lead = {"code": other, "client_ref": uuid.uuid4().hex, "rating": "hot"}
        assert post(cluster.node_url(0), "/api/v1/leads", phone_a, lead).status_code == 201
        until(lambda: phone_b.got("lead"), "lead on node 2")
    finally:
        for client in (each, batched, gate_kiosk, phone_b):
            client.close()


def test_every_node_shows_the_same_devices_alerts_and_lockouts(cluster, show):
    _settings, _svc, make, _tmp = show
    staff = make.device("staff")
    kiosk = make.device("kiosk", name="hall-7-kiosk", gate="north")
    assert post(cluster.node_url(0), "/api/v1/heartbeat", kiosk, {}).ok
    # Five forged codes at one gate, spread over the nodes: one alert, seen from every node.
    for i in range(5):
        forged = {"code": f"KX1.forged{i}.0000", "gate": "south", "nonce": uuid.uuid4().hex}
        assert post(cluster.node_url(i % 3), "/api/v1/checkins", kiosk, forged).status_code == 404
    for node in range(3):
        console = Listener(cluster.node_url(node), staff)
        try:
            now = console.client.call("snapshot", namespace="/live", timeout=DEADLINE_S)
        finally:
            console.close()
        (device,) = [d for d in now["devices"] if d["name"] == "hall-7-kiosk"]
        assert device["online"]
        invalid = [a for a in now["dashboard"]["alerts"] if a.get("kind") == "invalid_scans"]
        assert len(invalid) == 1 and invalid[0]["gate"] == "south"


def test_phones_reach_the_cluster_over_https_at_the_balancer(cluster, show):
    settings, _svc, _make, _tmp = show
    answer = requests.get(cluster.tls_url + "/healthz", verify=str(ca_cert_path(settings)))
    assert answer.json() == {"status": "ok"}


def _live_node(cluster, connect) -> int:
    """The node that takes the live connections `connect()` opens through the balancer."""

    def established():
        counts = []
        for proc, port in zip(cluster.procs, cluster.ports, strict=True):
            procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            counts.append(
                sum(
                    1
                    for p in procs
                    for c in p.net_connections("tcp")
                    if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED
                )
            )
        return counts

    before = established()
    connect()
    after = established()
    grown = [b - a for a, b in zip(before, after, strict=True)]
    return grown.index(max(grown))


def test_killing_a_node_under_load_loses_no_acknowledged_checkin(cluster, show):
    settings, svc, make, _tmp = show
    staff = make.device("staff")
    people = [make.attendee() for _ in range(60)]
    kiosks = [make.device("kiosk", gate="north") for _ in range(4)]
    live: list[Listener] = []
    node = _live_node(
        cluster,
        lambda: live.extend(
            [
                *(Listener(cluster.url, k, reconnect=True) for k in kiosks),
                Listener(cluster.url, staff, batch=True, reconnect=True),
            ]
        ),
    )
    dashboard = live[-1]
    acknowledged: set[int] = set()
    lock = threading.Lock()
    killed = threading.Event()

    def kiosk_at_work(token, share):
        session = requests.Session()
        for person, code in share:
            body = {"code": code, "gate": "north", "nonce": uuid.uuid4().hex}
            # A kiosk sends the same check-in (same nonce) again until it has an answer.
            while True:
                try:
                    answer = session.post(
                        cluster.url + "/api/v1/checkins", json=body, headers=auth(token), timeout=10
                    )
                except requests.ConnectionError:
                    continue
                if answer.status_code == 201:
                    with lock:
                        acknowledged.add(person)
                    break
                if answer.status_code < 500:
                    raise AssertionError(answer.text)
            if len(acknowledged) >= 15 and not killed.is_set():
                killed.set()
                cluster.kill(node)

    threads = [
        threading.Thread(target=kiosk_at_work, args=(k, people[i::4])) for i, k in enumerate(kiosks)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert killed.is_set() and cluster.procs[node].poll() is not None
        # Every acknowledged check-in is in the database, once.
        assert acknowledged == {p for p, _ in people}
        assert count_checkins(settings) == (len(people) + 3, 0)
        total = counts.compute(svc.store.conn, settings)["checked_in"]
        # The live clients of the dead node came back through the balancer, and the dashboard's
        # totals are the database's.
        until(lambda: all(c.client.connected for c in live), "live clients reconnected")
        until(
            lambda: any(s["checked_in"] == total for s, _ in dashboard.got("stats")),
            "the dashboard's total",
        )
    finally:
        for client in live:
            client.close()


def test_with_redis_gone_the_nodes_still_check_people_in(cluster, show):
    _settings, _svc, make, _tmp = show
    cluster.redis.kill()
    cluster.redis.wait(10)
    _, code = make.attendee()
    body = {"code": code, "gate": "north", "nonce": uuid.uuid4().hex}
    assert post(cluster.url, "/api/v1/checkins", make.device(), body).status_code == 201
    assert requests.get(cluster.url + "/healthz", timeout=30).json()["status"] == "ok"
