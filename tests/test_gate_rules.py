"""Gate rules from the configuration: who may enter on which day, opening hours, re-entry."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import EVENT_TOML, Factory, LiveServer, auth, load_settings, wedge_scan
from kiosk import create_app
from kiosk.checkin.service import check_in
from kiosk.devices import Device
from kiosk.services import open_services

RULES = """
[[gates.south.rules]]
categories = ["trade", "buyer"]

[[gates.north.rules]]
days = ["2026-11-24"]
opens = "08:30"
closes = "17:30"
"""


@pytest.fixture
def show(tmp_path):
    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        '[gates.south]\nname = { zh = "南1门", en = "South 1" }\ndirections = ["in", "out"]\n'
        "reentry = true",
        '[gates.south]\nname = { zh = "南1门", en = "South 1" }\ndirections = ["in", "out"]\n'
        "reentry = false",
    )
    assert "reentry = false" in text
    settings = load_settings(tmp_path, text + RULES)
    svc = open_services(settings)
    yield settings, svc, Factory(svc)
    svc.store.close()


def _at(settings, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=settings.timezone)


def _scanner(show, gate: str, code: str):
    """A kiosk at `gate` scanning one badge: scan(moment, direction) -> the check-in outcome."""
    settings, svc, make = show
    device: Device = svc.devices.authenticate(make.device("kiosk", gate=gate))

    def scan(moment: str, direction: str = "in"):
        return check_in(
            svc.store,
            settings,
            svc.keys,
            code=code,
            gate=gate,
            direction=direction,
            device=device,
            now=_at(settings, moment),
        )

    return scan


def test_a_category_rule_turns_others_away_and_says_who_may_enter(show):
    settings, svc, make = show
    app = create_app(settings, testing=True)
    client = app.test_client()
    kiosk = auth(make.device("kiosk", gate="south"))
    visitor_id, visitor = make.attendee(category="visitor")
    _, trader = make.attendee(category="trade", company="Trade Co")

    res = client.post("/api/v1/checkins", json={"code": visitor, "gate": "south"}, headers=kiosk)
    body = res.get_json()
    assert res.status_code == 200 and body["reason"] == "not_allowed"
    assert body["rule"] == "category"
    assert [(c["id"], c["name"]["en"]) for c in body["allowed"]] == [
        (c, settings.categories[c].name["en"]) for c in ("trade", "buyer")
    ]
    assert (
        svc.store.one(
            "SELECT * FROM presence WHERE attendee_id = :visitor_id", {"visitor_id": visitor_id}
        )
        is None
    )
    refused = svc.store.one(
        "SELECT data FROM interactions WHERE attendee_id = :visitor_id AND type = 'checkin_refused'",
        {"visitor_id": visitor_id},
    )
    assert "not_allowed" in refused["data"]

    ok = client.post("/api/v1/checkins", json={"code": trader, "gate": "south"}, headers=kiosk)
    assert ok.status_code == 201
    north = client.post(
        "/api/v1/checkins",
        json={"code": visitor, "gate": "north"},
        headers=auth(make.device("kiosk", gate="north")),
    )
    assert north.status_code == 201  # the rule is the south gate's only


def test_opening_hours_hold_on_their_day_only(show):
    _, code = show[2].attendee()
    enter = _scanner(show, "north", code)
    early = enter("2026-11-24T08:10")
    assert not early.ok and early.reason == "not_allowed"
    assert (early.details["rule"], early.details["opens"], early.details["closes"]) == (
        "hours",
        "08:30",
        "17:30",
    )
    assert enter("2026-11-23T07:00").ok  # another day: no rule
    assert enter("2026-11-23T18:00", "out").ok
    assert enter("2026-11-24T17:30").reason == "not_allowed"  # closed from 17:30
    assert enter("2026-11-24T08:30").ok


def test_no_reentry_at_a_gate_that_forbids_it(show):
    _, code = show[2].attendee(category="trade", company="Trade Co")
    scan = _scanner(show, "south", code)
    assert scan("2026-11-24T10:00").ok
    assert scan("2026-11-24T10:05", "out").ok
    again = scan("2026-11-24T10:10")
    assert not again.ok and again.reason == "no_reentry"
    assert again.attendee["company"] == "Trade Co"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("zh", "今天此入口仅对以下观众开放：专业观众、采购商。"),
        ("en", "Today this entrance is open to: Trade visitor, Buyer."),
    ],
)
def test_the_kiosk_tells_a_turned_away_visitor_who_may_enter(show, browser, lang, detail):
    settings, _svc, make = show
    server = LiveServer(settings)
    token = make.device("kiosk", gate="south")
    _, code = make.attendee(full_name="Anna Novak")
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        page.click(f".lang[data-lang={lang}]")
        wedge_scan(page, code)
        page.wait_for_selector("#screen-result[data-kind=bad]")
        assert page.text_content("#result-name") == "Anna Novak"
        assert page.text_content("#result-detail") == detail
    finally:
        context.close()
        server.stop()
