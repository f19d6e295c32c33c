"""Socket.IO /live: token checked at connect; staff get checkin and stats as they happen."""

import threading
import time

import pytest
import socketio as sio_client

from conftest import BOTH_DATABASES, STAFF_PASSWORD, auth, csrf_from

pytestmark = BOTH_DATABASES


def socket_client(app, client, token):
    socketio = app.extensions["socketio"]
    return socketio.test_client(
        app, namespace="/live", auth={"token": token}, flask_test_client=client
    )


def listening(live_server, token):
    """A real Socket.IO client on /live, and an event set when the server closes it."""
    closed = threading.Event()
    client = sio_client.Client(reconnection=False)
    client.on("disconnect", lambda *_: closed.set(), namespace="/live")
    client.connect(
        live_server.url,
        namespaces=["/live"],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=30,
    )
    return client, closed


def events(received, name):
    return [e["args"][0] for e in received if e["name"] == name]


def received_until(sc, name, done, timeout=15):
    """Everything a test client receives until an event `name` satisfies `done`."""
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += sc.get_received("/live")
        if any(done(args) for args in events(got, name)):
            return got
        time.sleep(0.05)
    raise AssertionError(f"no {name} event as expected within {timeout} s: {got}")


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


def device_id(svc, token):
    return svc.devices.authenticate(token).id


def test_revoking_a_device_cuts_its_live_connection_at_once(app, staff_client, make, svc):
    _, first = make.attendee(full_name="韩梅梅")
    _, second = make.attendee()
    kiosk = make.device()
    token = make.device("staff", name="desk-tablet")
    tablet = socket_client(app, app.test_client(), token)
    other = socket_client(app, app.test_client(), make.device("staff"))
    tablet.get_received("/live")
    other.get_received("/live")
    client = staff_client
    client.post("/api/v1/checkins", json={"code": first, "gate": "north"}, headers=auth(kiosk))
    # The pusher's dashboard for the first check-in has reached both before the revoke.
    got = received_until(tablet, "dashboard", lambda d: d["stats"]["checked_in"] == 1)
    assert events(got, "checkin")[0]["attendee"]["full_name"] == "韩梅梅"
    received_until(other, "dashboard", lambda d: d["stats"]["checked_in"] == 1)

    res = client.post(
        f"/staff/devices/{device_id(svc, token)}/revoke", data={"csrf_token": client.csrf}
    )
    assert res.status_code == 302
    assert not tablet.is_connected("/live") and other.is_connected("/live")
    # A closed test client refuses get_received; its queue holds whatever reached it.
    before = list(tablet.queue)
    client.post("/api/v1/checkins", json={"code": second, "gate": "north"}, headers=auth(kiosk))
    received = received_until(other, "dashboard", lambda d: d["stats"]["checked_in"] == 2)
    assert events(received, "checkin") and events(received, "stats")[-1]["checked_in"] == 2
    assert tablet.queue == before
    again = socket_client(app, app.test_client(), token)
    assert not again.is_connected("/live")


def test_signing_out_cuts_the_live_connections_of_that_sign_in_only(app, staff_client, make):
    browser = socket_client(app, staff_client, None)
    # The same account signed in on a second browser, and a staff device with its own token.
    laptop = app.test_client()
    csrf = csrf_from(laptop.get("/staff/sign-in").get_data(as_text=True))
    laptop.post(
        "/staff/sign-in", data={"name": "alice", "password": STAFF_PASSWORD, "csrf_token": csrf}
    )
    elsewhere = socket_client(app, laptop, None)
    tablet = socket_client(app, app.test_client(), make.device("staff"))
    assert browser.is_connected("/live") and elsewhere.is_connected("/live")

    staff_client.post("/staff/sign-out", data={"csrf_token": staff_client.csrf})
    assert not browser.is_connected("/live")
    assert elsewhere.is_connected("/live") and tablet.is_connected("/live")
    assert not socket_client(app, staff_client, None).is_connected("/live")


