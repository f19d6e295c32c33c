"""SQLite storage: one connection per thread, pragmas, the write transaction and read snapshots.

The only SQL of the project lives in this package. Each table's module holds every statement on
its table (attendees.py: attendees, badges, consents; checkins.py: presence, passages, nonces;
interactions.py: the interaction log and the audit log; quotas.py: what each kiosk used of its
rate-limited searches and answers; and devices, exhibitors, leads, print_jobs, staff, surveys,
history, sync). reports.py holds the read models that answer a screen or a report
across tables: the live counts, the dashboard, the post-show report and the CRM export's streams.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from kiosk.errors import StorageUnavailable
from kiosk.storage.guard import PRIVATE, FileGuard

BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_WAIT_MS = 500
CHECKPOINT_TRIES = 10

MAX_BATCH = 64


class _Batch:
    """Writes that will be made durable by one commit."""

    def __init__(self):
        self.size = 0
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Writer:
    """The one write connection of a database file in this process, with group commit.

    Writers queue on a lock (SQLite's busy handler sleeps in growing steps of up to 100 ms and
    would turn a short wait into a long tail). Each write runs in its own savepoint; when other
    writers are already queued the commit is left to the last of them, so a burst of check-ins
    shares one fsync instead of paying one each, and every writer still returns only once its
    own write is durable.

    Nothing is acknowledged unless the database file is still the one the show opened: the guard
    is asked before each batch begins and again after its commit (see kiosk/storage/guard.py).
    """

    def __init__(self, opener, guard: FileGuard):
        self._opener = opener
        self.guard = guard
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._queued = 0
        self._batch: _Batch | None = None
        self._inside = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if getattr(self._inside, "active", False):
            yield self._conn  # a nested write joins the enclosing one
            return
        with self._guard:
            self._queued += 1
        self._lock.acquire()
        with self._guard:
            self._queued -= 1
        self._inside.active = True
        wait_for = None
        try:
            conn = self._conn = self._conn or self._opener()
            if self._batch is None:
                trouble = self.guard.check()
                if trouble is not None:
                    raise self.guard.refused(trouble)
                conn.execute("BEGIN IMMEDIATE")
                self._batch = _Batch()
            batch = self._batch
            conn.execute("SAVEPOINT write")
            try:
                yield conn
            except BaseException as exc:
                trouble = self.guard.failure(exc)
                if trouble is not None:
                    trouble = self.guard.refused(trouble)
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO write")
                    conn.execute("RELEASE write")
                    self._settle(batch)
                else:
                    # SQLite rolled the whole batch back (disk full, I/O error): nobody in it
                    # may be told their write is durable.
                    self._batch = None
                    batch.error = trouble or exc
                    batch.done.set()
                if trouble is not None and trouble is not exc:
                    raise trouble from exc
                raise
            conn.execute("RELEASE write")
            batch.size += 1
            wait_for = self._settle(batch)
        finally:
            self._inside.active = False
            self._lock.release()
        if wait_for is not None:
            wait_for.done.wait()
            if wait_for.error is not None:
                raise wait_for.error

    def checkpoint(self) -> bool:
        """Commit what is pending, copy the WAL into the database file and empty the WAL.

        False when a reader still holds an older snapshot (the WAL then keeps frames until the
        next checkpoint that can finish).
        """
        with self._guard:
            self._queued += 1
        self._lock.acquire()
        with self._guard:
            self._queued -= 1
        try:
            conn = self._conn = self._conn or self._opener()
            if self._batch is not None:
                self._settle(self._batch, force=True)
            # A truncating checkpoint holds off every writer while it waits for readers: wait
            # briefly, so that check-ins in another process never stall behind it for long.
            conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            try:
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            return busy == 0
        finally:
            self._lock.release()

    def _settle(self, batch: _Batch, force: bool = False) -> _Batch | None:
        """Commit now, or leave it to a queued writer and return the batch to wait for."""
        with self._guard:
            queued = self._queued
        if queued and batch.size < MAX_BATCH and not force:
            return batch
        self._batch = None
        try:
            self._conn.commit()
            # Committed into the file the show opened, or into one no longer at the path?
            trouble = self.guard.check()
            if trouble is not None:
                raise trouble
        except BaseException as exc:
            trouble = self.guard.failure(exc)
            if trouble is not None:
                exc = self.guard.refused(trouble)
            batch.error = exc
            self._conn.rollback()
            raise exc
        finally:
            batch.done.set()
        return None


_writers: dict[Path, _Writer] = {}
_writers_guard = threading.Lock()


# SQLite's INTEGER: an id past it is no id of ours (and would overflow the driver).
MAX_ROW_ID = 2**63 - 1


def utcnow() -> str:
    """The current UTC time as stored everywhere: ISO 8601 with milliseconds and Z."""
    return to_iso(datetime.now(UTC))


def to_iso(moment: datetime) -> str:
    """Format an aware datetime the way the database stores times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    """Parse a stored time back into an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def dialect(conn) -> str:
    """'postgresql' for a connection of kiosk.storage.postgres, 'sqlite' for a sqlite3 one."""
    return getattr(conn, "dialect", "sqlite")


def stream(conn, sql: str, params: dict | None = None):
    """A cursor over a read of a whole table: on PostgreSQL its rows arrive a batch at a time
    (inside a snapshot or a write), as a sqlite3 cursor's always do."""
    return getattr(conn, "stream", conn.execute)(sql, params or {})


