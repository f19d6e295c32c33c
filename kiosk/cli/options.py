"""What every `kiosk` command shares: --db, --database-url and --config, opening the show, progress bars."""

from __future__ import annotations

import functools
import sys

import click

from kiosk import config as config_module
from kiosk.services import Services, open_services


def progress(iterable, **kwargs):
    """A progress bar on a terminal, nothing otherwise."""
    from tqdm import tqdm

    return tqdm(iterable, disable=not sys.stderr.isatty(), file=sys.stderr, **kwargs)


def show_options(command):
    """Add --db, --database-url and --config to a command (defaults: KIOSK_DB,
    KIOSK_DATABASE_URL, KIOSK_CONFIG, then the files)."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="show configuration (default $KIOSK_CONFIG or config/event.toml)",
    )
    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        help="SQLite database (default $KIOSK_DB or instance/kiosk.db)",
    )
    @click.option(
        "--database-url",
        "database_url",
        help="PostgreSQL instead of the SQLite file: postgresql://user:password@host/db"
        " (default $KIOSK_DATABASE_URL)",
    )
    @functools.wraps(command)
    def wrapper(*args, config_path=None, db_path=None, database_url=None, **kwargs):
        ctx = click.get_current_context()
        root = ctx.find_root().params
        settings = config_module.load(
            config_path or root.get("config_path"),
            db_path or root.get("db_path"),
            database_url=database_url or root.get("database_url"),
        )
        return command(settings, *args, **kwargs)

    return wrapper


def services_for(settings) -> Services:
    """Open the show; a missing key file is a clear error."""
    return open_services(settings)
