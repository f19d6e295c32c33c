"""Connections that stall, crowd in from one address or stay open cannot stop check-ins (real server)."""

from __future__ import annotations

import contextlib
import http.client
import json
import resource
import selectors
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import EVENT_TOML, ROOT, LiveServer, auth, free_port, load_settings
from kiosk import tls
from kiosk.config import ConfigError
from kiosk.server_worker import is_live

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
PER_ADDRESS = 400
# Few threads, so that a handful of stalled connections would be enough to hold them all.
THREADS = ("--threads", "16")
SERVER = f"""
[server]
header_timeout = {HEADER_TIMEOUT}
body_timeout = {BODY_TIMEOUT}
max_connections_per_address = {PER_ADDRESS}
request_threads = 16
"""
PARTIAL = b"GET / HTTP/1.1\r\nHost: x\r\n"


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + SERVER)


@pytest.fixture
def server(settings, svc):
    live = LiveServer(settings, args=THREADS)
    yield live
    live.stop()


def check_in(port: int, token: str, code: str, source: str = "127.0.0.1") -> tuple[int, float]:
    """A kiosk's check-in on a new connection from `source`: (status, seconds), at most 1 s."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1, source_address=(source, 0))
    started = time.monotonic()
    try:
        body = json.dumps({"code": code, "gate": "north"})
        conn.request(
            "POST", "/api/v1/checkins", body, {**auth(token), "Content-Type": "application/json"}
        )
        res = conn.getresponse()
        res.read()
        return res.status, time.monotonic() - started
    finally:
        conn.close()


def half_open(port: int, count: int) -> list[socket.socket]:
    """`count` connections from 127.0.0.1 that send half a request head and then nothing."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(PARTIAL)
        socks.append(sock)
    return socks


def wait_closed(socks, until: float) -> tuple[list, dict]:
    """Read every socket until the server closes it or `until`: (still open, bytes received)."""
    received = {sock: b"" for sock in socks}
    open_ = set(socks)
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sock.setblocking(False)
            sel.register(sock, selectors.EVENT_READ)
        while open_ and time.monotonic() < until:
            for key, _ in sel.select(timeout=max(0.0, until - time.monotonic())):
                try:
                    data = key.fileobj.recv(4096)
                except (BlockingIOError, ssl.SSLWantReadError):
                    continue
                except (ConnectionResetError, ssl.SSLError):
                    data = b""
                if data:
                    received[key.fileobj] += data
                else:
                    sel.unregister(key.fileobj)
                    open_.discard(key.fileobj)
    return list(open_), received


def close_all(socks) -> None:
    for sock in socks:
        sock.close()


def test_half_open_connections_neither_block_check_ins_nor_stay(server, make):
    _, code = make.attendee()
    token = make.device()
    flood_started = time.monotonic()
    socks = half_open(server.port, 300)
    try:
        status, seconds = check_in(server.port, token, code)
        assert status == 201 and seconds < 1
        # They were all still open while the kiosk was answered: nothing was refused.
        still_open, _ = wait_closed(socks, time.monotonic() + 0.1)
        assert len(still_open) == 300
        # ... and the server closes them once the header timeout is over.
        still_open, received = wait_closed(socks, flood_started + HEADER_TIMEOUT + 3)
        assert still_open == []
        assert time.monotonic() - flood_started >= HEADER_TIMEOUT
        assert set(received.values()) == {b""}
    finally:
        close_all(socks)


def test_connections_per_address_are_capped(server, make):
    codes = [make.attendee()[1] for _ in range(2)]
    token = make.device()
    socks = half_open(server.port, PER_ADDRESS + 50)
    try:
        refused, received = wait_closed(socks[PER_ADDRESS:], time.monotonic() + 2)
        assert refused == [] and all(r.startswith(b"HTTP/1.1 503") for r in received.values())
        # This address is full: a new connection from it is turned away at once ...
        more = socket.create_connection(("127.0.0.1", server.port), timeout=1)
        assert more.recv(4096).startswith(b"HTTP/1.1 503")
        more.close()
        # ... while a kiosk behind another address is answered.
        assert check_in(server.port, token, codes[0], source="127.0.0.2")[0] == 201
        # Once the stalled connections are dropped, the address is welcome again.
        still_open, _ = wait_closed(socks[:PER_ADDRESS], time.monotonic() + HEADER_TIMEOUT + 3)
        assert still_open == []
        assert check_in(server.port, token, codes[1])[0] == 201
    finally:
        close_all(socks)


