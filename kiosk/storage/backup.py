"""Online backups of a show and putting one back.

A backup is SQLite's backup API run in one step from a read transaction, so the copy is one
consistent moment of the show while the server goes on writing (WAL readers do not block the
writer). The key file is copied beside it, named as `kiosk init` names it beside a database
(`show-….db` gets `show-….secret`). Both are written under a temporary name, flushed to disk and
renamed into place: a copy is whole or absent, never half-written.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from kiosk.errors import StorageUnavailable
from kiosk.storage import utcnow
from kiosk.storage.guard import PRIVATE, companions, exclusive
from kiosk.storage.migrations import migrations


class BackupError(RuntimeError):
    """A backup that cannot be made, or a copy that cannot be put back (the reason says why)."""


@dataclass
class CopyReport:
    """What a copy of the show holds."""

    path: Path
    keys: Path
    migrations: list[str]
    counts: dict[str, int]
    set_aside: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the counts and the schema version."""
        counts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return f"{counts}; schema {self.migrations[-1] if self.migrations else 'none'}"


def stamp() -> str:
    """The current UTC time for file names: 20250314T091500Z."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def keys_beside(db_copy: Path) -> Path:
    """The key file that goes with a database copy."""
    return db_copy.with_name(db_copy.stem + ".secret")


def record_path(db_path: Path) -> Path:
    """Where the show notes its last backup (read by `kiosk init` when the database is missing)."""
    return Path(f"{db_path}.last-backup")


def last_backup(db_path: Path) -> dict | None:
    """The show's last backup as noted beside its database, or None."""
    try:
        return json.loads(record_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _uri(path: Path, mode: str) -> str:
    return f"{path.resolve().as_uri()}?mode={mode}"


def _private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (a FAT stick's folder) refuse to sync a directory
    finally:
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _copy_database(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy the source's current state into a new self-contained file (no WAL beside it)."""
    _private_file(target_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one moment
        target.execute("PRAGMA journal_mode=DELETE")
        result = target.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the copy failed its check: {result}")
    finally:
        target.close()
    _fsync(target_path)


def _describe(conn: sqlite3.Connection) -> tuple[list[str], dict[str, int]]:
    """The migrations applied and the main counts of a show's database."""
    db = sqlite_utils.Database(conn)
    applied = [m.name for m in migrations.applied(db)]
    counts = {}
    for name, sql in (
        ("attendees", "SELECT count(*) FROM attendees"),
        ("check-ins", "SELECT count(*) FROM interactions WHERE type = 'checked_in'"),
        ("leads", "SELECT count(*) FROM leads"),
        ("devices", "SELECT count(*) FROM devices"),
    ):
        try:
            counts[name] = conn.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            counts[name] = 0
    return applied, counts


def _known_migrations() -> set[str]:
    empty = sqlite_utils.Database(memory=True)
    try:
        return {m.name for m in migrations.pending(empty)}
    finally:
        empty.close()


def backup(db_path: Path, secret_path: Path, dest: Path) -> CopyReport:
    """Copy the running show and its key file to `dest` (a file, or a folder for a dated name)."""
    if not db_path.exists():
        raise StorageUnavailable(f"no database at {db_path}", reason="database_missing")
    if not secret_path.exists():
        raise BackupError(f"{secret_path}: key file missing; a copy without it cannot be used")
    if dest.is_dir():
        dest = dest / f"{db_path.stem}-{stamp()}.db"
    if not dest.parent.is_dir():
        raise BackupError(f"{dest.parent}: no such folder")
    keys = keys_beside(dest)
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    partial_keys = keys.with_name(f".{keys.name}.partial-{os.getpid()}")
    source = sqlite3.connect(_uri(db_path, "rw"), uri=True)
    try:
        source.execute("PRAGMA busy_timeout=10000")
        _copy_database(source, partial)
        copy = sqlite3.connect(partial)
        try:
            applied, counts = _describe(copy)
        finally:
            copy.close()
        _write_private(partial_keys, secret_path.read_bytes())
        # The key file first: a database copy is only ever seen with its keys beside it.
        os.replace(partial_keys, keys)
        os.replace(partial, dest)
        _fsync(dest.parent)
    finally:
        source.close()
        for leftover in (partial, partial_keys):
            leftover.unlink(missing_ok=True)
    report = CopyReport(dest, keys, applied, counts)
    note = {"dest": str(dest.resolve()), "keys": str(keys.resolve()), "at": utcnow(), **counts}
    _write_private(record_path(db_path), json.dumps(note, ensure_ascii=False).encode())
    return report


def check_copy(src: Path, keys: Path | None = None) -> CopyReport:
    """Check a copy before it is put back: intact, a schema this version knows, its keys present."""
    from kiosk import secrets

    if not src.is_file():
        raise BackupError(f"{src}: no such file")
    keys = keys or keys_beside(src)
    if not keys.is_file():
        raise BackupError(f"{src}: its key file {keys} is missing (give it with --keys)")
    conn = sqlite3.connect(_uri(src, "ro"), uri=True)
    try:
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{src}: cannot be read as a database ({exc})") from exc
        if problems != ["ok"]:
            raise BackupError(f"{src}: damaged: {problems[0]}")
        applied, counts = _describe(conn)
        if not applied:
            raise BackupError(f"{src}: not a show's database (no schema)")
        known = _known_migrations()
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise BackupError(
                f"{src}: made by a newer version (schema {', '.join(unknown)}); upgrade first"
            )
        versions = {row[0] for row in conn.execute("SELECT DISTINCT version FROM badges")}
    finally:
        conn.close()
    try:
        key_file = secrets.load(keys)
    except (ValueError, KeyError) as exc:
        raise BackupError(f"{keys}: not a key file ({exc})") from exc
    missing = sorted(versions - set(key_file.badge_keys))
    if missing:
        raise BackupError(
            f"{keys}: lacks the badge key version(s) {missing} the copy's badges are signed with"
        )
    return CopyReport(src, keys, applied, counts)


def restore(src: Path, db_path: Path, secret_path: Path, keys: Path | None = None) -> CopyReport:
    """Put a checked copy back as the show; the show it replaces is set aside, never deleted.

    Refused while a server runs on the show (it holds `<db>.lock`; see kiosk/storage/guard.py).
    """
    report = check_copy(src, keys)
    with exclusive(db_path):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        partial = db_path.with_name(f".{db_path.name}.restoring-{os.getpid()}")
        source = sqlite3.connect(_uri(src, "ro"), uri=True)
        try:
            _copy_database(source, partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            source.close()
        when = stamp()
        aside = db_path.with_name(f"{db_path.stem}.before-restore-{when}{db_path.suffix}")
        for current, kept in zip(companions(db_path), companions(aside), strict=True):
            if current.exists():
                current.rename(kept)
                report.set_aside.append(kept)
        new_keys = report.keys.read_bytes()
        if secret_path.exists() and secret_path.read_bytes() != new_keys:
            kept = secret_path.with_name(f"{secret_path.stem}.before-restore-{when}.secret")
            secret_path.rename(kept)
            report.set_aside.append(kept)
        if not secret_path.exists():
            partial_keys = secret_path.with_name(f".{secret_path.name}.restoring")
            _write_private(partial_keys, new_keys)
            os.replace(partial_keys, secret_path)
        os.replace(partial, db_path)
        _fsync(db_path.parent)
    return report
