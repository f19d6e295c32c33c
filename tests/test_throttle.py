"""Failures per client address are throttled: wrong sign-ins and unknown device tokens get 429."""

from __future__ import annotations

import time

import pytest

from conftest import EVENT_TOML, STAFF_PASSWORD, auth, csrf_from, load_settings
from kiosk import create_app
from kiosk.config import ConfigError
from kiosk.staff.accounts import create_staff

THROTTLE = """
[throttle]
sign_in_failures = 4
token_failures = 5
window_seconds = {window}
"""
ATTACKER = {"REMOTE_ADDR": "10.9.9.9"}
BOOTH = {"REMOTE_ADDR": "10.1.1.1"}


def throttled_settings(tmp_path, window=300):
    return load_settings(
        tmp_path, EVENT_TOML.read_text(encoding="utf-8") + THROTTLE.format(window=window)
    )


@pytest.fixture
def settings(tmp_path):
    return throttled_settings(tmp_path)


def sign_in(client, name, password, address):
    csrf = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post(
        "/staff/sign-in",
        data={"name": name, "password": password, "csrf_token": csrf},
        environ_base=address,
    )


def test_password_guesses_across_names_are_throttled_per_address(app, svc):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    guesser = app.test_client()
    answers = [sign_in(guesser, f"name{n}", "password123", ATTACKER) for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    # The fourth failure spends the budget: from now on the address waits, whatever it tries.
    for answer in (answers[3], sign_in(guesser, "alice", STAFF_PASSWORD, ATTACKER)):
        assert answer.status_code == 429
        assert 1 <= int(answer.headers["Retry-After"]) <= 300
        page = answer.get_data(as_text=True)
        assert "Too many failed sign-ins from this address" in page and "登录失败次数过多" in page
    # Staff at another address sign in as usual.
    desk = app.test_client()
    assert sign_in(desk, "alice", STAFF_PASSWORD, BOOTH).status_code == 302
    assert desk.get("/staff/live").status_code == 200


class Clock:
    """A stopped time.time() that the test moves on, for the throttle and its storage."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_a_correct_sign_in_works_once_the_window_has_moved_on(app, svc, monkeypatch):
    import limits.storage.memory

    import kiosk.throttle

    clock = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(kiosk.throttle, "time", clock)
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    client = app.test_client()
    for n in range(4):
        sign_in(client, f"guess{n}", "password123", ATTACKER)
    assert sign_in(client, "alice", STAFF_PASSWORD, ATTACKER).status_code == 429
    clock.now += 299
    assert sign_in(client, "alice", STAFF_PASSWORD, ATTACKER).status_code == 429
    clock.now += 2
    assert sign_in(client, "alice", STAFF_PASSWORD, ATTACKER).status_code == 302


def test_unknown_tokens_are_throttled_but_a_good_token_at_that_address_never_is(client, make, svc):
    _, code = make.attendee()
    kiosk = make.device()
    revoked = make.device(name="old-kiosk")
    from kiosk.devices import revoke_device

    revoke_device(svc.store, svc.devices.authenticate(revoked).id, actor="test")
    statuses = [
        client.get("/api/v1/me", headers=auth(token), environ_base=BOOTH).status_code
        for token in (revoked, "kt_guess1", "kt_guess2", "Basic abc", "kt_guess3", "kt_guess4")
    ]
    assert statuses == [401, 401, 401, 401, 429, 429]
    refused = client.get("/api/v1/me", headers=auth("kt_guess5"), environ_base=BOOTH)
    assert refused.status_code == 429
    assert refused.json["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    # The kiosk with a good token behind the same address checks in, unslowed.
    res = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north"},
        headers=auth(kiosk),
        environ_base=BOOTH,
    )
    assert res.status_code == 201
    # Another address is not concerned.
    assert client.get("/api/v1/me", headers=auth("kt_x"), environ_base=ATTACKER).status_code == 401


def test_a_request_without_any_token_is_not_counted(client):
    for _ in range(10):
        assert client.get("/api/v1/me", environ_base=BOOTH).status_code == 401


def test_live_connections_with_a_bad_token_count_with_the_requests(app, client):
    socketio = app.extensions["socketio"]
    for n in range(5):
        sc = socketio.test_client(
            app, namespace="/live", auth={"token": f"kt_bad{n}"}, flask_test_client=client
        )
        assert not sc.is_connected("/live")
    # The test client's Socket.IO connections come from 127.0.0.1, as do its requests.
    answer = client.get("/api/v1/me", headers=auth("kt_bad"))
    assert answer.status_code == 429


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("sign_in_failures = 0", "throttle.sign_in_failures"),
        ("token_failures = 1.5", "throttle.token_failures"),
        ('window_seconds = "60"', "throttle.window_seconds"),
        ("windows = 60", "throttle.windows"),
        ("storage = 5", "throttle.storage"),
    ],
)
def test_bad_throttle_settings_name_the_key(tmp_path, line, key):
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path, EVENT_TOML.read_text(encoding="utf-8") + f"\n[throttle]\n{line}\n")
    assert str(err.value).startswith(key)


@pytest.mark.parametrize("uri", ["nowhere://x", "redis://127.0.0.1:1"])
def test_a_storage_the_throttle_cannot_use_stops_the_start(tmp_path, uri):
    toml = EVENT_TOML.read_text(encoding="utf-8") + f'\n[throttle]\nstorage = "{uri}"\n'
    settings = load_settings(tmp_path, toml)
    with pytest.raises(ConfigError) as err:
        create_app(settings, testing=True)
    assert str(err.value).startswith("throttle.storage: ")


def test_throttle_settings_have_defaults(tmp_path):
    throttle = load_settings(tmp_path).throttle
    assert (throttle.sign_in_failures, throttle.token_failures) == (10, 30)
    assert (throttle.window_seconds, throttle.storage) == (300, "memory://")
