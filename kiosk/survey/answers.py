"""The exit survey: one answer per badge per day, anonymous when no badge is scanned."""

from __future__ import annotations

import sqlite3

from kiosk import events
from kiosk.checkin import codes
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, dumps, utcnow
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import surveys as sql
from kiosk.storage.interactions import append

PURPOSES = ("sourcing", "new_products", "suppliers", "networking", "seminars", "market", "other")
MAX_COMMENT = 1000


class SurveyRefused(Exception):
    """A survey answer that is refused: `status` and `body` are the API answer."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status = status
        self.body = {"error": error, "message": message}


def _int(body: dict, key: str, low: int, high: int, errors: dict):
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        errors[key] = f"a whole number from {low} to {high}"
    return value


def clean(body: dict) -> dict:
    """A valid answer from the request body; raise FieldErrors naming each bad field."""
    errors: dict[str, str] = {}
    answer = {
        "satisfaction": _int(body, "satisfaction", 1, 5, errors),
        "recommend": _int(body, "recommend", 0, 10, errors),
    }
    ret = body.get("return_intent")
    if ret is not None and not isinstance(ret, bool):
        errors["return_intent"] = "true, false or null"
        ret = None
    answer["return_intent"] = None if ret is None else int(ret)
    purpose = body.get("purpose") or []
    if not isinstance(purpose, list) or not all(p in PURPOSES for p in purpose):
        errors["purpose"] = f"a list of: {', '.join(PURPOSES)}"
        purpose = []
    answer["purpose"] = sorted(set(purpose))
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        errors["comment"] = f"a text of at most {MAX_COMMENT} characters"
        comment = ""
    answer["comment"] = " ".join(comment.split())
    code = body.get("code")
    if code is not None and (not isinstance(code, str) or len(code) > 100):
        errors["code"] = "the badge code as a text"
    if errors:
        raise FieldErrors(errors)
    answer["code"] = (code or "").strip() or None
    return answer


def _attendee(conn: sqlite3.Connection, keys: Keys, code: str):
    code_id = codes.verify(keys, code)
    badge = attendee_sql.badge(conn, code_id) if code_id else None
    if badge is None:
        raise SurveyRefused(404, "invalid", "not a valid badge")
    if badge["revoked_at"] is not None:
        raise SurveyRefused(409, "revoked", "this badge was replaced or cancelled")
    return attendee_sql.get(conn, badge["attendee_id"])


def answer(store: Store, settings: Settings, keys: Keys, body: dict, device: Device) -> dict:
    """Store one exit-survey answer with its `survey_answered` interaction; return it."""
    data = clean(body)
    at = utcnow()
    day = settings.now().date().isoformat()
    with store.write() as conn:
        attendee_id = None
        if data["code"]:
            attendee_id = _attendee(conn, keys, data["code"])["id"]
            if sql.answered_on(conn, attendee_id, day) is not None:
                raise SurveyRefused(409, "already_answered", "this badge answered today already")
        response_id = sql.insert(
            conn,
            at=at,
            day=day,
            attendee_id=attendee_id,
            device_id=device.id,
            satisfaction=data["satisfaction"],
            recommend=data["recommend"],
            return_intent=data["return_intent"],
            purpose=dumps(data["purpose"]),
            comment=data["comment"],
        )
        append(
            conn,
            "survey_answered",
            attendee_id=attendee_id,
            device_id=device.id,
            place=device.gate or "",
            data={
                "response_id": response_id,
                "satisfaction": data["satisfaction"],
                "recommend": data["recommend"],
            },
            at=at,
        )
    events.publish(
        store, events.SurveyAnswered(response_id=response_id, attendee_id=attendee_id, at=at)
    )
    return {
        "id": response_id,
        "at": at,
        "day": day,
        "anonymous": attendee_id is None,
        "attendee_id": attendee_id,
    }
