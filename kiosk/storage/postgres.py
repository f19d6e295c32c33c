"""PostgreSQL storage: the same Store interface over a pool of connections.

Statements are written once, with named `:name` parameters: sqlite3 binds them natively, and
here SQLAlchemy Core's `text()` binds them for psycopg 3 (its connection pool keeps a few
connections per process open). Rows come back as `Record`s, read by name and by index like
sqlite3.Row, so the storage functions and the domain code above them are the same for both.

Unlike SQLite's one writer per file, several processes (server nodes) write at once here: a
write transaction is READ COMMITTED on a connection of its own, and what must not happen twice
(a check-in of one badge, a nonce) is guarded by a row lock (`SELECT ... FOR UPDATE`, see
`checkins.lock_badge`) or a unique constraint.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy
from sqlalchemy.engine import make_url

from kiosk.errors import StorageUnavailable

POOL_SIZE = 8
POOL_OVERFLOW = 24
POOL_TIMEOUT_S = 10


def is_url(target) -> bool:
    """True when the database is named by a postgresql:// URL rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def engine_url(url: str) -> sqlalchemy.URL:
    """The SQLAlchemy URL of a postgresql:// URL, with psycopg 3 as the driver."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def masked(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


@lru_cache(maxsize=512)
def _text(sql: str) -> sqlalchemy.TextClause:
    return sqlalchemy.text(sql)


@lru_cache(maxsize=256)
def _record_class(keys: tuple[str, ...]) -> type:
    index = {key: n for n, key in enumerate(keys)}

    class Record(tuple):
        """A row read by index or by column name, like sqlite3.Row."""

        __slots__ = ()

        def __getitem__(self, key):
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(keys)

    return Record


class Cursor:
    """The result of one statement, read like a sqlite3 cursor (which is its own iterator)."""

    def __init__(self, result: sqlalchemy.CursorResult):
        self._result = result
        self.rowcount = result.rowcount
        self._make = _record_class(tuple(result.keys())) if result.returns_rows else None

    def fetchone(self):
        """The next row, or None."""
        if self._make is None:
            return None
        row = self._result.fetchone()
        return None if row is None else self._make(row)

    def fetchall(self) -> list:
        """Every remaining row."""
        if self._make is None:
            return []
        make = self._make
        return [make(row) for row in self._result.fetchall()]

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def close(self) -> None:
        self._result.close()

    @property
    def description(self):
        names = self._result.keys()
        return [(name,) for name in names] if self._make else None


class Connection:
    """A PostgreSQL connection that executes the storage layer's `:name` statements."""

    dialect = "postgresql"

    def __init__(self, conn: sqlalchemy.Connection):
        self._conn = conn
        self._streams: list[Cursor] = []

    def execute(self, sql: str, params: dict | None = None) -> Cursor:
        """Run one statement with named parameters."""
        if params and not isinstance(params, dict):
            raise TypeError("PostgreSQL statements take named parameters (:name) only")
        return Cursor(self._conn.execute(_text(sql), params or {}))

    def stream(self, sql: str, params: dict | None = None) -> Cursor:
        """Run one read whose rows arrive a batch at a time (a server-side cursor), so that a
        whole table read in a transaction never sits in memory at once."""
        cursor = Cursor(
            self._conn.execute(_text(sql), params or {}, execution_options={"stream_results": True})
        )
        self._streams.append(cursor)
        return cursor

    def _close_streams(self) -> None:
        # A server-side cursor lives as long as its transaction; a reader that stopped early
        # (a sync refused halfway) leaves it open, so it is closed with the transaction.
        streams, self._streams = self._streams, []
        for cursor in streams:
            with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
                cursor.close()

    def executemany(self, sql: str, rows) -> None:
        """Run one statement for each dict of parameters."""
        rows = list(rows)
        if rows:
            self._conn.execute(_text(sql), rows)

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction()

    def commit(self) -> None:
        self._close_streams()
        self._conn.commit()

    def rollback(self) -> None:
        self._close_streams()
        self._conn.rollback()

    def close(self) -> None:
        self._close_streams()
        self._conn.close()


_engines: dict[str, sqlalchemy.Engine] = {}
_engines_guard = threading.Lock()
_closed: set[str] = set()


def engine(url: str) -> sqlalchemy.Engine:
    """The one engine (and connection pool) of this database URL in this process."""
    with _engines_guard:
        found = _engines.get(url)
        if found is None:
            found = _engines[url] = sqlalchemy.create_engine(
                engine_url(url),
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_timeout=POOL_TIMEOUT_S,
                pool_pre_ping=True,
            )
            sqlalchemy.event.listen(found, "checkin", _close_if_disposed(url))
        return found


def _close_if_disposed(url: str):
    def checkin(dbapi_connection, _record) -> None:
        # A connection out when its database was disposed is closed on its way back, not
        # left to the garbage collector.
        if url in _closed and dbapi_connection is not None:
            dbapi_connection.close()

    return checkin


