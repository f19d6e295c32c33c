"""The live dashboard: figures, device health, alerts, refused scans in the audit log."""

import time

from conftest import BOTH_DATABASES, auth
from kiosk.checkin import refusals
from kiosk.live.heartbeats import OFFLINE_AFTER_S

FORGED = "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA"


def dashboard(client, make):
    return client.get("/api/v1/dashboard", headers=auth(make.device("staff"))).get_json()


@BOTH_DATABASES
def test_figures_after_checkins_and_leads(client, make, svc):
    kiosk = make.device("kiosk")
    codes = [make.attendee(category=c, company="Co")[1] for c in ("visitor", "visitor", "media")]
    for code in codes:
        client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk))
    exhibitor = make.exhibitor(name="Acme Robotics", booth="B12")
    with svc.store.write() as conn:
        for attendee_id in (1, 2):
            conn.execute(
                "INSERT INTO leads (exhibitor_id, attendee_id, first_scanned_at, last_scanned_at,"
                " rating, updated_at) VALUES (:exhibitor, :attendee_id, 'x', 'x', 'hot', 'x')",
                {"exhibitor": exhibitor, "attendee_id": attendee_id},
            )
    d = dashboard(client, make)["dashboard"]
    assert d["stats"]["checked_in"] == 3 and d["stats"]["by_category"]["media"]["checked_in"] == 1
    assert sum(b["n"] for b in d["arrivals"]) == 3 and d["arrivals"][-1]["n"] == 3
    assert d["booths"][0]["name"] == "Acme Robotics" and d["booths"][0]["leads"] == 2
    assert d["booths"][0]["hot"] == 2
    assert len(d["latest"]) == 3 and d["latest"][0]["place"] == "north"
    assert {s["id"] for s in d["sessions"]} == {"forum-1", "forum-2"}


def test_a_device_that_stops_answering_turns_offline(client, make, app):
    token = make.device("kiosk", name="north-1")
    assert (
        client.post(
            "/api/v1/heartbeat", json={"printer": {"state": "ok"}}, headers=auth(token)
        ).status_code
        == 200
    )
    (device,) = [d for d in dashboard(client, make)["devices"] if d["name"] == "north-1"]
    assert device["online"] and device["printer_state"]["state"] == "ok"
    beats = app.extensions["kiosk.live"].heartbeats
    # As if the last heartbeat came just over the limit ago.
    _last, iso = beats.shared.beats()[0][device["id"]]
    beats.shared.beat(device["id"], time.time() - OFFLINE_AFTER_S - 0.5, iso, None)
    (device,) = [d for d in dashboard(client, make)["devices"] if d["name"] == "north-1"]
    assert not device["online"] and device["age_s"] > OFFLINE_AFTER_S


def test_heartbeat_over_socketio_and_staff_cannot_fake_one(app, client, make):
    sio = app.extensions["socketio"]
    kiosk = sio.test_client(
        app,
        namespace="/live",
        auth={"token": make.device("kiosk", name="k-9")},
        flask_test_client=client,
    )
    assert kiosk.emit(
        "heartbeat",
        {"printer": {"state": "error", "message": "paper out"}},
        namespace="/live",
        callback=True,
    ) == {"ok": True}
    (device,) = [d for d in dashboard(client, make)["devices"] if d["name"] == "k-9"]
    assert device["online"] and device["printer_state"]["message"] == "paper out"
    staff = sio.test_client(
        app, namespace="/live", auth={"token": make.device("staff")}, flask_test_client=client
    )
    assert staff.emit("heartbeat", {}, namespace="/live", callback=True) == {"error": "forbidden"}


@BOTH_DATABASES
def test_repeated_invalid_scans_at_a_gate_raise_an_alert(app, client, make, svc):
    sio = app.extensions["socketio"]
    staff = sio.test_client(
        app, namespace="/live", auth={"token": make.device("staff")}, flask_test_client=client
    )
    kiosk = make.device("kiosk")
    for _ in range(5):
        res = client.post(
            "/api/v1/checkins", json={"code": FORGED, "gate": "south"}, headers=auth(kiosk)
        )
        assert res.status_code == 404
    alerts = [e["args"][0] for e in staff.get_received("/live") if e["name"] == "alert"]
    assert (
        len(alerts) == 1 and alerts[0]["kind"] == "invalid_scans" and alerts[0]["gate"] == "south"
    )
    assert dashboard(client, make)["dashboard"]["alerts"][0]["kind"] == "invalid_scans"
    refused = "SELECT * FROM audit_log WHERE action = 'scan.refused'"
    assert svc.store.query(refused) == []  # counted in memory, not written per scan
    refusals.flush(svc.store)
    (row,) = svc.store.query(refused)
    assert row["target"] == "gate:south" and '"count":5' in row["after"]


@BOTH_DATABASES
def test_refused_known_badge_is_audited_with_reason_gate_device(client, make, svc):
    _, code = make.attendee()
    kiosk = make.device("kiosk")
    for _ in range(2):
        client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk))
    (row,) = svc.store.query("SELECT * FROM audit_log WHERE action = 'scan.refused'")
    assert '"reason":"already_checked_in"' in row["after"] and '"gate":"north"' in row["after"]
    assert row["actor"].startswith("device:")


