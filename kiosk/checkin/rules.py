"""Gate rules: which categories may enter on a given day and between which hours."""

from __future__ import annotations

from datetime import datetime

from kiosk.checkin import decisions
from kiosk.config import Gate, Settings


def refusing_rule(gate: Gate, category: str, now: datetime):
    """The (kind, rule) that keeps the category out of the gate now, or None.

    Evaluated on the gate's rules as data (kiosk.checkin.decisions), as a kiosk does offline.
    """
    rules = decisions.gate_data(gate)["rules"]
    found = decisions.refusing_rule(rules, category, now.date().isoformat(), f"{now:%H:%M:%S}")
    if found is None:
        return None
    kind, index = found
    return kind, gate.rules[index]


def explain(kind: str, rule, settings: Settings) -> dict:
    """What a kiosk tells a refused visitor: who may enter, or when the gate is open."""
    if kind == "category":
        return {
            "rule": kind,
            "allowed": [
                {"id": c, "name": settings.categories[c].name}
                for c in rule.categories
                if c in settings.categories
            ],
        }
    return {
        "rule": kind,
        "opens": f"{rule.opens:%H:%M}" if rule.opens else None,
        "closes": f"{rule.closes:%H:%M}" if rule.closes else None,
    }
