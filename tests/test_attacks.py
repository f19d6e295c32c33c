"""Attacks from the show floor's network against the real server: each refused, nothing stopped.

Password guessing and token guessing are throttled per address while a kiosk with a good token
keeps checking in; a signed-out console's live connection is cut; malformed bodies get a 4xx
naming the problem and the server answers the next kiosk as before. (The other cases of the fault
and attack suite live beside their features: docs/security.md lists them.)
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid

import pytest
import requests
import socketio as sio_client
from requests.adapters import HTTPAdapter

from conftest import EVENT_TOML, STAFF_PASSWORD, LiveServer, auth, csrf_from, load_settings
from kiosk.staff.accounts import create_staff

THROTTLE = """
[throttle]
sign_in_failures = 4
token_failures = 5
"""


@pytest.fixture
def settings(tmp_path):
    return load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + THROTTLE)


@pytest.fixture
def server(settings, svc):
    live = LiveServer(settings)
    yield live
    live.stop()


class FromAddress(HTTPAdapter):
    """Connections from one loopback address, as if from another machine on the venue LAN."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def sign_in(session: requests.Session, url: str, name: str, password: str) -> requests.Response:
    csrf = csrf_from(session.get(url + "/staff/sign-in", timeout=10).text)
    return session.post(
        url + "/staff/sign-in",
        data={"name": name, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )


def check_in(session: requests.Session, url: str, token: str, code: str) -> requests.Response:
    return session.post(
        url + "/api/v1/checkins",
        headers=auth(token),
        json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
        timeout=10,
    )


def test_password_guessing_is_throttled_without_stopping_staff_elsewhere(server, svc):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    guesser = session_from("127.0.0.5")
    answers = [sign_in(guesser, server.url, f"admin{n}", "letmein123") for n in range(6)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429, 429]
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers[3:])
    # Even the right password waits at that address ...
    assert sign_in(guesser, server.url, "alice", STAFF_PASSWORD).status_code == 429
    # ... while the control room signs in from its own.
    desk = session_from("127.0.0.6")
    assert sign_in(desk, server.url, "alice", STAFF_PASSWORD).status_code == 302
    assert desk.get(server.url + "/staff/live", timeout=10).status_code == 200


def test_token_guessing_is_throttled_but_never_a_kiosk_with_a_good_token(server, make, svc):
    codes = [make.attendee()[1] for _ in range(12)]
    kiosk = make.device()
    booth = session_from("127.0.0.7")  # a booth NAT: the guesser and the kiosk share it
    statuses = []
    for n, code in enumerate(codes):
        statuses.append(check_in(booth, server.url, f"kt_guess{n}", code).status_code)
        assert check_in(booth, server.url, kiosk, code).status_code == 201
    assert statuses == [401] * 4 + [429] * 8
    refused = check_in(booth, server.url, "kt_guess", codes[0])
    assert refused.json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0
    # A live connection with a good token from there is welcome too.
    client = sio_client.Client(reconnection=False)
    client.connect(
        server.url, namespaces=["/live"], auth={"token": make.device("staff")}, wait_timeout=10
    )
    assert client.connected
    client.disconnect()


def test_a_signed_out_console_loses_its_live_connection_on_the_real_server(server, svc):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    console = requests.Session()
    assert sign_in(console, server.url, "alice", STAFF_PASSWORD).status_code == 302
    closed = threading.Event()
    checkins = []
    live = sio_client.Client(reconnection=False)
    live.on("disconnect", lambda *_: closed.set(), namespace="/live")
    live.on("checkin", checkins.append, namespace="/live")
    cookie = "; ".join(f"{k}={v}" for k, v in console.cookies.items())
    live.connect(
        server.url,
        namespaces=["/live"],
        headers={"Cookie": cookie},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        assert live.connected
        csrf = csrf_from(console.get(server.url + "/staff/live", timeout=10).text)
        console.post(server.url + "/staff/sign-out", data={"csrf_token": csrf}, timeout=10)
        assert closed.wait(10)
        # A copy of the old cookie (taken off the venue Wi-Fi, say) opens nothing any more.
        page = requests.get(
            server.url + "/staff/live",
            headers={"Cookie": cookie},
            allow_redirects=False,
            timeout=10,
        )
        assert page.status_code == 302 and "/staff/sign-in" in page.headers["Location"]
        again = sio_client.Client(reconnection=False)
        with pytest.raises(sio_client.exceptions.ConnectionError):
            again.connect(
                server.url,
                namespaces=["/live"],
                headers={"Cookie": cookie},
                transports=["websocket"],
                wait_timeout=10,
            )
    finally:
        live.disconnect()


def raw_post(port: int, path: str, token: str, body: bytes, content_type="application/json"):
    """A POST with exactly these body bytes: (status, answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("POST", path, body, {**auth(token), "Content-Type": content_type})
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def test_malformed_bodies_get_a_4xx_naming_the_problem_and_the_server_carries_on(server, make):
    _, code = make.attendee()
    kiosk = make.device()
    port = server.port
    nested = b'{"code": ' + b"[" * 1000 + b"]" * 1000 + b', "gate": "north"}'
    cases = [
        (b'{"attendee_id": ' + str(2**70).encode() + b', "gate": "north"}', 422, "attendee_id"),
        (nested, 400, "nested too deeply"),
        (b"\xff\xfe{{", 400, ""),
        (b'["code"]', 400, ""),
        (b'{"code": 1, "gate": "north"}', 422, "code"),
        (b"code=K1-x&gate=north", 400, ""),
    ]
    for body, status, named in cases:
        got, answer = raw_post(port, "/api/v1/checkins", kiosk, body)
        assert got == status, (body[:40], got, answer[:200])
        assert named in answer.decode("utf-8", "replace")
        assert json.loads(answer)["error"]
    got, answer = raw_post(
        port, "/api/v1/checkins", kiosk, json.dumps({"code": code, "gate": "north"}).encode()
    )
    assert got == 201
