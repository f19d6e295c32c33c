"""The exit survey: one answer per badge per day, anonymous when no badge is scanned."""

from __future__ import annotations

import sqlite3

from kiosk import events
from kiosk.checkin import codes, scans
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import Conflict, FieldErrors, NotFound
from kiosk.secrets import Keys
from kiosk.storage import Store, dumps, utcnow
from kiosk.storage import surveys as sql
from kiosk.storage.interactions import append

PURPOSES = ("sourcing", "new_products", "suppliers", "networking", "seminars", "market", "other")
MAX_COMMENT = 1000


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


def _unknown() -> NotFound:
    return NotFound(scans.INVALID, code="invalid")


def _attendee(conn: sqlite3.Connection, code_id: str) -> sqlite3.Row:
    holder = scans.resolve(conn, code_id)
    if holder is None:
        raise _unknown()
    if holder.revoked:
        raise Conflict(scans.REVOKED, code="revoked")
    return holder.attendee


def check_badge(store: Store, settings: Settings, keys: Keys, body: dict) -> dict:
    """Whether a scanned badge may answer today; says nothing of whose badge it is."""
    code = body.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 100:
        raise FieldErrors({"code": "required: the badge code"})
    code_id = codes.verify(keys, code.strip())
    if code_id is None:
        raise _unknown()
    conn = store.conn
    attendee = _attendee(conn, code_id)
    if sql.answered_on(conn, attendee["id"], settings.now().date().isoformat()) is not None:
        raise Conflict("this badge answered today already", code="already_answered")
    return {"ok": True}


def answer(store: Store, settings: Settings, keys: Keys, body: dict, device: Device) -> dict:
    """Store one exit-survey answer with its `survey_answered` interaction; return it."""
    data = clean(body)
    at = utcnow()
    day = settings.now().date().isoformat()
    # A forged code is refused before the database is touched, as at a gate.
    code_id = codes.verify(keys, data["code"]) if data["code"] else None
    if data["code"] and code_id is None:
        raise _unknown()
    with store.write() as conn:
        attendee_id = None
        if code_id is not None:
            attendee_id = _attendee(conn, code_id)["id"]
            if sql.answered_on(conn, attendee_id, day) is not None:
                raise Conflict("this badge answered today already", code="already_answered")
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
