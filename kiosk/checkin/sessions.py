"""Session attendance by badge scan at the door: one attendance per person per session.

The door is a policy on the shared scan step (kiosk.checkin.scans), like a gate: the same code
check, nonce replay, revocation and refusal log; only the decision differs.
"""

from __future__ import annotations

from kiosk import events
from kiosk.checkin.scans import Outcome, Place, attendee_summary, nonce_error, scan
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, to_iso
from kiosk.storage import interactions as sql
from kiosk.storage.interactions import append

TYPES = ("session_attended",)


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
    if errors:
        raise FieldErrors(errors)
    return code, place, nonce


def record(store: Store, settings: Settings, keys: Keys, body: dict, device: Device) -> Outcome:
    """Count a badge into a session (the body of POST /api/v1/interactions)."""
    code, place, nonce = _validate(settings, body)
    session = settings.sessions[place]

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
        at = to_iso(now)
        interaction_id = append(
            conn,
            "session_attended",
            attendee_id=attendee["id"],
            device_id=device.id,
            place=place,
            data={"room": session.room},
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
        now=settings.now(),
    )