def marks(name: str, values) -> tuple[str, dict]:
    """Named placeholders for an IN list, and their parameters: (":name0,:name1", {...})."""
    params = {f"{name}{n}": value for n, value in enumerate(values)}
    return ",".join(f":{key}" for key in params), params


def dumps(value) -> str:
    """JSON for a TEXT column: compact, non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
    """The database file, opened lazily once per thread.

    With `create=False` a missing file is a StorageUnavailable error, never a new empty database
    (only `kiosk init` creates one). A file created here is readable by its owner only, and so
    are the WAL and shared-memory files SQLite makes beside it (they take the database's mode).
    """

    dialect = "sqlite"

    def __init__(self, path: str | Path, synchronous: str = "FULL", *, create: bool = True):
        self.path = Path(path)
        self.synchronous = synchronous
        self.create = create
        self._local = threading.local()
        with _writers_guard:
            key = self.path.resolve()
            writer = _writers.get(key)
            if writer is None or writer.guard.moved_on():
                writer = _writers[key] = _Writer(self._open, FileGuard(self.path))
            self._writer = writer
        if self.path.exists():
            self._writer.guard.pin()

    def _open(self) -> sqlite3.Connection:
        guard = self._writer.guard
        if self.create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, PRIVATE))
        # mode=rw: a missing file is an error here, never silently created again.
        uri = f"{self.path.resolve().as_uri()}?mode=rw"
        try:
            conn = sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        except sqlite3.OperationalError as exc:
            trouble = guard.check()
            if trouble is None:
                raise
            raise guard.refused(trouble) from exc
        guard.pin()
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL by default: a kiosk's power cable gets kicked; see README "Storage".
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten values are zeroed in the file, not left in free space: an
        # erased person's data must not survive there (measured: no cost to a check-in).
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection wrapped by sqlite-utils."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite_utils.Database(self.conn)
        return db

    def write(self):
        """One write transaction: durable when the block ends, atomic with everything in it.

        Raises StorageUnavailable (and acknowledges nothing) when the database file is gone,
        replaced or unwritable.
        """
        return self._writer.transaction()

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on this thread's connection: one consistent view of the show.

        An export or a sync reads everything inside it while check-ins go on being written; the
        writer's commits stay invisible until the block ends. A snapshot inside a snapshot joins it.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()

    def checkpoint(self) -> bool:
        """Move every committed write into the database file and truncate the WAL to nothing.

        Tried a few times, waiting half a second each (writers go on in between); returns False
        when a reader (a long export, another process) kept an older snapshot open throughout,
        and the WAL is then emptied by a later checkpoint.
        """
        for attempt in range(CHECKPOINT_TRIES):
            if attempt:
                time.sleep(CHECKPOINT_WAIT_MS / 1000)  # writers go on meanwhile
            if self._writer.checkpoint():
                return True
        return False

    def health(self) -> StorageUnavailable | None:
        """Why writes would be refused now, or None when the database file is fine."""
        return self._writer.guard.check()

    def on_trouble(self, listener) -> None:
        """Call `listener(error)` whenever a write is refused because of the database file."""
        self._writer.guard.on_trouble(listener)

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        """Rows of a read query."""
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params=()) -> sqlite3.Row | None:
        """The first row of a read query, or None."""
        return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.db = None
