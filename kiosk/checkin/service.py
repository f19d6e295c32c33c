"""check_in(): the one entry point for entry and exit at a gate.

The gate is a policy on the shared scan step (kiosk.checkin.scans): a forged code is refused
before any database access, and everything else happens in one BEGIN IMMEDIATE transaction, so
two kiosks scanning the same badge at the same instant queue on the lock and the second one sees
the first check-in.
"""

from __future__ import annotations

from datetime import datetime

from kiosk import events
from kiosk.attendees import identity
from kiosk.checkin import rules
from kiosk.checkin.scans import Outcome, Place, attendee_summary, nonce_error, scan
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import MAX_ROW_ID, Store, from_iso, to_iso, utcnow
from kiosk.storage import checkins as sql
from kiosk.storage.interactions import append


def _validate(settings: Settings, gate, direction, nonce) -> None:
    errors = {}
    if not isinstance(direction, str) or direction not in ("in", "out"):
        errors["direction"] = "must be 'in' or 'out'"
    if not isinstance(gate, str) or gate not in settings.gates:
        errors["gate"] = f"unknown gate (known: {', '.join(settings.gates)})"
    elif "direction" not in errors and direction not in settings.gates[gate].directions:
        errors["direction"] = f"gate {gate} allows {', '.join(settings.gates[gate].directions)}"
    if (problem := nonce_error(nonce)) is not None:
        errors["nonce"] = problem
    if errors:
        raise FieldErrors(errors)


def check_in(
    store: Store,
    settings: Settings,
    keys: Keys,
    *,
    code=None,
    attendee_id=None,
    verify=None,
    gate,
    direction="in",
    nonce=None,
    device: Device,
    now: datetime | None = None,
    source: str = "",
) -> Outcome:
    """Check a badge in or out at a gate; a camera's scan (source="camera") is shown live too.

    By `attendee_id` ("find me", a walk-up recognised) a kiosk needs the person's proof in
    `verify` (kiosk.attendees.identity); a badge code is its own proof.
    """
    _validate(settings, gate, direction, nonce)
    if attendee_id is not None:
        # "Find me" on the kiosk: the person chose themselves; use their live badge.
        if (
            not isinstance(attendee_id, int)
            or isinstance(attendee_id, bool)
            or not 0 < attendee_id <= MAX_ROW_ID
        ):
            raise FieldErrors({"attendee_id": "must be a person's id (a positive integer)"})
        identity.prove(store, device, attendee_id, verify)
    elif not isinstance(code, str) or not code.strip():
        raise FieldErrors({"code": "required"})
    now = (now or settings.now()).astimezone(settings.timezone)

    def passage(conn, attendee, now):
        return _decide(conn, settings, attendee, gate, direction, device, now)

    outcome = scan(
        store,
        settings,
        keys,
        Place("gate", gate, direction),
        passage,
        device=device,
        code=code,
        attendee_id=attendee_id,
        nonce=nonce,
        now=now,
    )
    if source == "camera":
        events.publish(
            store,
            events.Scanned(gate=gate, outcome=outcome.as_dict(), device_id=device.id, at=utcnow()),
        )
    return outcome


def _decide(conn, settings: Settings, attendee, gate, direction, device: Device, now: datetime):
    summary = attendee_summary(attendee, settings)
    presence = sql.presence(conn, attendee["id"])
    gate_cfg = settings.gates[gate]
    if direction == "in":
        if presence is not None and presence["state"] == "in":
            at = from_iso(presence["at"]).astimezone(settings.timezone)
            where = settings.gates.get(presence["gate"])
            where_name = where.name.get("en", presence["gate"]) if where else presence["gate"]
            return Outcome.refused(
                "already_checked_in",
                f"already checked in at {at:%H:%M} at {where_name}",
                summary,
                checked_in_at=presence["at"],
                checked_in_local=f"{at:%H:%M}",
                checked_in_gate=presence["gate"],
                checked_in_gate_name=where.name if where else {},
            ), None
        if presence is not None and not gate_cfg.reentry:
            return Outcome.refused(
                "no_reentry", "re-entry is not allowed at this gate", summary
            ), None
        refused_by = rules.refusing_rule(gate_cfg, attendee["category"], now)
        if refused_by is not None:
            kind, rule = refused_by
            message = (
                "not allowed at this gate now"
                if kind == "hours"
                else "this category may not enter today"
            )
            return Outcome.refused(
                "not_allowed", message, summary, **rules.explain(kind, rule, settings)
            ), None
    elif presence is None or presence["state"] != "in":
        return Outcome.refused("not_checked_in", "this badge is not checked in", summary), None
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
    event = events.CheckedIn(
        interaction_id=interaction_id,
        attendee=summary,
        gate=gate,
        direction=direction,
        at=at,
        device_id=device.id,
    )
    details = {"direction": direction, "gate": gate, "at": at, "first_visit": presence is None}
    return Outcome(True, attendee=summary, details=details), event
