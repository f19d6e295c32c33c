"""`kiosk migrate-to`: copy a SQLite show into an empty PostgreSQL database, counts checked.

Every table is copied row for row with its ids, in one PostgreSQL transaction (foreign keys
deferred to its end), while the SQLite file is held by one read snapshot; the identity sequences
then continue after the highest copied id. Before the transaction commits, each table's row
count in PostgreSQL must equal its count in SQLite: a difference rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from kiosk.errors import StorageUnavailable
from kiosk.storage import Store, pg_schema

BATCH = 2000


class TransferError(RuntimeError):
    """The copy could not be made or did not check out; nothing was committed."""


def _sqlite_tables(conn) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name"
        )
    ]


def _pg_tables(conn) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " AND table_name != 'kiosk_migrations'"
        )
    }


def copy_show(
    source: Store, target, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every table of `source` (SQLite) into `target` (an empty, migrated PgStore);
    return the rows copied per table."""
    copied: dict[str, int] = {}
    with source.snapshot() as src, target.write() as dst:
        if not pg_schema.applied(dst):
            raise StorageUnavailable("the PostgreSQL database holds no schema", reason="empty")
        tables = _sqlite_tables(src)
        missing = sorted(set(tables) - _pg_tables(dst))
        if missing:
            raise TransferError(f"tables missing in PostgreSQL: {', '.join(missing)}")
        for table in tables:
            if dst.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                raise TransferError(
                    f"PostgreSQL already holds a show (table {table} has rows):"
                    " migrate-to fills an empty database only"
                )
        dst.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            rows = src.execute(f"SELECT * FROM {table}")
            columns = [column[0] for column in rows.description]
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join(':' + c for c in columns)})"
            )
            count = 0
            while batch := list(islice(rows, BATCH)):
                dst.executemany(insert, [dict(zip(columns, row, strict=True)) for row in batch])
                count += len(batch)
                if progress is not None:
                    progress(table, len(batch))
            copied[table] = count
        for table in pg_schema.IDENTITY_TABLES:
            dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        for table, count in copied.items():
            theirs = src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            ours = dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if not theirs == ours == count:
                raise TransferError(
                    f"{table}: {theirs} rows in SQLite but {ours} in PostgreSQL; nothing was kept"
                )
        dst.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every reference checked before commit
    return copied
