"""The database file under a running show: deleted, replaced or full, nothing is acknowledged."""

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
import socketio as sio_client

from conftest import ROOT, LiveServer, auth
from kiosk.errors import StorageUnavailable
from kiosk.storage import Store


def kiosk(*args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True, text=True
    )


def show_args(settings):
    return ["--db", str(settings.db_path), "--config", str(settings.config_path)]


def check_in(url, token, code, gate="north"):
    return requests.post(
        url + "/api/v1/checkins",
        headers=auth(token),
        json={"code": code, "gate": gate, "nonce": uuid.uuid4().hex},
        timeout=20,
    )


def staff_listener(url, token):
    """A staff Socket.IO client collecting `alert` events."""
    alerts = []
    got = threading.Event()
    client = sio_client.Client(reconnection=False)

    @client.on("alert", namespace="/live")
    def on_alert(data):
        alerts.append(data)
        if data.get("kind") == "storage_unavailable":
            got.set()

    client.connect(
        url, namespaces=["/live"], auth={"token": token}, transports=["websocket"], wait_timeout=10
    )
    return client, alerts, got


def test_a_deleted_database_acknowledges_nothing_and_no_restart_replaces_it(settings, svc, make):
    codes = [make.attendee()[1] for _ in range(90)]
    kiosks = [make.device(gate="north") for _ in range(3)]
    staff = make.device("staff")
    before = kiosk("backup", str(settings.db_path.with_name("before.db")), *show_args(settings))
    assert before.returncode == 0, before.stderr
    server = LiveServer(settings)
    client = None
    try:
        client, alerts, alerted = staff_listener(server.url, staff)
        # Load from three kiosks; the file goes away while they scan.
        deleted_at = []
        answers = []

        def scan(token, share):
            session = requests.Session()
            for code in share:
                sent = time.monotonic()
                res = session.post(
                    server.url + "/api/v1/checkins",
                    headers=auth(token),
                    json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
                    timeout=20,
                )
                answers.append((sent, res.status_code, res.json()))
                time.sleep(0.01)

        threads = [
            threading.Thread(target=scan, args=(token, codes[n:60:3]))
            for n, token in enumerate(kiosks)
        ]
        for t in threads:
            t.start()
        while len(answers) < 15:
            time.sleep(0.01)
        os.remove(settings.db_path)
        deleted_at.append(time.monotonic())
        for t in threads:
            t.join()
        after = [a for a in answers if a[0] > deleted_at[0]]
        assert after, "the load ended before the file was deleted"
        assert {status for _, status, _ in after} == {503}, after
        assert {body["error"] for _, _, body in after} == {"storage_unavailable"}
        # Thirty more, one by one: none is acknowledged.
        late = [check_in(server.url, kiosks[0], code) for code in codes[60:]]
        assert [r.status_code for r in late] == [503] * 30
        assert late[0].json()["reason"] == "database_missing"
        assert late[0].headers["Retry-After"]

        health = requests.get(server.url + "/healthz", timeout=5)
        assert health.status_code == 503
        assert health.json()["reason"] == "database_missing"
        assert str(settings.db_path) in health.json()["message"]
        assert alerted.wait(10), alerts
        alert = next(a for a in alerts if a["kind"] == "storage_unavailable")
        assert alert["reason"] == "database_missing" and alert["message"]
        # Rate-limited: the refusals above do not each become an alert.
        assert sum(a["kind"] == "storage_unavailable" for a in alerts) == 1
        assert not settings.db_path.exists()
    finally:
        if client is not None:
            client.disconnect()
        server.stop()

    # A restart refuses, naming `kiosk init`, and creates nothing.
    with pytest.raises(RuntimeError, match="kiosk init"):
        LiveServer(settings)
    assert not settings.db_path.exists()
    # `kiosk init` sees that a show existed (its key file) and points to `kiosk restore`.
    init = kiosk("init", *show_args(settings))
    assert init.returncode != 0
    assert len(init.stderr.strip().splitlines()) == 1, init.stderr
    assert "kiosk restore" in init.stderr and "--force" in init.stderr
    assert not settings.db_path.exists()

    # The backup goes back; the devices' tokens work again.
    restored = kiosk("restore", str(settings.db_path.with_name("before.db")), *show_args(settings))
    assert restored.returncode == 0, restored.stderr
    server = LiveServer(settings)
    try:
        assert check_in(server.url, kiosks[0], codes[-1]).status_code == 201
        assert requests.get(server.url + "/healthz", timeout=5).json() == {"status": "ok"}
    finally:
        server.stop()


def test_a_replaced_database_file_refuses_writes_and_turns_health_red(settings, svc, make, client):
    _, code = make.attendee()
    token = make.device()
    copy = settings.db_path.with_name("copy.db")
    shutil.copy(settings.db_path, copy)
    os.replace(copy, settings.db_path)
    res = client.post("/api/v1/checkins", headers=auth(token), json={"code": code, "gate": "north"})
    assert res.status_code == 503
    assert res.get_json()["error"] == "storage_unavailable"
    assert res.get_json()["reason"] == "database_replaced"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["reason"] == "database_replaced"


def test_a_full_disk_refuses_the_write_whole_with_storage_unavailable(tmp_path):
    store = Store(tmp_path / "full.db")
    with store.write() as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        # The write connection may not grow the file by a single page: as on a full disk.
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageUnavailable) as refused, store.write() as conn:
        conn.execute("INSERT INTO t (data) VALUES ('small')")
        conn.execute("INSERT INTO t (data) VALUES (zeroblob(100000))")
    assert refused.value.code == "storage_unavailable"
    assert refused.value.details["reason"] == "write_failed"
    assert "full" in refused.value.message
    assert store.one("SELECT count(*) FROM t")[0] == 0


def test_serve_on_a_missing_database_refuses_in_one_line_and_creates_nothing(tmp_path):
    db = tmp_path / "nothing.db"
    proc = kiosk("serve", "--port", "1", "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"kiosk: error: no database at {db}: `kiosk init` creates one,"
        " `kiosk restore BACKUP` puts a backup back"
    ]
    assert list(tmp_path.iterdir()) == []


def test_init_force_starts_an_empty_show_and_sets_an_orphaned_log_aside(tmp_path):
    db = tmp_path / "show.db"
    assert kiosk("init", "--db", str(db)).returncode == 0
    db.unlink()
    wal = tmp_path / "show.db-wal"
    wal.write_bytes(b"left behind")
    (tmp_path / "show.secret").unlink()
    refused = kiosk("init", "--db", str(db))
    assert refused.returncode == 2 and "write-ahead log" in refused.stderr
    forced = kiosk("init", "--db", str(db), "--force")
    assert forced.returncode == 0, forced.stderr
    assert db.exists() and not wal.exists()
    assert [p.name for p in tmp_path.glob("show.db-wal.orphaned-*")]


def test_database_wal_shm_and_key_files_are_private(settings, svc, make, live_server):
    token = make.device()
    _, code = make.attendee()
    assert check_in(live_server.url, token, code).status_code == 201
    db = settings.db_path
    files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    files.append(settings.secret_path)
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in files}
    assert set(modes.values()) == {"0o600"}, modes


def test_a_show_made_before_is_made_private_when_opened(settings, svc, runner):
    settings.db_path.chmod(0o644)
    runner.invoke("devices", "list")
    assert settings.db_path.stat().st_mode & 0o077 == 0
