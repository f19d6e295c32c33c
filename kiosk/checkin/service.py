"""check_in(): the one entry point for entry and exit at a gate.

The gate is a policy on the shared scan step (kiosk.checkin.scans): a forged code is refused
before any database access, and everything else happens in one BEGIN IMMEDIATE transaction, so
two kiosks scanning the same badge at the same instant queue on the lock and the second one sees
the first check-in.
"""

from __future__ import annotations

from datetime import datetime

from kiosk import events
from kiosk.checkin import dayclose, decisions, identity, rules
from kiosk.checkin.scans import Outcome, Place, attendee_summary, nonce_error, scan
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import MAX_ROW_ID, Store, from_iso, to_iso, utcnow
from kiosk.storage import checkins as sql
from kiosk.storage.interactions import append

# At a both-ways kiosk, a second scan within this many seconds of the person's last passage is
# a repeat (a badge held to the scanner twice), never the opposite passage.
BOTH_WAYS_REPEAT_S = 60


def _validate(settings: Settings, gate, direction, nonce) -> None:
    errors = {}
    if not isinstance(direction, str) or direction not in ("in", "out", "both"):
        errors["direction"] = "must be 'in', 'out' or 'both'"
    if not isinstance(gate, str) or gate not in settings.gates:
        errors["gate"] = f"unknown gate (known: {', '.join(settings.gates)})"
    elif "direction" not in errors and not set(_ways(direction)) <= set(
        settings.gates[gate].directions
    ):
        errors["direction"] = f"gate {gate} allows {', '.join(settings.gates[gate].directions)}"
    if (problem := nonce_error(nonce)) is not None:
        errors["nonce"] = problem
    if errors:
        raise FieldErrors(errors)


def _ways(direction: str) -> tuple[str, ...]:
    return ("in", "out") if direction == "both" else (direction,)


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

    `direction` "both" (a both-ways kiosk) lets the person's presence decide: someone inside
    leaves, anyone else enters; a repeat within BOTH_WAYS_REPEAT_S of their last passage is
    answered as that passage again (already in, already left) rather than reversed.

    By `attendee_id` ("find me", a walk-up recognised) a kiosk needs the person's proof in
    `verify` (kiosk.checkin.identity); a badge code is its own proof.
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


def _when(settings: Settings, stored: str, now: datetime, prefix: str) -> dict:
    """A past moment as the kiosk names it: time, local day, and whether that day is today."""
    at = from_iso(stored).astimezone(settings.timezone)
    return {
        f"{prefix}_at": stored,
        f"{prefix}_local": f"{at:%H:%M}",
        f"{prefix}_day": at.date().isoformat(),
        f"{prefix}_today": at.date() == now.astimezone(settings.timezone).date(),
    }


def _said(settings: Settings, stored: str, now: datetime) -> str:
    at = from_iso(stored).astimezone(settings.timezone)
    if at.date() == now.astimezone(settings.timezone).date():
        return f"at {at:%H:%M}"
    return f"on {at:%a %d %b} at {at:%H:%M}"


def _both_ways(presence, now: datetime) -> str:
    """The passage a both-ways kiosk makes: out for someone inside, in for anyone else."""
    if presence is None:
        return "in"
    recent = (now - from_iso(presence["at"])).total_seconds() < BOTH_WAYS_REPEAT_S
    if presence["state"] == "in":
        return "in" if recent else "out"
    return "out" if recent else "in"


def _decide(conn, settings: Settings, attendee, gate, direction, device: Device, now: datetime):
    summary = attendee_summary(attendee, settings)
    presence = dayclose.close_one(conn, settings, attendee["id"], now)
    gate_cfg = settings.gates[gate]
    if direction == "both":
        direction = _both_ways(presence, now)
    # One table decides, here and on a kiosk without the server (kiosk.checkin.decisions).
    facts = decisions.facts_at(
        decisions.gate_data(gate_cfg),
        attendee["category"],
        now,
        direction=direction,
        presence=presence["state"] if presence is not None else "none",
        revoked=False,
    )
    reason = decisions.decide(facts)
    if reason == "already_checked_in":
        where = settings.gates.get(presence["gate"])
        where_name = where.name.get("en", presence["gate"]) if where else presence["gate"]
        return Outcome.refused(
            "already_checked_in",
            f"already checked in {_said(settings, presence['at'], now)} at {where_name}",
            summary,
            direction="in",
            checked_in_gate=presence["gate"],
            checked_in_gate_name=where.name if where else {},
            **_when(settings, presence["at"], now, "checked_in"),
        ), None
    if reason == "no_reentry":
        return Outcome.refused("no_reentry", "re-entry is not allowed at this gate", summary), None
    if reason == "not_allowed":
        kind, rule = rules.refusing_rule(gate_cfg, attendee["category"], now)
        message = (
            "not allowed at this gate now"
            if kind == "hours"
            else "this category may not enter today"
        )
        return Outcome.refused(
            "not_allowed", message, summary, **rules.explain(kind, rule, settings)
        ), None
    if reason == "not_checked_in":
        return Outcome.refused(
            "not_checked_in", "this badge is not checked in", summary, direction="out"
        ), None
    if reason == "already_checked_out":
        where = settings.gates.get(presence["gate"])
        return Outcome.refused(
            "already_checked_out",
            f"already left {_said(settings, presence['at'], now)}",
            summary,
            direction="out",
            checked_out_gate=presence["gate"],
            checked_out_gate_name=where.name if where else {},
            day_closed=sql.day_closed_since(conn, attendee["id"], presence["at"]),
            **_when(settings, presence["at"], now, "checked_out"),
        ), None
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
    details = {
        "direction": direction,
        "gate": gate,
        "at": at,
        "at_local": f"{now.astimezone(settings.timezone):%H:%M}",
        "first_visit": presence is None,
    }
    return Outcome(True, attendee=summary, details=details), event
