"""Guards around the database file: it must still be the file the show opened, and writable.

SQLite keeps writing through an open descriptor after its file is deleted or renamed, so without
a look at the path every later commit would be acknowledged and then lost. The writer asks
`FileGuard.check()` (one stat and one access call) before each commit batch and again after its
commit, and acknowledges nothing when the file is gone, replaced or unwritable.

The serving lock (`<db>.lock`) tells `kiosk restore` that a server is running on the show.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.errors import StorageUnavailable

# SQLite result codes that mean the file cannot take writes (not a bad statement, not a busy lock).
_STORAGE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")
_DAMAGE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB")

PRIVATE = 0o600


def unavailable(reason: str, message: str) -> StorageUnavailable:
    """The coded error for a database that takes no writes, with its reason."""
    return StorageUnavailable(message, reason=reason)


class FileGuard:
    """The identity (device, inode) of the database file the show opened, and checks against it."""

    def __init__(self, path: Path):
        self.path = path
        self._pinned: tuple[int, int] | None = None
        self._listeners: list[Callable[[StorageUnavailable], None]] = []
        self._lock = threading.Lock()

    def pin(self) -> None:
        """Remember the file now at the path as the show's (first call only)."""
        with self._lock:
            if self._pinned is None:
                st = os.stat(self.path)
                self._pinned = (st.st_dev, st.st_ino)

    def moved_on(self) -> bool:
        """True when the path no longer holds the pinned file (a new Store should start afresh)."""
        if self._pinned is None:
            return False
        try:
            st = os.stat(self.path)
        except OSError:
            return True
        return (st.st_dev, st.st_ino) != self._pinned

    def check(self) -> StorageUnavailable | None:
        """Why writes must not be acknowledged now, or None when the file is fine."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return unavailable("database_missing", f"the database file {self.path} is gone")
        except OSError as exc:
            return unavailable(
                "database_unreachable", f"the database file {self.path}: {exc.strerror}"
            )
        if self._pinned is not None and (st.st_dev, st.st_ino) != self._pinned:
            return unavailable(
                "database_replaced",
                f"the database file {self.path} was replaced by another file; restart the server",
            )
        if not os.access(self.path, os.W_OK):
            return unavailable(
                "database_unwritable", f"the database file {self.path} is not writable"
            )
        return None

    def failure(self, exc: BaseException) -> StorageUnavailable | None:
        """The storage error behind an SQLite exception (disk full, I/O, read-only), if it is one."""
        if isinstance(exc, StorageUnavailable):
            return exc
        name = getattr(exc, "sqlite_errorname", "") or ""
        if not isinstance(exc, sqlite3.Error) or not name:
            return None
        if name.startswith(_STORAGE_ERRORS):
            return unavailable("write_failed", f"the database could not be written: {exc}")
        if name.startswith(_DAMAGE_ERRORS):
            return unavailable("database_damaged", f"the database file is damaged: {exc}")
        return None

    def on_trouble(self, listener: Callable[[StorageUnavailable], None]) -> None:
        """Call `listener(error)` whenever a write is refused for a storage reason."""
        self._listeners.append(listener)

    def refused(self, error: StorageUnavailable) -> StorageUnavailable:
        """Tell the listeners that a write was refused; return the error to raise."""
        for listener in list(self._listeners):
            listener(error)
        return error


def private(*paths: Path) -> None:
    """Make existing files readable by their owner only (the database, its WAL and SHM, keys)."""
    for path in paths:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(PRIVATE)
        except FileNotFoundError:
            continue


def companions(db_path: Path) -> tuple[Path, Path, Path]:
    """The database file with its WAL and shared-memory files."""
    return db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")


def lock_path(db_path: Path) -> Path:
    """The lock file a running server holds beside its database."""
    return Path(f"{db_path}.lock")


class ShowBusy(RuntimeError):
    """A server (or a restore) holds the show's lock."""


def _lock(db_path: Path, mode: int, busy: str) -> int:
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise ShowBusy(busy) from exc
    return fd


_held: list[int] = []


def hold_serving_lock(db_path: Path) -> None:
    """Hold the show's lock, shared, until this process ends (several servers may hold it)."""
    if not db_path.exists():
        return  # nothing to serve: opening the show says so, and names `kiosk init`
    _held.append(
        _lock(
            db_path,
            fcntl.LOCK_SH,
            f"{db_path} is being restored; start the server when `kiosk restore` has finished",
        )
    )


@contextmanager
def exclusive(db_path: Path) -> Iterator[None]:
    """The show's lock, exclusive, while a backup is put back: refused while a server runs."""
    fd = _lock(
        db_path, fcntl.LOCK_EX, f"a server is running on {db_path}; stop `kiosk serve` first"
    )
    try:
        yield
    finally:
        os.close(fd)
