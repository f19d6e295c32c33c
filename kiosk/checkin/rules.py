"""Gate rules: which categories may enter on a given day and between which hours."""

from __future__ import annotations

from datetime import datetime

from kiosk.config import Gate, Settings


def refusing_rule(gate: Gate, category: str, now: datetime):
    """The (kind, rule) that keeps the category out of the gate now, or None."""
    for rule in gate.rules:
        if not rule.applies_on(now.date()):
            continue
        if rule.categories and category not in rule.categories:
            return "category", rule
        local = now.time()
        if (rule.opens and local < rule.opens) or (rule.closes and local >= rule.closes):
            return "hours", rule
    return None


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
