"""Session attendance by badge scan at the door: one attendance per person per session.

The door is a policy on the shared scan step (kiosk.checkin.scans), like a gate: the same code
check, nonce replay, revocation and refusal log; only the decision differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk import events
from kiosk.checkin.scans import Outcome, Place, attendee_summary, nonce_error, scan
from kiosk.config import ConfigError, Session, Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, to_iso
from kiosk.storage import interactions as sql
from kiosk.storage.interactions import append

TYPES = ("session_attended",)
# How the door treats a scan outside a session's time window ([door] outside in the configuration).
OUTSIDE = ("confirm", "refuse")


@dataclass(frozen=True)
class DoorPolicy:
    """The [door] table: how long before and after a session its door counts people in."""

    early_minutes: int = 30
    late_minutes: int = 30
    # "confirm": the door staff may count a person in anyway; "refuse": never.
    outside: str = "confirm"


def policy(settings: Settings) -> DoorPolicy:
    """The door policy from the configuration (defaults when there is no [door] table)."""
    raw = settings.extra.get("door", {})
    values = {}
    for key in ("early_minutes", "late_minutes"):
        if key in raw:
            value = raw[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"door.{key}: expected a whole number of minutes (0 or more)")
            values[key] = value
    if "outside" in raw:
        if raw["outside"] not in OUTSIDE:
            raise ConfigError(f"door.outside: expected one of {', '.join(OUTSIDE)}")
        values["outside"] = raw["outside"]
    return DoorPolicy(**values)


def window(session: Session, door: DoorPolicy) -> tuple[datetime | None, datetime | None]:
    """When the door counts people into the session: from `early` before it to `late` after."""
    opens = session.starts - timedelta(minutes=door.early_minutes) if session.starts else None
    closes = session.ends + timedelta(minutes=door.late_minutes) if session.ends else None
    return opens, closes


def _outside(session: Session, door: DoorPolicy, now: datetime) -> str | None:
    opens, closes = window(session, door)
    if opens is not None and now < opens:
        return "session_not_started"
    if closes is not None and now > closes:
        return "session_ended"
    return None


def _validate(settings: Settings, body: dict) -> tuple[str, str, str | None]:
    errors = {}
    kind, place, nonce, code = (body.get(k) for k in ("type", "place", "nonce", "code"))
    if kind not in TYPES:
        errors["type"] = f"must be one of {', '.join(TYPES)}"
    if not isinstance(place, str) or place not in settings.sessions:
        errors["place"] = f"unknown session (known: {', '.join(settings.sessions)})"
    if (problem := nonce_error(nonce)) is not None:
        errors["nonce"] = problem
    if not isinstance(code, str) or not code.strip() or len(code) > 100:
        errors["code"] = "required: the badge code"
    if body.get("confirm") not in (None, True, False):
        errors["confirm"] = "true or false"
    if errors:
        raise FieldErrors(errors)
    return code, place, nonce


def record(store: Store, settings: Settings, keys: Keys, body: dict, device: Device) -> Outcome:
    """Count a badge into a session (the body of POST /api/v1/interactions)."""
    code, place, nonce = _validate(settings, body)
    session = settings.sessions[place]
    door = policy(settings)
    confirmed = body.get("confirm") is True and door.outside == "confirm"
    now = settings.now()

    def attend(conn, attendee, now):
        summary = attendee_summary(attendee, settings)
        counts = sql.session_attendance(conn)
        occupancy = {"attended": counts.get(place, 0), "capacity": session.capacity}
        first = sql.attended(conn, attendee["id"], place)
        if first is not None:
            return Outcome.refused(
                "already_attended",
                "already counted into this session",
                summary,
                attended_at=first["at"],
                session=place,
                **occupancy,
            ), None
        outside = _outside(session, door, now)
        if outside is not None and not confirmed:
            starts, ends = session.starts, session.ends
            return Outcome.refused(
                outside,
                "this session has not started yet"
                if outside == "session_not_started"
                else "this session is over",
                summary,
                session=place,
                starts=to_iso(starts) if starts else None,
                ends=to_iso(ends) if ends else None,
                can_confirm=door.outside == "confirm",
                **occupancy,
            ), None
        at = to_iso(now)
        interaction_id = append(
            conn,
            "session_attended",
            attendee_id=attendee["id"],
            device_id=device.id,
            place=place,
            data={"room": session.room, **({"outside": outside} if outside else {})},
            at=at,
        )
        occupancy["attended"] += 1
        full = session.capacity is not None and occupancy["attended"] > session.capacity
        details = {
            "interaction_id": interaction_id,
            "type": "session_attended",
            "session": place,
            "at": at,
            "over_capacity": full,
            "outside": outside,
            **occupancy,
        }
        event = events.SessionAttended(
            attendee_id=attendee["id"], session=place, at=at, device_id=device.id
        )
        return Outcome(True, attendee=summary, details=details), event

    return scan(
        store,
        settings,
        keys,
        Place("session", place),
        attend,
        device=device,
        code=code,
        nonce=nonce,
        now=now,
    )
