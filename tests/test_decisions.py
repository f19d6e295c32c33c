"""One decision table: the server's Python and the kiosk's decide.js give identical answers."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.checkin import decisions

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((Path(__file__).with_name("decision_cases.json")).read_text(encoding="utf-8"))
DECIDE_JS = ROOT / "kiosk" / "web" / "static" / "kiosk" / "decide.js"


def _python(case: dict) -> dict:
    gate = CASES["gates"][case["gate"]]
    found = decisions.refusing_rule(gate["rules"], case["category"], case["day"], case["clock"])
    facts = {
        "revoked": case["revoked"],
        "direction": case["direction"],
        "presence": case["presence"],
        "reentry": gate["reentry"],
        "rule": found[0] if found else None,
    }
    return {"expect": decisions.decide(facts), "rule": list(found) if found else None}


def test_every_case_is_answered_as_written():
    wrong = [c for c in CASES["cases"] if _python(c) != {"expect": c["expect"], "rule": c["rule"]}]
    assert wrong == []


@pytest.mark.parametrize(
    ("gate", "category", "day", "clock", "direction", "presence", "expect"),
    [
        ("open", "visitor", "2026-11-24", "08:29:59", "in", "none", "ok"),
        ("open", "visitor", "2026-11-24", "08:29:59", "in", "in", "already_checked_in"),
        ("open", "visitor", "2026-11-24", "08:29:59", "in", "out", "ok"),
        ("no_reentry", "visitor", "2026-11-24", "08:29:59", "in", "out", "no_reentry"),
        ("open", "visitor", "2026-11-24", "08:29:59", "out", "none", "not_checked_in"),
        ("open", "visitor", "2026-11-24", "08:29:59", "out", "in", "ok"),
        ("trade_morning", "visitor", "2026-11-24", "09:00:00", "in", "none", "not_allowed"),
        ("trade_morning", "trade", "2026-11-24", "08:29:59", "in", "none", "not_allowed"),
        ("trade_morning", "trade", "2026-11-24", "08:30:00", "in", "none", "ok"),
        ("trade_morning", "trade", "2026-11-24", "17:30:00", "in", "none", "not_allowed"),
        ("trade_morning", "visitor", "2026-11-25", "09:00:00", "in", "none", "ok"),
        ("trade_morning", "visitor", "2026-11-25", "18:00:00", "in", "none", "not_allowed"),
        # Leaving is never kept back by the hours: the rules govern entry.
        ("trade_morning", "visitor", "2026-11-25", "18:00:00", "out", "in", "ok"),
    ],
)
def test_the_rules_read_as_an_organiser_means_them(
    gate, category, day, clock, direction, presence, expect
):
    case = {
        "gate": gate,
        "category": category,
        "day": day,
        "clock": clock,
        "direction": direction,
        "presence": presence,
        "revoked": False,
    }
    assert _python(case)["expect"] == expect
    assert _python({**case, "revoked": True})["expect"] == "revoked"


def test_the_servers_rules_are_the_tables_rules(settings):
    """rules.refusing_rule (what check_in uses) answers from the gate's data."""
    from dataclasses import replace
    from datetime import time

    from kiosk.checkin import rules
    from kiosk.config import GateRule

    rule = GateRule(categories=("trade",), opens=time(8, 30), closes=time(17, 30))
    gate = replace(settings.gates["south"], rules=(rule,))
    tz = settings.timezone
    assert rules.refusing_rule(gate, "visitor", datetime(2026, 11, 24, 9, tzinfo=tz)) == (
        "category",
        rule,
    )
    assert rules.refusing_rule(gate, "trade", datetime(2026, 11, 24, 8, 29, 59, tzinfo=tz)) == (
        "hours",
        rule,
    )
    assert rules.refusing_rule(gate, "trade", datetime(2026, 11, 24, 8, 30, tzinfo=tz)) is None


@pytest.mark.browser
def test_the_kiosk_answers_every_case_as_the_server_does(browser):
    page = browser.new_page()
    try:
        page.add_script_tag(path=str(DECIDE_JS))
        table = [dict(row) for row in decisions.TABLE]
        answers = page.evaluate(
            """([cases, gates, table]) => cases.map((c) => {
                const gate = gates[c.gate];
                const found = KioskDecide.refusingRule(gate.rules, c.category, c.day, c.clock);
                const facts = KioskDecide.factsAt(gate, c.category, c.day, c.clock,
                                                  c.direction, c.presence, c.revoked);
                return { expect: KioskDecide.decide(facts, table), rule: found };
            })""",
            [CASES["cases"], CASES["gates"], table],
        )
        assert answers == [_python(c) for c in CASES["cases"]]
        # The show's local day and clock, as the server's time zone has them.
        moments = ["2026-11-24T00:30:00Z", "2026-11-23T16:00:00Z", "2026-03-29T01:00:00Z"]
        for zone in ("Asia/Shanghai", "Europe/Berlin"):
            seen = page.evaluate(
                "([ms, tz]) => ms.map((m) => KioskDecide.localParts(new Date(m), tz))",
                [moments, zone],
            )
            local = [
                datetime.fromisoformat(m.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
                for m in moments
            ]
            assert seen == [{"day": d.date().isoformat(), "clock": f"{d:%H:%M:%S}"} for d in local]
    finally:
        page.close()