def test_a_revoked_device_is_cut_from_the_running_server(live_server, make, svc):
    import requests

    from kiosk.staff.accounts import create_staff

    create_staff(svc.store, "alice", STAFF_PASSWORD)
    token = make.device("staff", name="desk-tablet")
    tablet, closed = listening(live_server, token)
    try:
        console = requests.Session()
        page = console.get(live_server.url + "/staff/sign-in?lang=en", timeout=10).text
        data = {"name": "alice", "password": STAFF_PASSWORD, "csrf_token": csrf_from(page)}
        console.post(live_server.url + "/staff/sign-in", data=data, timeout=10)
        csrf = csrf_from(console.get(live_server.url + "/staff/live", timeout=10).text)
        res = console.post(
            f"{live_server.url}/staff/devices/{device_id(svc, token)}/revoke",
            data={"csrf_token": csrf},
            timeout=10,
        )
        assert res.status_code == 200 and "live connections are closed" in res.text
        assert closed.wait(20)
    finally:
        tablet.disconnect()


def test_kiosk_devices_revoke_on_the_command_line_cuts_the_running_server(live_server, make, svc):
    import subprocess
    import sys

    import requests

    token = make.device("staff", name="control-room-wall")
    wall, closed = listening(live_server, token)
    try:
        settings = svc.settings
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "devices", "revoke", "control-room-wall"]
            + ["--db", str(settings.db_path), "--config", str(settings.config_path)]
            + (["--database-url", settings.database_url] if settings.database_url else []),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "revoked" in done.stdout
        # Another process revoked it: the server notices at its next device-health tick.
        assert closed.wait(30)
        me = requests.get(live_server.url + "/api/v1/me", headers=auth(token), timeout=10)
        assert me.status_code == 401
    finally:
        wall.disconnect()


def test_kiosk_devices_revoke_names_what_it_cannot_find(make, svc):
    import subprocess
    import sys

    make.device("kiosk", name="north-1")
    make.device("kiosk", name="north-1")
    settings = svc.settings
    base = [sys.executable, "-m", "kiosk", "devices", "revoke"]
    paths = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    if settings.database_url:
        paths += ["--database-url", settings.database_url]
    missing = subprocess.run(base + ["south-9"] + paths, capture_output=True, text=True)
    assert missing.returncode != 0 and "no device named 'south-9'" in missing.stderr
    twice = subprocess.run(base + ["north-1"] + paths, capture_output=True, text=True)
    assert twice.returncode != 0 and "several devices are named 'north-1'" in twice.stderr


def test_a_dashboard_that_asks_for_batches_gets_checkins_a_few_at_a_time(app, client, make):
    codes = [make.attendee(full_name=f"批次 {i}")[1] for i in range(5)]
    staff = make.device("staff")
    batched = app.extensions["socketio"].test_client(
        app, namespace="/live", auth={"token": staff, "batch": True}, flask_test_client=client
    )
    each = socket_client(app, client, staff)
    kiosk = make.device()
    for code in codes:
        res = client.post(
            "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk)
        )
        assert res.status_code == 201
    got: list = []
    deadline = time.monotonic() + 10
    while sum(len(batch) for batch in got) < 5 and time.monotonic() < deadline:
        received = batched.get_received("/live")
        assert not events(received, "checkin")
        got += events(received, "checkins")
        time.sleep(0.05)
    names = [c["attendee"]["full_name"] for batch in got for c in batch]
    assert names == [f"批次 {i}" for i in range(5)]
    # A client that did not ask for batches still gets one `checkin` per check-in.
    assert len(events(each.get_received("/live"), "checkin")) == 5


def test_a_dashboard_connecting_after_a_booths_leads_gets_the_booths_figures(app, client, make):
    exhibitor = make.exhibitor(name="Lead Co", booth="L1")
    phone = make.device("exhibitor", exhibitor_id=exhibitor)
    _, code = make.attendee()
    for ref in ("first-scan", "second-scan"):
        lead = {"code": code, "client_ref": ref, "rating": "hot"}
        assert client.post("/api/v1/leads", json=lead, headers=auth(phone)).status_code in (
            200,
            201,
        )
    staff = socket_client(app, client, make.device("staff"))
    assert staff.is_connected("/live")
    received_until(
        staff,
        "dashboard",
        lambda d: (
            [(b["name"], b["leads"], b["scans"], b["hot"]) for b in d["booths"]]
            == [("Lead Co", 1, 2, 1)]
        ),
    )