def test_printer_alert_reaches_dashboards_live_and_later(app, client, make):
    from kiosk import events

    sio = app.extensions["socketio"]
    staff = sio.test_client(
        app, namespace="/live", auth={"token": make.device("staff")}, flask_test_client=client
    )
    alert = {"kind": "print_failed", "message": "printer north-1 out of labels", "at": "t"}
    events.publish(app.extensions["kiosk"].store, events.Alert(**alert))
    live = [e["args"][0] for e in staff.get_received("/live") if e["name"] == "alert"]
    assert live == [alert]
    # A dashboard opened afterwards still sees it.
    assert dashboard(client, make)["dashboard"]["alerts"] == [alert]


def staff_socket(app, make):
    return app.extensions["socketio"].test_client(
        app, namespace="/live", auth={"token": make.device("staff")}
    )


def received(sc, name):
    return [e["args"][0] for e in sc.get_received("/live") if e["name"] == name]


def count_computations(monkeypatch, app) -> list:
    """Count this app's computations of the counts (pushers of earlier tests may still run)."""
    from kiosk.stats import counts

    calls = []
    real = counts.compute
    settings = app.extensions["kiosk.live"].services.settings

    def compute(conn, settings_):
        if settings_ is settings:
            calls.append(1)
        return real(conn, settings_)

    monkeypatch.setattr(counts, "compute", compute)
    return calls


@BOTH_DATABASES
def test_a_checkin_computes_the_counts_once_for_stats_and_dashboard(app, make, monkeypatch):
    pusher = app.extensions["kiosk.live"].pusher
    monkeypatch.setattr(pusher, "start", lambda: None)  # ticks driven by hand below
    _, code = make.attendee()
    kiosk, staff = make.device(), staff_socket(app, make)
    staff.get_received("/live")
    calls = count_computations(monkeypatch, app)
    client = app.test_client()

    client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk))
    pusher.tick(100.0)
    assert len(calls) == 1
    events_ = staff.get_received("/live")
    (stats,) = [e["args"][0] for e in events_ if e["name"] == "stats"]
    (snapshot,) = [e["args"][0] for e in events_ if e["name"] == "dashboard"]
    assert stats["checked_in"] == 1 and snapshot["stats"] == stats

    pusher.tick(100.5)  # nothing changed: nothing computed, nothing sent
    assert len(calls) == 1 and not received(staff, "stats") + received(staff, "dashboard")

    _, code = make.attendee()
    client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk))
    pusher.tick(101.0)  # stats may go every second, the dashboard every 2 s
    assert len(calls) == 2 and received(staff, "stats")[0]["checked_in"] == 2
    pusher.tick(102.0)
    assert len(calls) == 3 and received(staff, "dashboard")[0]["stats"]["checked_in"] == 2


def test_the_running_pusher_sends_stats_and_dashboard_computing_once_per_tick(
    app, make, monkeypatch
):
    pusher = app.extensions["kiosk.live"].pusher
    _, code = make.attendee()
    kiosk, staff = make.device(), staff_socket(app, make)
    calls = count_computations(monkeypatch, app)
    per_tick, running = [], []
    tick = pusher.tick

    def counted_tick(now):
        running.append(1)
        before = len(calls)
        try:
            return tick(now)
        finally:
            per_tick.append(len(calls) - before)
            running.pop()

    monkeypatch.setattr(pusher, "tick", counted_tick)

    def quiet():  # a whole tick ran since counting began, and nothing is left to send
        return per_tick and not pusher._changed and not running

    deadline = time.monotonic() + 10
    while not quiet() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert quiet(), "the pusher never settled"
    base_calls, base_ticks = len(calls), len(per_tick)  # the connection's own ticks are over
    staff.get_received("/live")
    app.test_client().post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk)
    )
    got = {"stats": [], "dashboard": []}
    deadline = time.monotonic() + 10
    while not (got["stats"] and got["dashboard"]) and time.monotonic() < deadline:
        time.sleep(0.1)
        for event in staff.get_received("/live"):
            if event["name"] in got:
                got[event["name"]].append(event["args"][0])
    assert got["stats"][-1]["checked_in"] == 1
    assert got["dashboard"][-1]["stats"]["checked_in"] == 1
    ticks = per_tick[base_ticks:]
    assert max(ticks) == 1 and len(calls) - base_calls == sum(ticks) <= 2


def test_a_failed_push_is_logged_and_tried_again(app, make, monkeypatch, caplog):
    pusher = app.extensions["kiosk.live"].pusher
    monkeypatch.setattr(pusher, "start", lambda: None)
    _, code = make.attendee()
    kiosk, staff = make.device(), staff_socket(app, make)
    staff.get_received("/live")
    snapshot = pusher.snapshot
    monkeypatch.setattr(pusher, "snapshot", lambda: 1 / 0)  # as if the database were locked

    app.test_client().post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(kiosk)
    )
    pusher.tick(100.0)
    assert "dashboard not sent" in caplog.text
    assert received(staff, "stats")[0]["checked_in"] == 1
    monkeypatch.setattr(pusher, "snapshot", snapshot)
    pusher.tick(102.0)
    assert received(staff, "dashboard")[0]["stats"]["checked_in"] == 1
