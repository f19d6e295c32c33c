"""Socket.IO /live: token checked at connect; staff get checkin and stats as they happen."""

import threading
import time

import pytest
import socketio as sio_client

from conftest import auth


def socket_client(app, client, token):
    socketio = app.extensions["socketio"]
    return socketio.test_client(
        app, namespace="/live", auth={"token": token}, flask_test_client=client
    )


def events(received, name):
    return [e["args"][0] for e in received if e["name"] == name]


def test_bad_or_missing_token_is_refused_at_connect(app, client, make):
    for auth_value in ({"token": "kt_wrong"}, {}, None, {"token": 1}, {"token": ["kt_x"]}, "kt_x"):
        sc = app.extensions["socketio"].test_client(
            app, namespace="/live", auth=auth_value, flask_test_client=client
        )
        assert not sc.is_connected("/live")


def test_staff_get_stats_on_connect_and_checkins_live(app, client, make):
    _, code = make.attendee(full_name="李雷")
    staff = socket_client(app, client, make.device("staff"))
    assert staff.is_connected("/live")
    first = events(staff.get_received("/live"), "stats")
    assert first and first[0]["registered"] == 1 and first[0]["checked_in"] == 0
    res = client.post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(make.device())
    )
    assert res.status_code == 201
    checkins = events(staff.get_received("/live"), "checkin")
    assert checkins[0]["attendee"]["full_name"] == "李雷"
    assert checkins[0]["gate"] == "north"


@pytest.mark.parametrize("role", ["kiosk", "exhibitor"])
def test_other_roles_do_not_receive_staff_events(app, client, make, role):
    _, code = make.attendee()
    other = socket_client(app, client, make.device(role))
    assert other.is_connected("/live")
    client.post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(make.device())
    )
    received = other.get_received("/live")
    assert not events(received, "checkin") and not events(received, "stats")


def test_real_client_against_running_server_sees_counts_move(live_server, make):
    _, code = make.attendee()
    got = {"stats": [], "checkin": []}
    done = threading.Event()
    client = sio_client.Client(reconnection=False)

    @client.on("stats", namespace="/live")
    def on_stats(data):
        got["stats"].append(data)
        if data["checked_in"] == 1:
            done.set()

    @client.on("checkin", namespace="/live")
    def on_checkin(data):
        got["checkin"].append(data)

    client.connect(
        live_server.url,
        namespaces=["/live"],
        auth={"token": make.device("staff")},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        import requests

        res = requests.post(
            live_server.url + "/api/v1/checkins",
            headers=auth(make.device()),
            json={"code": code, "gate": "north", "nonce": "x1"},
            timeout=10,
        )
        assert res.status_code == 201
        assert done.wait(10), got
        assert got["checkin"][0]["direction"] == "in"
        last = got["stats"][-1]
        assert last["inside_now"] == 1 and last["by_gate"]["north"]["in"] == 1
    finally:
        client.disconnect()


def test_real_client_with_bad_token_is_refused(live_server):
    client = sio_client.Client(reconnection=False)
    with pytest.raises(sio_client.exceptions.ConnectionError):
        client.connect(
            live_server.url,
            namespaces=["/live"],
            auth={"token": "kt_bad"},
            transports=["websocket"],
            wait_timeout=5,
        )
    time.sleep(0.1)
    assert not client.connected


def test_the_server_answers_requests_while_many_pages_hold_live_connections(live_server, make):
    """Kiosks, booth phones and dashboards each keep a WebSocket open all day."""
    import requests

    token = make.device("kiosk")
    clients = []
    try:
        for _ in range(80):
            client = sio_client.Client(reconnection=False)
            client.connect(
                live_server.url,
                namespaces=["/live"],
                auth={"token": token},
                transports=["websocket"],
                wait_timeout=10,
            )
            clients.append(client)
        _, code = make.attendee()
        res = requests.post(
            live_server.url + "/api/v1/checkins",
            headers=auth(token),
            json={"code": code, "gate": "north"},
            timeout=10,
        )
        assert res.status_code == 201
        assert all(c.connected for c in clients)
    finally:
        for client in clients:
            client.disconnect()
