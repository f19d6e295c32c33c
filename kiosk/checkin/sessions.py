"""Session attendance by badge scan at the door: one attendance per person per session."""

from __future__ import annotations

import json

from kiosk import events
from kiosk.checkin import codes
from kiosk.checkin.service import MAX_NONCE, Answer, attendee_summary
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, dumps, utcnow
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import checkins as nonce_sql
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
    if nonce is not None and (not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE):
        errors["nonce"] = f"a string of 1 to {MAX_NONCE} characters"
    if not isinstance(code, str) or not code.strip() or len(code) > 100:
        errors["code"] = "required: the badge code"
    if errors:
        raise FieldErrors(errors)
    return code, place, nonce


def record(store: Store, settings: Settings, keys: Keys, body: dict, device: Device) -> Answer:
    """Count a badge into a session; answers like POST /api/v1/interactions."""
    code, place, nonce = _validate(settings, body)
    code_id = codes.verify(keys, code)
    if code_id is None:
        return Answer(404, {"status": "error", "reason": "invalid", "message": "not a valid badge"})
    session = settings.sessions[place]
    event = None
    with store.write() as conn:
        if nonce is not None:
            seen = nonce_sql.nonce_answer(conn, device.id, nonce)
            if seen is not None:
                return Answer(seen["status"], json.loads(seen["response"]))
        badge = attendee_sql.badge(conn, code_id)
        attendee = attendee_sql.get(conn, badge["attendee_id"]) if badge else None
        counts = sql.session_attendance(conn)
        occupancy = {"attended": counts.get(place, 0), "capacity": session.capacity}
        if attendee is None:
            answer = Answer(
                404, {"status": "error", "reason": "invalid", "message": "not a valid badge"}
            )
        elif badge["revoked_at"] is not None or attendee["status"] != "active":
            answer = Answer(
                200,
                {
                    "status": "error",
                    "reason": "revoked",
                    "message": "this badge was replaced or cancelled",
                    "attendee": attendee_summary(attendee, settings),
                },
            )
        elif (first := sql.attended(conn, attendee["id"], place)) is not None:
            answer = Answer(
                200,
                {
                    "status": "error",
                    "reason": "already_attended",
                    "message": "already counted into this session",
                    "attended_at": first["at"],
                    "attendee": attendee_summary(attendee, settings),
                    "session": place,
                    **occupancy,
                },
            )
        else:
            at = utcnow()
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
            answer = Answer(
                201,
                {
                    "status": "ok",
                    "interaction_id": interaction_id,
                    "type": "session_attended",
                    "session": place,
                    "at": at,
                    "attendee": attendee_summary(attendee, settings),
                    "over_capacity": full,
                    **occupancy,
                },
            )
            event = events.SessionAttended(
                attendee_id=attendee["id"], session=place, at=at, device_id=device.id
            )
        if nonce is not None:
            nonce_sql.remember_nonce(
                conn, device.id, nonce, answer.status, dumps(answer.body), utcnow()
            )
    if event is not None:
        events.publish(store, event)
    return answer
