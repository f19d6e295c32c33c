"""The parts one running show is made of, shared by the web app, the CLI and the scanner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk import secrets
from kiosk.config import Settings
from kiosk.devices import DeviceRegistry
from kiosk.errors import StorageUnavailable
from kiosk.secrets import Keys
from kiosk.stats.telemetry import AnswerTimes
from kiosk.storage import Store, pg_schema
from kiosk.storage.backup import last_backup, stamp
from kiosk.storage.guard import companions, private
from kiosk.storage.migrations import migrate, migrations

if TYPE_CHECKING:
    from kiosk.storage.postgres import PgStore


@dataclass
class Services:
    settings: Settings
    store: Store | PgStore
    keys: Keys
    devices: DeviceRegistry
    answer_times: AnswerTimes = field(default_factory=AnswerTimes)


def database_name(settings: Settings) -> str:
    """Where the show lives, for messages: the SQLite file, or the URL without its password."""
    if settings.database_url:
        from kiosk.storage.postgres import masked

        return masked(settings.database_url)
    return str(settings.db_path)


def open_store(settings: Settings, *, create: bool = False) -> Store | PgStore:
    """The show's database: PostgreSQL when a database URL is set, else the SQLite file."""
    if settings.database_url:
        from kiosk.storage.postgres import PgStore

        return PgStore(settings.database_url, create=create)
    return Store(settings.db_path, settings.sqlite_synchronous, create=create)


def open_services(settings: Settings, *, migrate_schema: bool = True) -> Services:
    """Open an existing show's database (migrating it) and key file; never create a database."""
    if settings.database_url:
        return _open_postgres(settings, migrate_schema=migrate_schema)
    if not settings.db_path.exists():
        raise StorageUnavailable(
            f"no database at {settings.db_path}: `kiosk init` creates one,"
            " `kiosk restore BACKUP` puts a backup back",
            reason="database_missing",
        )
    keys = secrets.load(settings.secret_path)
    private(*companions(settings.db_path), settings.secret_path)
    store = Store(settings.db_path, settings.sqlite_synchronous, create=False)
    if not migrations.applied(store.db):
        raise StorageUnavailable(
            f"{settings.db_path} holds no show: `kiosk init` creates one,"
            " `kiosk restore BACKUP` puts a backup back",
            reason="database_empty",
        )
    if migrate_schema:
        migrate(store)
    return Services(settings=settings, store=store, keys=keys, devices=DeviceRegistry(store))


def _open_postgres(settings: Settings, *, migrate_schema: bool) -> Services:
    from kiosk.storage.postgres import PgStore, masked

    store = PgStore(settings.database_url, create=False)
    with store.snapshot() as conn:
        have = pg_schema.applied(conn)
    if not have:
        raise StorageUnavailable(
            f"{masked(settings.database_url)} holds no show: `kiosk init` creates one,"
            " `kiosk migrate-to` moves a SQLite show there",
            reason="database_empty",
        )
    keys = secrets.load(settings.secret_path)
    private(settings.secret_path)
    if migrate_schema:
        pg_schema.migrate(store)
    return Services(settings=settings, store=store, keys=keys, devices=DeviceRegistry(store))


def earlier_show(settings: Settings) -> str | None:
    """What says a show existed where the database is now missing, or None."""
    if settings.database_url:
        return None  # PostgreSQL keeps the show; an empty database is simply migrated
    if settings.db_path.exists():
        return None
    wal = companions(settings.db_path)[1]
    if wal.exists():
        return f"its write-ahead log {wal} is still there"
    if settings.secret_path.exists():
        return f"its key file {settings.secret_path} is still there"
    seen = last_backup(settings.db_path)
    if seen is not None:
        return f"it was backed up to {seen['dest']} at {seen['at']}"
    return None


def initialise(settings: Settings, *, force: bool = False) -> tuple[bool, list[str]]:
    """Create the key file if missing and apply migrations: (keys created, migrations applied).

    A fresh database is refused where a show existed (its key file, its WAL or a backup record
    is still there) unless `force`: the show is to be restored, not silently replaced.
    """
    evidence = earlier_show(settings)
    if evidence is not None and not force:
        raise StorageUnavailable(
            f"the database {settings.db_path} is missing but a show existed ({evidence}):"
            " put a backup back with `kiosk restore BACKUP`, or start an empty show with"
            " `kiosk init --force`",
            reason="show_missing",
        )
    if evidence is not None:
        _set_aside_orphans(settings)
    created = secrets.create_if_missing(settings.secret_path)
    if settings.database_url:
        from kiosk.storage.postgres import PgStore

        private(settings.secret_path)
        return created, pg_schema.migrate(PgStore(settings.database_url))
    applied = migrate(Store(settings.db_path, settings.sqlite_synchronous))
    private(*companions(settings.db_path), settings.secret_path)
    return created, applied


def _set_aside_orphans(settings: Settings) -> None:
    """Rename a WAL and SHM left without their database, so SQLite cannot replay them."""
    for path in companions(settings.db_path)[1:]:
        if path.exists():
            path.rename(path.with_name(f"{path.name}.orphaned-{stamp()}"))
