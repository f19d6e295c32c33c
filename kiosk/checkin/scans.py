"""A badge scanned at a place: one identity and idempotency step, then the place's policy.

Every scan at a gate or a session door goes through `scan()`: the signed code is verified before
any database access (a forged code is tallied in memory, see kiosk.checkin.refusals), then one
write transaction replays the device's nonce, resolves the badge and its holder and refuses a
revoked one; only then does the place's policy decide (check_in for gates, sessions.record for
session doors). A refusal of a known badge is logged in that same transaction. The answer is an
`Outcome`, which the nonce store keeps so that a retry gets the first answer again; it keeps
the person by id only, and a replay greets them from their record as it is now (an erased
person leaves nothing behind in the nonce store).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk import events
from kiosk.checkin import codes, refusals
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.secrets import Keys
from kiosk.storage import Store, dumps, to_iso
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import checkins as nonce_sql
from kiosk.storage.interactions import append, audit

MAX_NONCE = 100
INVALID = "not a valid badge"
REVOKED = "this badge was replaced or cancelled"


@dataclass(frozen=True)
class Outcome:
    """What a scan came to: ok, or refused with a reason; the person greeted, and details.

    `attendee` is the summary a kiosk may show; it is None only for an unknown or forged code.
    """

    ok: bool
    reason: str | None = None
    message: str = ""
    attendee: dict | None = None
    details: dict = field(default_factory=dict)

    @classmethod
    def refused(cls, reason: str, message: str, attendee: dict | None = None, **details) -> Outcome:
        """A refusal with its reason, message and what the kiosk needs to explain it."""
        return cls(False, reason, message, attendee, details)

    def as_dict(self) -> dict:
        """The outcome's fields as a JSON-ready dict (events carry it so)."""
        # Not dataclasses.asdict: its deep copy costs more than the rest of a check-in's Python.
        return {
            "ok": self.ok,
            "reason": self.reason,
            "message": self.message,
            "attendee": self.attendee,
            "details": self.details,
        }

    def for_nonce(self) -> str:
        """The outcome as its nonce keeps it: the person by id only, no personal data."""
        data = self.as_dict()
        if self.attendee is not None:
            data["attendee"] = {"id": self.attendee["id"]}
        return dumps(data)

    @classmethod
    def from_nonce(cls, text: str, summary: Callable[[int], dict | None]) -> Outcome:
        """A kept outcome with the person's summary rebuilt from their record as it is now."""
        data = json.loads(text)
        if data.get("attendee") is not None:
            data["attendee"] = summary(data["attendee"]["id"])
        return cls(**data)


@dataclass(frozen=True)
class Place:
    """Where a badge is scanned: a gate (entered or left) or a session door."""

    kind: str  # "gate" or "session"
    id: str
    direction: str | None = None

    @property
    def target(self) -> str:
        """How the place is named in the audit log."""
        return f"{self.kind}:{self.id}"

    @property
    def refused_type(self) -> str:
        """The interaction that logs a refusal of a known badge here."""
        return "checkin_refused" if self.kind == "gate" else "session_refused"


@dataclass(frozen=True)
class Holder:
    """A resolved badge: the person it belongs to, and whether it still lets them in."""

    code_id: str
    attendee: sqlite3.Row
    revoked: bool


# A place's policy: decide on a valid badge inside the scan's transaction; return the outcome
# and the event to publish once the transaction is durable.
Policy = Callable[[sqlite3.Connection, sqlite3.Row, datetime], tuple[Outcome, events.Event | None]]


def attendee_summary(row: sqlite3.Row, settings: Settings) -> dict:
    """What a kiosk may show about the person it greets."""
    category = settings.categories.get(row["category"])
    return {
        "id": row["id"],
        "full_name": row["full_name"],
        "company": row["company"],
        "category": row["category"],
        "category_name": category.name if category else {},
        "language": row["language"],
    }


def _summary(conn: sqlite3.Connection, attendee_id: int, settings: Settings) -> dict | None:
    row = attendee_sql.get(conn, attendee_id)
    return attendee_summary(row, settings) if row is not None else None


