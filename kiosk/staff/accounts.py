"""Named staff accounts: argon2 password hashes and a lock-out after repeated failures."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk import events
from kiosk.config import ConfigError, Settings
from kiosk.devices import TOKEN_PREFIX, hash_token
from kiosk.errors import Conflict, FieldErrors, NotFound
from kiosk.storage import Store, from_iso, to_iso, utcnow
from kiosk.storage import devices as device_sql
from kiosk.storage import staff as sql
from kiosk.storage.interactions import audit

MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verifying against this keeps an unknown name as slow as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LockedOut(Exception):
    """Too many wrong passwords: the account is locked until `until` (ISO time)."""

    def __init__(self, until: str):
        super().__init__(f"locked until {until}")
        self.until = until


@dataclass(frozen=True)
class StaffPolicy:
    """Sign-in limits, from the optional [staff] table of the configuration."""

    max_failures: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 30
    session_hours: int = 12


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    device_id: int
    # The key of the sign-in that produced this account, as sign_in returns it.
    sign_in: str | None = None

    @property
    def actor(self) -> str:
        """How this person is named in the audit log."""
        return f"staff:{self.name}"


def policy(settings: Settings) -> StaffPolicy:
    """The sign-in policy of this show; a bad value names its key."""
    raw = settings.extra.get("staff", {})
    if not isinstance(raw, dict):
        raise ConfigError("staff: expected a table")
    values = {}
    for key, default in StaffPolicy().__dict__.items():
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"staff.{key}: expected a positive whole number")
        values[key] = value
    unknown = set(raw) - set(values)
    if unknown:
        raise ConfigError(f"staff.{sorted(unknown)[0]}: unknown key")
    return StaffPolicy(**values)


def _user(row) -> StaffUser:
    return StaffUser(row["id"], row["name"], row["device_id"])


def _short_password() -> FieldErrors:
    return FieldErrors({"password": f"the password must have at least {MIN_PASSWORD} characters"})


def create_staff(store: Store, name: str, password: str, *, actor: str = "cli") -> StaffUser:
    """Create a named staff account with its own console device row."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise FieldErrors({"name": "a staff account needs a name of 1 to 60 characters"})
    if len(password or "") < MIN_PASSWORD:
        raise _short_password()
    password_hash = _hasher.hash(password)
    with store.write() as conn:
        if sql.user_by_name(conn, name) is not None:
            raise Conflict(f"a staff account named '{name}' exists already", code="name_taken")
        # The console device's token is thrown away: it is reached only through a signed-in session.
        unusable = hash_token(TOKEN_PREFIX + secrets.token_urlsafe(32))
        device_id = device_sql.insert_device(
            conn,
            name=f"console: {name}",
            role="staff",
            token_hash=unusable,
            exhibitor_id=None,
            gate=None,
        )
        user_id = sql.insert_user(conn, name, password_hash, device_id)
        audit(conn, actor, "staff.create", f"staff:{user_id}", after={"name": name})
    return StaffUser(user_id, name, device_id)


def set_password(store: Store, name: str, password: str, *, actor: str = "cli") -> None:
    """Give an account a new password (also lifts a lock-out)."""
    if len(password or "") < MIN_PASSWORD:
        raise _short_password()
    with store.write() as conn:
        row = sql.user_by_name(conn, name)
        if row is None:
            raise NotFound(f"no staff account named '{name}'")
        sql.set_password(conn, row["id"], _hasher.hash(password))
        audit(conn, actor, "staff.password", f"staff:{row['id']}")


# Failures against names with no account, per database, so that such a name locks out exactly like
# a real one: otherwise the lock-out itself would tell which names exist.
_UNKNOWN_KEPT = 10_000
_unknown: OrderedDict[tuple[str, str], tuple[int, str | None]] = OrderedDict()
_unknown_lock = threading.Lock()


def _unknown_locked_until(key: tuple[str, str], now: str) -> str | None:
    with _unknown_lock:
        until = _unknown.get(key, (0, None))[1]
    return until if until and until > now else None


def _unknown_failed(key: tuple[str, str], rules: StaffPolicy, now: str) -> str | None:
    with _unknown_lock:
        failures, until = _unknown.pop(key, (0, None))
        failures = 1 if until else failures + 1
        until = None
        if failures >= rules.max_failures:
            until = to_iso(from_iso(now) + timedelta(minutes=rules.lockout_minutes))
        _unknown[key] = (failures, until)
        while len(_unknown) > _UNKNOWN_KEPT:
            _unknown.popitem(last=False)
    return until


def sign_in(store: Store, settings: Settings, name: str, password: str) -> StaffUser | None:
    """The account for a good name and password, with its new sign-in's key; None otherwise.

    Raises LockedOut. The sign-in stays open until sign_out (or its session's lifetime is over).
    """
    rules = policy(settings)
    name = (name or "").strip()
    row = sql.user_by_name(store.conn, name)
    now = utcnow()
    if row is None or row["disabled_at"]:
        key = (str(store.path), name.casefold())
        if until := _unknown_locked_until(key, now):
            raise LockedOut(until)
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password or "")
        if until := _unknown_failed(key, rules, now):
            raise LockedOut(until)
        return None
    if row["locked_until"] and row["locked_until"] > now:
        raise LockedOut(row["locked_until"])
    try:
        _hasher.verify(row["password_hash"], password or "")
    except (VerificationError, InvalidHashError):
        with store.write() as conn:
            failures = sql.failed_count(conn, row["id"]) + 1
            until = None
            if failures >= rules.max_failures:
                until = to_iso(from_iso(now) + timedelta(minutes=rules.lockout_minutes))
            sql.record_failure(conn, row["id"], until)
            audit(
                conn,
                f"staff:{row['name']}",
                "staff.sign_in_failed",
                f"staff:{row['id']}",
                after={"failures": failures, "locked_until": until},
            )
        if until:
            raise LockedOut(until) from None
        return None
    key = secrets.token_urlsafe(16)
    forget_before = to_iso(from_iso(now) - timedelta(hours=rules.session_hours))
    with store.write() as conn:
        sql.record_success(conn, row["id"])
        sql.open_sign_in(conn, key, row["id"], now, forget_before)
        audit(conn, f"staff:{row['name']}", "staff.sign_in", f"staff:{row['id']}")
    return StaffUser(row["id"], row["name"], row["device_id"], sign_in=key)


def by_id(store: Store, user_id: int) -> StaffUser | None:
    """An enabled account by id."""
    row = sql.user(store.conn, user_id)
    if row is None or row["disabled_at"]:
        return None
    return _user(row)


def signed_in(store: Store, user_id: int, sign_in: object) -> StaffUser | None:
    """An enabled account whose sign-in `sign_in` has not signed out, None otherwise."""
    user = by_id(store, user_id)
    if user is None or not isinstance(sign_in, str):
        return None
    return user if sql.sign_in_open(store.conn, sign_in, user_id) else None


def sign_out(store: Store, user: StaffUser, sign_in: str | None) -> None:
    """End one sign-in of an account: audited; its cookie and the live connections it opened
    are of no more use."""
    with store.write() as conn:
        if sign_in is not None:
            sql.close_sign_in(conn, sign_in)
        audit(conn, user.actor, "staff.sign_out", f"staff:{user.id}")
    events.publish(store, events.StaffSignedOut(staff_id=user.id, sign_in=sign_in, at=utcnow()))
