"""Gate rules: which categories may enter on a given day and between which hours."""

from __future__ import annotations

from datetime import datetime

from kiosk.config import Gate


def refusal(gate: Gate, category: str, now: datetime) -> str | None:
    """None when the category may enter the gate now; else which rule refuses ('category', 'hours')."""
    rules = [rule for rule in gate.rules if rule.applies_on(now.date())]
    for rule in rules:
        if rule.categories and category not in rule.categories:
            return "category"
        local = now.time()
        if (rule.opens and local < rule.opens) or (rule.closes and local >= rule.closes):
            return "hours"
    return None