def nonce_error(nonce) -> str | None:
    """Why a nonce is not acceptable, or None (no nonce is fine)."""
    if nonce is not None and (not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE):
        return f"a string of 1 to {MAX_NONCE} characters"
    return None


def resolve(conn: sqlite3.Connection, code_id: str) -> Holder | None:
    """The badge behind a verified code id and its holder, or None for a badge never issued."""
    badge = attendee_sql.badge(conn, code_id)
    if badge is None:
        return None
    attendee = attendee_sql.get(conn, badge["attendee_id"])
    revoked = badge["revoked_at"] is not None or attendee["status"] != "active"
    return Holder(code_id, attendee, revoked)


def identify(conn: sqlite3.Connection, keys: Keys, code) -> Holder | None:
    """The holder of a scanned code: the signature checked first, then the badge looked up."""
    code_id = codes.verify(keys, code)
    return resolve(conn, code_id) if code_id is not None else None


def scan(
    store: Store,
    settings: Settings,
    keys: Keys,
    place: Place,
    policy: Policy,
    *,
    device: Device,
    code=None,
    attendee_id: int | None = None,
    nonce: str | None = None,
    now: datetime,
) -> Outcome:
    """Identify the badge, replay the nonce, refuse a revoked badge, then apply the place's policy."""
    if attendee_id is not None:
        live = attendee_sql.live_badge(store.conn, attendee_id)
        if live is None:
            return Outcome.refused("invalid", "no such attendee")
        code_id = live["code_id"]
    else:
        code_id = codes.verify(keys, code)
        if code_id is None:
            return _unknown(store, place, device, now)
    at = to_iso(now)
    event = None
    with store.write() as conn:
        # On PostgreSQL, simultaneous scans of one person on several nodes wait here in turn.
        nonce_sql.lock_badge(conn, code_id)
        if nonce is not None:
            seen = nonce_sql.nonce_outcome(conn, device.id, nonce)
            if seen is not None:
                return Outcome.from_nonce(seen, lambda aid: _summary(conn, aid, settings))
        holder = resolve(conn, code_id)
        if holder is None:
            # Signed by the show's key but never issued: counted like a forged code.
            outcome = None
        elif holder.revoked:
            summary = attendee_summary(holder.attendee, settings)
            outcome = Outcome.refused("revoked", REVOKED, summary)
        else:
            outcome, event = policy(conn, holder.attendee, now)
        if outcome is not None:
            if not outcome.ok:
                _log_refusal(conn, place, device, holder.attendee["id"], outcome.reason, at)
            if nonce is not None:
                nonce_sql.remember_nonce(conn, device.id, nonce, outcome.for_nonce(), at)
        # Last, so that only a failed commit could lose the counts once taken from the tally.
        refusals.write_due(store, conn)
    if outcome is None:
        return _unknown(store, place, device, now)
    if event is not None:
        events.publish(store, event)
    if not outcome.ok:
        _publish_refusal(store, place, device, outcome.reason, holder.attendee["id"], at)
    return outcome


def _unknown(store: Store, place: Place, device: Device, now: datetime) -> Outcome:
    # Nothing is written now: a burst of forged codes must cost no write, let alone an fsync.
    at = to_iso(now)
    refusals.count(store, device.id, place.kind, place.id, "invalid", at)
    _publish_refusal(store, place, device, "invalid", None, at)
    return Outcome.refused("invalid", INVALID)


def _log_refusal(conn, place: Place, device: Device, attendee_id: int, reason, at: str) -> None:
    append(
        conn,
        place.refused_type,
        attendee_id=attendee_id,
        device_id=device.id,
        place=place.id,
        direction=place.direction or "",
        data={"reason": reason},
        at=at,
    )
    audit(
        conn,
        f"device:{device.id}",
        "scan.refused",
        place.target,
        after={
            "reason": reason,
            place.kind: place.id,
            "direction": place.direction,
            "device_id": device.id,
            "attendee_id": attendee_id,
        },
    )


def _publish_refusal(store: Store, place: Place, device: Device, reason, attendee_id, at):
    events.publish(
        store,
        events.ScanRefused(
            reason=reason,
            gate=place.id,
            direction=place.direction,
            device_id=device.id,
            attendee_id=attendee_id,
            at=at,
        ),
    )