def dribbling(port: int, token: str, count: int) -> tuple[list[socket.socket], threading.Event]:
    """`count` check-ins whose heads arrive whole and whose bodies then come a byte at a time."""
    head = (
        "POST /api/v1/checkins HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(head + b'{"code": "')
        socks.append(sock)
    stop = threading.Event()

    def drip():
        while not stop.wait(0.2):
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.send(b"K")

    threading.Thread(target=drip, daemon=True).start()
    return socks, stop


def test_a_body_that_dribbles_in_is_answered_408_and_frees_its_thread(server, make):
    _, code = make.attendee()
    token = make.device()
    # More than the server's 16 request threads, each sending a byte every 0.2 s for ever.
    socks, stop = dribbling(server.port, token, 20)
    try:
        answer = requests.post(
            server.url + "/api/v1/checkins",
            headers=auth(token),
            json={"code": code, "gate": "north"},
            timeout=BODY_TIMEOUT * 2 + 15,
        )
        assert answer.status_code == 201
        still_open, received = wait_closed(socks, time.monotonic() + BODY_TIMEOUT * 2 + 15)
        assert still_open == []
        for answer in received.values():
            assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
            assert b"server.body_timeout" in answer
    finally:
        stop.set()
        close_all(socks)


def test_a_body_past_the_limit_is_refused_from_its_head_naming_the_limit(server, make):
    token = make.device()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall(
            b"POST /api/v1/checkins HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: {3 * 1024 * 1024}\r\n\r\n".encode()
        )
        still_open, received = wait_closed([sock], time.monotonic() + 15)
        head, _, body = received[sock].partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 ")
        answer = json.loads(body)
        assert answer["error"] == "request_entity_too_large"
        assert "2 MB" in answer["message"] and "server.max_body_mb" in answer["message"]
    finally:
        sock.close()


def websocket(port: int) -> socket.socket:
    """An open Socket.IO WebSocket (its engine.io handshake sent, its answer not awaited)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    return sock


def test_live_sockets_leave_threads_for_requests(server, make):
    _, code = make.attendee()
    token = make.device()
    # More open WebSockets than the server has live threads (16).
    socks = [websocket(server.port) for _ in range(24)]
    try:
        upgraded = 0
        for sock in socks[:8]:
            upgraded += sock.recv(4096).startswith(b"HTTP/1.1 101")
        assert upgraded == 8
        status, seconds = check_in(server.port, token, code)
        assert status == 201 and seconds < 1
    finally:
        close_all(socks)


def test_clients_that_never_close_do_not_stall_the_server(server, make):
    _, code = make.attendee()
    token = make.device()
    socks = []
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        socks.append(sock)
    try:
        time.sleep(0.3)  # answered by now; none of them reads or closes
        status, seconds = check_in(server.port, token, code)
        assert status == 201 and seconds < 1
        _, received = wait_closed(socks, time.monotonic() + 3)
        assert all(b" 200 " in r.split(b"\r\n")[0] for r in received.values()), received
    finally:
        close_all(socks)


def test_the_https_front_door_drops_stalled_phones_too(settings, svc, make):
    _, code = make.attendee()
    token = make.device()
    tls_port = free_port()
    live = LiveServer(settings, args=(*THREADS, "--tls", "--tls-port", str(tls_port)))
    context = ssl.create_default_context(cafile=str(tls.ca_cert_path(settings)))
    https = f"https://127.0.0.1:{tls_port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", tls_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        started = time.monotonic()
        silent = socket.create_connection(("127.0.0.1", tls_port))  # no TLS handshake at all
        phones = []
        for _ in range(60):
            phone = context.wrap_socket(
                socket.create_connection(("127.0.0.1", tls_port), timeout=5),
                server_hostname="127.0.0.1",
            )
            phone.sendall(PARTIAL)
            phones.append(phone)
        answer = requests.post(
            https + "/api/v1/checkins",
            headers=auth(token),
            json={"code": code, "gate": "north"},
            verify=str(tls.ca_cert_path(settings)),
            timeout=1,
        )
        assert answer.status_code == 201
        still_open, _ = wait_closed([silent, *phones], started + HEADER_TIMEOUT + 3)
        assert still_open == []
        close_all([silent, *phones])
    finally:
        live.stop()


def test_a_flood_beyond_the_open_file_limit_gives_way_to_a_kiosk(settings, svc, make):
    _, code = make.attendee()
    token = make.device()
    port = free_port()
    log = settings.db_path.with_name("server-files.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--port", str(port), *THREADS]
        + ["--db", str(settings.db_path), "--config", str(settings.config_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        # Room for fewer connections than the flood below.
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (300, 300)),
    )
    socks = []
    try:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        socks = half_open(port, 350)
        status, seconds = check_in(port, token, code)
        assert status == 201 and seconds < 1
        assert proc.poll() is None
    finally:
        close_all(socks)
        proc.terminate()
        proc.wait(15)
        log.close()


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("header_timeout = 0", "server.header_timeout"),
        ('header_timeout = "5"', "server.header_timeout"),
        ("max_connections_per_address = 0", "server.max_connections_per_address"),
        ("max_connections_per_address = 2.5", "server.max_connections_per_address"),
        ("request_threads = true", "server.request_threads"),
        ("header_timout = 5", "server.header_timout"),
    ],
)
def test_bad_server_limits_name_the_key(tmp_path, line, key):
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + f"\n[server]\n{line}\n")
    assert str(err.value).startswith(key)


def test_server_limits_have_defaults(tmp_path):
    limits = load_settings(tmp_path).server
    assert (limits.header_timeout, limits.max_connections_per_address) == (5.0, 256)
    assert limits.request_threads == 64


def test_websockets_and_long_polls_are_live():
    assert is_live(b"GET /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nHost: a\r\n\r\n")
    assert is_live(b"GET /anything HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")
    assert not is_live(b"POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n")
    assert not is_live(b"POST /api/v1/checkins HTTP/1.1\r\nHost: a\r\n\r\n")
