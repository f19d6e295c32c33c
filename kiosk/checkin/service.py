"""check_in(): the one entry point for entry and exit at a gate.

A forged code is refused before any database write. Everything else happens in one
BEGIN IMMEDIATE transaction, so two kiosks scanning the same badge at the same instant
queue on the lock and the second one sees the first check-in.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from kiosk import events
from kiosk.checkin import codes, rules
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, dumps, from_iso, to_iso
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import checkins as sql
from kiosk.storage.interactions import append

MAX_NONCE = 100


@dataclass(frozen=True)
class Answer:
    """What the API sends back: an HTTP status and a JSON body."""

    status: int
    body: dict


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


def _validate(settings: Settings, gate: str, direction: str, nonce) -> None:
    errors = {}
    if not isinstance(direction, str) or direction not in ("in", "out"):
        errors["direction"] = "must be 'in' or 'out'"
    if not isinstance(gate, str) or gate not in settings.gates:
        errors["gate"] = f"unknown gate (known: {', '.join(settings.gates)})"
    elif "direction" not in errors and direction not in settings.gates[gate].directions:
        errors["direction"] = f"gate {gate} allows {', '.join(settings.gates[gate].directions)}"
    if nonce is not None and (not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE):
        errors["nonce"] = f"a string of 1 to {MAX_NONCE} characters"
    if errors:
        raise FieldErrors(errors)


def check_in(
    store: Store,
    settings: Settings,
    keys: Keys,
    *,
    code=None,
    attendee_id=None,
    gate,
    direction="in",
    nonce=None,
    device: Device,
    now: datetime | None = None,
) -> Answer:
    """Check a badge in or out at a gate; answers like CONTRACT.md's POST /api/v1/checkins."""
    _validate(settings, gate, direction, nonce)
    if attendee_id is not None:
        # "Find me" on the kiosk: the person chose themselves; use their live badge.
        if not isinstance(attendee_id, int) or isinstance(attendee_id, bool):
            raise FieldErrors({"attendee_id": "must be an integer"})
        live = attendee_sql.live_badge(store.conn, attendee_id)
        if live is None:
            return Answer(
                404, {"status": "error", "reason": "invalid", "message": "no such attendee"}
            )
        code_id = live["code_id"]
    else:
        if not isinstance(code, str) or not code.strip():
            raise FieldErrors({"code": "required"})
        code_id = codes.verify(keys, code)
        if code_id is None:
            # Forged or mistyped: nothing is written, but staff see refused scans and bursts.
            events.publish(
                store,
                events.ScanRefused(
                    reason="invalid",
                    gate=gate,
                    direction=direction,
                    device_id=device.id,
                    attendee_id=None,
                    at=to_iso(settings.now()),
                ),
            )
            return Answer(
                404, {"status": "error", "reason": "invalid", "message": "not a valid badge"}
            )
    now = (now or settings.now()).astimezone(settings.timezone)
    event = refused = None
    with store.write() as conn:
        if nonce is not None:
            seen = sql.nonce_answer(conn, device.id, nonce)
            if seen is not None:
                return Answer(seen["status"], json.loads(seen["response"]))
        answer, event, refused = _decide(conn, settings, code_id, gate, direction, device, now)
        if nonce is not None:
            sql.remember_nonce(
                conn, device.id, nonce, answer.status, dumps(answer.body), to_iso(now)
            )
    if event is not None:
        events.publish(store, event)
    if refused is not None:
        events.publish(store, refused)
    return answer


def _refuse(
    conn, settings, reason, message, *, gate, direction, device, now, attendee=None, extra=None
) -> tuple[Answer, None, dict]:
    body = {"status": "error", "reason": reason, "message": message, **(extra or {})}
    if attendee is not None:
        body["attendee"] = attendee_summary(attendee, settings)
    refused = events.ScanRefused(
        reason=reason,
        gate=gate,
        direction=direction,
        device_id=device.id,
        attendee_id=attendee["id"] if attendee is not None else None,
        at=to_iso(now),
    )
    if attendee is not None:
        append(
            conn,
            "checkin_refused",
            attendee_id=attendee["id"],
            device_id=device.id,
            place=gate,
            direction=direction,
            data={"reason": reason},
            at=to_iso(now),
        )
    return Answer(200 if attendee is not None else 404, body), None, refused


def _decide(conn, settings: Settings, code_id, gate, direction, device: Device, now: datetime):
    common = {"gate": gate, "direction": direction, "device": device, "now": now}
    badge = attendee_sql.badge(conn, code_id)
    if badge is None:
        return _refuse(conn, settings, "invalid", "not a valid badge", **common)
    attendee = attendee_sql.get(conn, badge["attendee_id"])
    if badge["revoked_at"] is not None or attendee["status"] != "active":
        return _refuse(
            conn,
            settings,
            "revoked",
            "this badge was replaced or cancelled",
            attendee=attendee,
            **common,
        )
    presence = sql.presence(conn, attendee["id"])
    gate_cfg = settings.gates[gate]
    if direction == "in":
        if presence is not None and presence["state"] == "in":
            at = from_iso(presence["at"]).astimezone(settings.timezone)
            where = settings.gates.get(presence["gate"])
            where_name = where.name.get("en", presence["gate"]) if where else presence["gate"]
            return _refuse(
                conn,
                settings,
                "already_checked_in",
                f"already checked in at {at:%H:%M} at {where_name}",
                attendee=attendee,
                extra={
                    "checked_in_at": presence["at"],
                    "checked_in_local": f"{at:%H:%M}",
                    "checked_in_gate": presence["gate"],
                    "checked_in_gate_name": where.name if where else {},
                },
                **common,
            )
        if presence is not None and not gate_cfg.reentry:
            return _refuse(
                conn,
                settings,
                "no_reentry",
                "re-entry is not allowed at this gate",
                attendee=attendee,
                **common,
            )
        refused_by = rules.refusing_rule(gate_cfg, attendee["category"], now)
        if refused_by is not None:
            kind, rule = refused_by
            return _refuse(
                conn,
                settings,
                "not_allowed",
                "not allowed at this gate now"
                if kind == "hours"
                else "this category may not enter today",
                attendee=attendee,
                extra=rules.explain(kind, rule, settings),
                **common,
            )
    elif presence is None or presence["state"] != "in":
        return _refuse(
            conn,
            settings,
            "not_checked_in",
            "this badge is not checked in",
            attendee=attendee,
            **common,
        )
    at = to_iso(now)
    sql.record_passage(conn, attendee["id"], direction, gate, at)
    interaction_id = append(
        conn,
        "checked_in" if direction == "in" else "checked_out",
        attendee_id=attendee["id"],
        device_id=device.id,
        place=gate,
        direction=direction,
        at=at,
    )
    summary = attendee_summary(attendee, settings)
    event = events.CheckedIn(
        interaction_id=interaction_id,
        attendee=summary,
        gate=gate,
        direction=direction,
        at=at,
        device_id=device.id,
    )
    body = {
        "status": "ok",
        "direction": direction,
        "gate": gate,
        "at": at,
        "attendee": summary,
        "first_visit": presence is None,
    }
    return Answer(201, body), event, None
