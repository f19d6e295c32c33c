"""`kiosk backup` while the show runs, `kiosk restore` after checking the copy."""

import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

from conftest import ROOT, LiveServer, auth
from kiosk import secrets
from kiosk.errors import StorageUnavailable
from kiosk.services import initialise
from kiosk.storage.backup import BackupError, backup, restore
from kiosk.storage.guard import companions


def kiosk(settings, *args, db=None):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args]
        + ["--db", str(db or settings.db_path), "--config", str(settings.config_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def checkins_by_attendee(path) -> dict[int, int]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT attendee_id, count(*) FROM interactions"
            " WHERE type = 'checked_in' GROUP BY attendee_id"
        ).fetchall()
    conn.close()
    return dict(rows)


def test_a_backup_under_load_restores_every_check_in_acknowledged_before_it(
    settings, svc, make, tmp_path
):
    (tmp_path / "usb").mkdir()
    people = [make.attendee() for _ in range(400)]
    kiosks = [make.device(gate=gate) for gate in ("north", "south", "north", "south")]
    acknowledged = []  # (time the answer arrived, attendee id)
    stop = threading.Event()
    server = LiveServer(settings)
    try:

        def scan(token, share):
            session = requests.Session()
            for attendee_id, code in share:
                if stop.is_set():
                    return
                res = session.post(
                    server.url + "/api/v1/checkins",
                    headers=auth(token),
                    json={"code": code, "gate": "north", "nonce": uuid.uuid4().hex},
                    timeout=20,
                )
                assert res.status_code == 201, res.text
                acknowledged.append((time.monotonic(), attendee_id))

        threads = [
            threading.Thread(target=scan, args=(token, people[n :: len(kiosks)]))
            for n, token in enumerate(kiosks)
        ]
        for t in threads:
            t.start()
        while len(acknowledged) < 100:
            time.sleep(0.01)
        started = time.monotonic()
        made = kiosk(settings, "backup", str(tmp_path / "usb"))
        finished = time.monotonic()
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.stop()
    assert made.returncode == 0, made.stderr
    before = {a for at, a in acknowledged if at < started}
    during = {a for at, a in acknowledged if started <= at <= finished}
    assert len(before) >= 100 and len(acknowledged) > len(before), "load did not overlap"
    copies = sorted((tmp_path / "usb").glob("*.db"))
    assert len(copies) == 1 and copies[0].name.startswith("kiosk-")
    keys = copies[0].with_suffix(".secret")
    assert keys.read_bytes() == settings.secret_path.read_bytes()
    assert {oct(p.stat().st_mode & 0o777) for p in (copies[0], keys)} == {"0o600"}
    assert str(copies[0]) in made.stdout and "check-ins" in made.stdout

    # Put it back in a new place, as on a replacement laptop.
    elsewhere = tmp_path / "spare" / "kiosk.db"
    restored = kiosk(settings, "restore", str(copies[0]), db=elsewhere)
    assert restored.returncode == 0, restored.stderr
    counts = checkins_by_attendee(elsewhere)
    assert before <= set(counts), sorted(before - set(counts))[:10]
    assert set(counts) <= before | during
    assert set(counts.values()) == {1}
    assert elsewhere.stat().st_mode & 0o777 == 0o600
    assert elsewhere.with_name("kiosk.secret").read_bytes() == keys.read_bytes()

    # Over the show itself (the server stopped): the replaced files are kept beside it.
    everything = checkins_by_attendee(settings.db_path)
    assert len(everything) == len(acknowledged) and set(everything.values()) == {1}
    over = kiosk(settings, "restore", str(copies[0]))
    assert over.returncode == 0, over.stderr
    assert checkins_by_attendee(settings.db_path) == counts
    kept = sorted(settings.db_path.parent.glob("kiosk.before-restore-*.db"))
    assert len(kept) == 1 and checkins_by_attendee(kept[0]) == everything
    assert f"kept the replaced file as {kept[0]}" in over.stdout
    server = LiveServer(settings)
    try:
        res = requests.get(server.url + "/api/v1/me", headers=auth(kiosks[0]), timeout=5)
        assert res.status_code == 200
    finally:
        server.stop()


def test_restore_is_refused_while_a_server_runs_on_the_show(settings, svc, live_server, tmp_path):
    copy = tmp_path / "copy.db"
    assert kiosk(settings, "backup", str(copy)).returncode == 0
    refused = kiosk(settings, "restore", str(copy))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"kiosk: error: a server is running on {settings.db_path}; stop `kiosk serve` first"
    )
    assert requests.get(live_server.url + "/healthz", timeout=5).json() == {"status": "ok"}


def test_restore_checks_the_copy_and_changes_nothing_when_it_fails(settings, make, tmp_path):
    make.attendee()
    copy = backup(settings.db_path, settings.secret_path, tmp_path / "copy.db").path
    keys = tmp_path / "copy.secret"
    show = settings.db_path.read_bytes()

    def refused(src, match, keys=None):
        with pytest.raises(BackupError, match=match):
            restore(src, settings.db_path, settings.secret_path, keys)
        assert settings.db_path.read_bytes() == show

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    refused(garbage, "file is not a database", keys)

    damaged = tmp_path / "damaged.db"
    data = bytearray(copy.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    refused(damaged, "damaged|malformed", keys)

    newer = tmp_path / "newer.db"
    newer.write_bytes(copy.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('kiosk', 'z99_from_the_future', '2031-01-01')"
        )
    conn.close()
    refused(newer, "newer version.*z99_from_the_future", keys)

    other_keys = tmp_path / "other.secret"
    secrets.create_if_missing(other_keys)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE badges SET version = 2")
    conn.close()
    refused(copy, r"lacks the badge key version\(s\) \[2\]", other_keys)

    keys.unlink()
    proc = kiosk(settings, "restore", str(copy))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"kiosk: error: {copy}: its key file {keys} is missing (give it with --keys)"
    )
    assert settings.db_path.read_bytes() == show


def test_init_refuses_an_empty_show_where_a_backup_says_one_existed(settings, tmp_path):
    copy = backup(settings.db_path, settings.secret_path, tmp_path).path
    for path in companions(settings.db_path) + (settings.secret_path,):
        path.unlink(missing_ok=True)
    with pytest.raises(StorageUnavailable, match=f"backed up to {copy}") as refused:
        initialise(settings)
    assert "kiosk restore" in refused.value.message
    assert not settings.db_path.exists()
