"""The gate's decision as data: one table that the server and the kiosk both evaluate.

The server decides a check-in with it (kiosk.checkin.service) and sends it, with the gate's
rules as data, in every kiosk's offline set; the kiosk's decide.js evaluates the same rows the
same way, so a kiosk without the server refuses exactly what the server would have refused.
tests/decision_cases.json holds cases that both sides must answer identically.

Facts: revoked (bool), direction ("in"/"out"), presence ("none"/"in"/"out": where the
person was before this scan), reentry (bool: the gate lets people back in), rule (None, or
"category"/"hours": the gate rule that keeps this category out now). The first row whose
every condition holds gives the reason; "ok" admits.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.config import Gate

TABLE: tuple[dict, ...] = (
    {"if": {"revoked": True}, "then": "revoked"},
    {"if": {"direction": "in", "presence": "in"}, "then": "already_checked_in"},
    {"if": {"direction": "in", "presence": "out", "reentry": False}, "then": "no_reentry"},
    {"if": {"direction": "in", "rule": ["category", "hours"]}, "then": "not_allowed"},
    {"if": {"direction": "out", "presence": "none"}, "then": "not_checked_in"},
    {"if": {"direction": "out", "presence": "out"}, "then": "already_checked_out"},
    {"if": {}, "then": "ok"},
)


def _holds(expected, value) -> bool:
    return value in expected if isinstance(expected, list) else value == expected


def decide(facts: dict, table=TABLE) -> str:
    """The reason the first matching row gives ("ok" admits)."""
    for row in table:
        if all(_holds(want, facts.get(name)) for name, want in row["if"].items()):
            return row["then"]
    return "ok"


def gate_data(gate: Gate) -> dict:
    """A gate's directions, re-entry and rules as plain data (what a kiosk is sent)."""
    return {
        "id": gate.id,
        "name": gate.name,
        "directions": list(gate.directions),
        "reentry": gate.reentry,
        "rules": [
            {
                "days": [d.isoformat() for d in rule.days],
                "categories": list(rule.categories),
                "opens": f"{rule.opens:%H:%M:%S}" if rule.opens else None,
                "closes": f"{rule.closes:%H:%M:%S}" if rule.closes else None,
            }
            for rule in gate.rules
        ],
    }


def refusing_rule(rules: list[dict], category: str, day: str, clock: str) -> tuple[str, int] | None:
    """(kind, index) of the first rule that keeps the category out on `day` at `clock`, or None.

    `day` is the local date (YYYY-MM-DD) and `clock` the local time (HH:MM:SS): text compares
    as time does, so the kiosk's JS compares the very same strings.
    """
    for index, rule in enumerate(rules):
        if rule["days"] and day not in rule["days"]:
            continue
        if rule["categories"] and category not in rule["categories"]:
            return "category", index
        if (rule["opens"] and clock < rule["opens"]) or (
            rule["closes"] and clock >= rule["closes"]
        ):
            return "hours", index
    return None


def facts_at(
    gate: dict, category: str, now: datetime, *, direction: str, presence: str, revoked: bool
) -> dict:
    """The facts the table decides on, for a person of `category` at local time `now`."""
    refused = refusing_rule(gate["rules"], category, now.date().isoformat(), f"{now:%H:%M:%S}")
    return {
        "revoked": revoked,
        "direction": direction,
        "presence": presence,
        "reentry": gate["reentry"],
        "rule": refused[0] if refused else None,
    }