def _forget_inherited_pools() -> None:
    """In a forked child (gunicorn's worker): drop the parent's pooled connections unclosed."""
    # Each is a socket the parent still uses; two processes talking over one PostgreSQL
    # session mix their transactions. The child opens connections of its own instead.
    global _engines_guard
    _engines_guard = threading.Lock()  # the parent may have held it while forking
    for found in _engines.values():
        found.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_pools)


def dispose(url: str) -> None:
    """Close every pooled connection of this URL for good: its stores refuse to connect after
    (a database about to be dropped, or a show moved elsewhere)."""
    with _engines_guard:
        found = _engines.pop(url, None)
        _closed.add(url)
    if found is not None:
        found.dispose()


class PgStore:
    """A PostgreSQL database shared by every server node: pooled connections, one per block."""

    dialect = "postgresql"

    def __init__(self, url: str, *, create: bool = True):
        self.url = url
        self.path = url  # the key other parts keep per database (tallies, sign-in throttles)
        self.create = create
        self._engine = engine(url)
        self._local = threading.local()
        self._listeners: list = []

    def __repr__(self) -> str:
        return f"PgStore({masked(self.url)})"

    @property
    def disposed(self) -> bool:
        """Whether this database was closed for good in this process (see dispose())."""
        return self.url in _closed

    def _connect(self) -> Connection:
        if self.url in _closed:
            raise StorageUnavailable(
                f"PostgreSQL at {masked(self.url)} was closed", reason="database_closed"
            )
        try:
            return Connection(self._engine.connect())
        except sqlalchemy.exc.OperationalError as exc:
            error = StorageUnavailable(
                f"PostgreSQL at {masked(self.url)} refused the connection",
                reason="database_unreachable",
            )
            for listener in list(self._listeners):
                listener(error)
            raise error from exc

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction on a connection of its own: committed when the block ends."""
        active = getattr(self._local, "write", None)
        if active is not None:
            yield active  # a nested write joins the enclosing one
            return
        conn = self._connect()
        self._local.write = conn
        try:
            yield conn
            conn.commit()
        except sqlalchemy.exc.OperationalError as exc:
            # The server went away or gave up on the transaction: nothing of it is kept, and
            # the caller answers 503 with Retry-After as for a SQLite file that went away.
            with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
                conn.rollback()
            error = StorageUnavailable(
                f"PostgreSQL at {masked(self.url)} did not take the write",
                reason="database_unreachable",
            )
            for listener in list(self._listeners):
                listener(error)
            raise error from exc
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        finally:
            self._local.write = None
            with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
                conn.close()

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction that sees one consistent state of the show (REPEATABLE READ)."""
        active = getattr(self._local, "write", None) or getattr(self._local, "snapshot", None)
        if active is not None:
            yield active
            return
        conn = self._connect()
        self._local.snapshot = conn
        try:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn
        finally:
            self._local.snapshot = None
            conn.rollback()
            conn.close()

    @property
    def conn(self) -> Connection:
        """A connection for a single read outside any block (autocommit, returned to the pool)."""
        active = getattr(self._local, "write", None) or getattr(self._local, "snapshot", None)
        if active is not None:
            return active
        return _Autocommit(self)

    def checkpoint(self) -> bool:
        """Nothing to do: PostgreSQL keeps its own write-ahead log."""
        return True

    def health(self) -> StorageUnavailable | None:
        """Why writes would be refused now, or None when the database answers."""
        try:
            conn = self._connect()
            try:
                conn.execute("SELECT 1")
            finally:
                conn.close()
        except StorageUnavailable as exc:
            return exc
        except sqlalchemy.exc.SQLAlchemyError:
            return StorageUnavailable(
                f"PostgreSQL at {masked(self.url)} does not answer",
                reason="database_unreachable",
            )
        return None

    def on_trouble(self, listener) -> None:
        """Call `listener(error)` whenever the database cannot be reached."""
        self._listeners.append(listener)

    def query(self, sql: str, params=None) -> list:
        """Rows of a read query."""
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params=None):
        """The first row of a read query, or None."""
        return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        """Nothing held per thread: pooled connections go back after each block."""


class _Autocommit:
    """Each statement on a pooled connection of its own, in a transaction of its own."""

    dialect = "postgresql"
    in_transaction = False

    def __init__(self, store: PgStore):
        self._store = store

    def execute(self, sql: str, params: dict | None = None) -> Cursor:
        with self._store.snapshot() as conn:
            cur = conn.execute(sql, params)
            rows = cur.fetchall() if cur._make is not None else []
        return _Done(rows, cur.rowcount, cur.description)


class _Done:
    """A finished read's rows, read like a cursor after its connection went back to the pool."""

    def __init__(self, rows: list, rowcount: int, description):
        self._rows = iter(rows)
        self.rowcount = rowcount
        self.description = description

    def fetchone(self):
        return next(self._rows, None)

    def fetchall(self) -> list:
        return list(self._rows)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._rows)

    def close(self) -> None:
        self._rows = iter(())
