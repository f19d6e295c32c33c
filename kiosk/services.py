"""The parts one running show is made of, shared by the web app, the CLI and the scanner."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import secrets
from kiosk.config import Settings
from kiosk.devices import DeviceRegistry
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage.migrations import migrate


@dataclass
class Services:
    settings: Settings
    store: Store
    keys: Keys
    devices: DeviceRegistry


def open_services(settings: Settings, *, migrate_schema: bool = True) -> Services:
    """Open the database (migrating it) and the key file for a configured show."""
    keys = secrets.load(settings.secret_path)
    store = Store(settings.db_path, settings.sqlite_synchronous)
    if migrate_schema:
        migrate(store)
    return Services(settings=settings, store=store, keys=keys, devices=DeviceRegistry(store))


def initialise(settings: Settings) -> tuple[bool, list[str]]:
    """Create the key file if missing and apply migrations: (keys created, migrations applied)."""
    created = secrets.create_if_missing(settings.secret_path)
    applied = migrate(Store(settings.db_path, settings.sqlite_synchronous))
    return created, applied
