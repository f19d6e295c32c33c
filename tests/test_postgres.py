"""PostgreSQL as the show's database: schema, one check-in per badge across processes,
the append-only log, `kiosk init` and `kiosk migrate-to`."""

from __future__ import annotations

import gc
import multiprocessing
import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy

from conftest import Factory, load_settings
from kiosk import config
from kiosk.checkin.service import check_in
from kiosk.devices import DeviceRegistry
from kiosk.services import open_services
from kiosk.storage import interactions, pg_schema, postgres, reports
from kiosk.storage.transfer import TransferError


@pytest.fixture
def empty_url(pg_cluster):
    """A PostgreSQL database with nothing in it."""
    name = f"empty_{id(object())}"
    pg_cluster.sql(f"CREATE DATABASE {name}")
    url = pg_cluster.url(name)
    yield url
    postgres.dispose(url)
    pg_cluster.sql(f"DROP DATABASE {name} WITH (FORCE)")


def _columns_sqlite(path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"
        )
    ]
    found = {t: sorted(r[1] for r in conn.execute(f"PRAGMA table_info({t})")) for t in tables}
    conn.close()
    return found


def _columns_pg(store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in store.query(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name != 'kiosk_migrations'"
    ):
        found.setdefault(row["table_name"], []).append(row["column_name"])
    return {table: sorted(columns) for table, columns in found.items()}


def test_postgresql_has_the_same_tables_and_columns_as_sqlite(tmp_path, empty_url):
    sqlite_show = load_settings(tmp_path)
    pg_show = load_settings(tmp_path / "pg", database_url=empty_url)
    assert _columns_pg(open_services(pg_show).store) == _columns_sqlite(sqlite_show.db_path)


def _scan_in_own_process(url, settings_args, code, token, barrier, results):
    # A process forked from one that used the database, as gunicorn's worker is from its master.
    settings = config.load(*settings_args, database_url=url)
    svc = open_services(settings)
    device = DeviceRegistry(svc.store).authenticate(token)
    barrier.wait(timeout=60)
    outcome = check_in(
        svc.store, settings, svc.keys, code=code, gate="north", device=device, source="test"
    )
    results.put((outcome.ok, outcome.reason))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sixteen_processes_scanning_one_badge_make_one_checkin(settings, svc, make):
    _, code = make.attendee()
    token = make.device(gate="north")
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(16), context.Queue()
    args = (settings.config_path, settings.db_path)
    workers = [
        context.Process(
            target=_scan_in_own_process,
            args=(settings.database_url, args, code, token, barrier, results),
        )
        for _ in range(16)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(outcomes, key=str) == [(False, "already_checked_in")] * 15 + [(True, None)]
    rows = svc.store.query("SELECT * FROM interactions WHERE type = 'checked_in'")
    assert len(rows) == 1
    assert svc.store.one("SELECT entries FROM presence")["entries"] == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_interaction_log_is_append_only_on_postgresql(svc, make):
    attendee_id, _ = make.attendee()
    with svc.store.write() as conn:
        row_id = interactions.append(conn, "note", attendee_id=attendee_id, data={"text": "x"})
    for statement in (
        "UPDATE interactions SET type = 'other' WHERE id = :id",
        "DELETE FROM interactions WHERE id = :id",
        'UPDATE interactions SET data = \'{"text": "y"}\' WHERE id = :id',
    ):
        with (
            pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"),
            svc.store.write() as conn,
        ):
            conn.execute(statement, {"id": row_id})
    # Erasure may rewrite the data of a row, marking it redacted, and nothing else of it.
    with svc.store.write() as conn:
        interactions.redact(conn, row_id, {})
    assert svc.store.one("SELECT data FROM interactions WHERE id = :id", {"id": row_id})[0] == (
        '{"redacted":true}'
    )


def test_init_creates_a_show_in_postgresql_and_serve_refuses_an_empty_one(
    tmp_path, empty_url, monkeypatch, capsys
):
    from kiosk.cli import main

    argv = ["--config", str(config.DEFAULT_CONFIG), "--db", str(tmp_path / "k.db")]
    monkeypatch.setenv("KIOSK_DATABASE_URL", empty_url)
    with pytest.raises(SystemExit):
        main(["serve", *argv, "--port", "1"])
    assert "holds no show: `kiosk init` creates one" in capsys.readouterr().err
    main(["init", *argv])
    out = capsys.readouterr().out
    steps = len(pg_schema.STEPS)  # every step, the first schema and each later change
    assert "database: postgresql://kiosk@" in out and f"({steps} migrations applied)" in out
    assert (tmp_path / "k.secret").exists()
    main(["init", *argv])
    assert "(0 migrations applied)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["backup", *argv, str(tmp_path / "copy")])
    assert "back PostgreSQL up with its own tools" in capsys.readouterr().err
    assert not (tmp_path / "copy").exists()


def test_migrate_to_moves_every_row_and_the_show_goes_on(settings, svc, make, runner, empty_url):
    attendee_id, code = make.attendee(full_name="王芳")
    make.attendee()
    token = make.device()
    exhibitor_token = make.device(role="exhibitor")
    registry = DeviceRegistry(svc.store)
    now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    outcome = check_in(
        svc.store,
        settings,
        svc.keys,
        code=code,
        gate="north",
        device=registry.authenticate(token),
        now=now,
        nonce="n1",
    )
    assert outcome.ok
    before = {
        table: svc.store.one(f"SELECT count(*) FROM {table}")[0]
        for table in ("attendees", "badges", "devices", "interactions", "nonces", "presence")
    }

    res = runner.invoke("migrate-to", empty_url)
    assert res.exit_code == 0, res.output
    assert "counts checked" in res.output
    assert "interactions" in res.output

    pg = open_services(config.load(settings.config_path, settings.db_path, database_url=empty_url))
    after = {table: pg.store.one(f"SELECT count(*) FROM {table}")[0] for table in before}
    assert after == before
    # The same badge, the same device and its nonce go on working, and new rows take new ids.
    moved = DeviceRegistry(pg.store)
    replay = check_in(
        pg.store,
        pg.settings,
        pg.keys,
        code=code,
        gate="north",
        device=moved.authenticate(token),
        now=now,
        nonce="n1",
    )
    assert replay.ok and replay.attendee["id"] == attendee_id
    again = check_in(
        pg.store,
        pg.settings,
        pg.keys,
        code=code,
        gate="north",
        device=moved.authenticate(token),
        now=now,
    )
    assert again.reason == "already_checked_in"
    assert moved.authenticate(exhibitor_token) is not None
    newcomer, _ = Factory(pg).attendee()
    assert newcomer > attendee_id

    with pytest.raises(TransferError, match="already holds a show"):
        runner.invoke("migrate-to", empty_url)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_whole_table_read_streams_from_the_server_and_closes_with_its_snapshot(svc, make):
    for _ in range(3):
        make.attendee()
    with svc.store.snapshot() as conn:
        people = reports.people(conn)
        first = next(people)
        # The rows come through a cursor held by PostgreSQL, not all fetched at once.
        held = conn.execute("SELECT count(*) FROM pg_cursors").fetchone()[0]
        rest = list(people)
        stopped_early = reports.all_interactions(conn, ["id", "type"])
        next(stopped_early)
    del stopped_early
    gc.collect()  # a cursor left open would warn here (and warnings fail the suite)
    assert held == 1 and len([first, *rest]) == 3
