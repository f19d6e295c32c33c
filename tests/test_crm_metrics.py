"""The CRM indicators on crafted histories: lifecycle, satisfaction, loyalty, contribution."""

from __future__ import annotations

import crm_show as show
import pytest

from kiosk.crm import metrics
from kiosk.crm.people import iter_people
from kiosk.storage import history as sql

DAY1 = "2026-11-24T01:30:00.000Z"  # 09:30 in Shanghai
DAY2 = "2026-11-25T02:00:00.000Z"


def metrics_of(svc, attendee_id: int) -> dict:
    conn = svc.store.conn
    ctx = metrics.ShowContext.build(svc.settings, sql.editions(conn))
    for person in iter_people(conn):
        if person.id == attendee_id:
            return metrics.compute(person, ctx)
    raise AssertionError(f"no person {attendee_id}")


@pytest.fixture
def floor(svc, make):
    """Two exhibitors and a helper to write rows in one transaction."""
    return {"a": make.exhibitor("Acme", "A1"), "b": make.exhibitor("Beta", "B2")}


def test_first_timer_who_came_is_exploring(svc, make):
    pid, _ = make.attendee()
    with svc.store.write() as conn:
        show.check_in(conn, pid, DAY1)
    m = metrics_of(svc, pid)
    assert m["lifecycle_stage"] == "exploration"
    assert m["returning"] is False
    assert m["loyalty"]["editions_attended"] == 1
    assert m["attended"] is True


def test_second_and_regular_editions_form_and_stabilise(svc, make, floor):
    second, _ = make.attendee()
    regular, _ = make.attendee()
    with svc.store.write() as conn:
        show.history(conn, second, "expo-2025", 2025)
        for year in (2022, 2023, 2025):
            show.history(conn, regular, f"expo-{year}", year)
        show.history(conn, regular, "expo-2024", 2024, attended=False)
        for pid in (second, regular):
            show.check_in(conn, pid, DAY1)
            show.lead(conn, floor["a"], pid, DAY1, "warm")
    m2, m3 = metrics_of(svc, second), metrics_of(svc, regular)
    assert m2["lifecycle_stage"] == "formation"
    assert m3["lifecycle_stage"] == "stability"
    assert m3["loyalty"]["editions_attended"] == 4
    assert m3["loyalty"]["earlier_editions"] == ["expo-2022", "expo-2023", "expo-2025"]
    assert m3["loyalty"]["missed_editions"] == ["expo-2024"]
    assert m3["loyalty"]["retained"] is True  # came to 2025, the latest earlier edition


def test_decline_when_lapsed_or_disengaged(svc, make, floor):
    lapsed, _ = make.attendee()
    passive, _ = make.attendee()
    unhappy, _ = make.attendee()
    with svc.store.write() as conn:
        for pid in (lapsed, passive, unhappy):
            show.history(conn, pid, "expo-2024", 2024)
            show.history(conn, pid, "expo-2025", 2025)
        show.check_in(conn, passive, DAY1)  # came, visited no booth, no session
        show.check_in(conn, unhappy, DAY1)
        show.lead(conn, floor["a"], unhappy, DAY1, "cold")
        show.survey(conn, unhappy, DAY1, 2, 3, return_intent=False)
    for pid in (lapsed, passive, unhappy):
        assert metrics_of(svc, pid)["lifecycle_stage"] == "decline"
    assert metrics_of(svc, lapsed)["loyalty"]["retained"] is False


def test_rows_about_this_edition_are_not_earlier_editions(svc, make):
    pid, _ = make.attendee()
    with svc.store.write() as conn:
        show.history(conn, pid, "expo-2026", 2026)
        show.history(conn, pid, "expo-2026-spring", None, attended=True)
        show.check_in(conn, pid, DAY1)
        show.session(conn, pid, "forum-2", DAY2)
    m = metrics_of(svc, pid)
    assert m["loyalty"]["earlier_editions"] == ["expo-2026-spring"]
    assert m["lifecycle_stage"] == "formation"


def test_satisfaction_and_nps_group_from_the_exit_survey(svc, make):
    pid, _ = make.attendee()
    silent, _ = make.attendee()
    with svc.store.write() as conn:
        show.survey(conn, pid, DAY1, 4, 6, return_intent=True)
        show.survey(conn, pid, DAY2, 5, 10, return_intent=None)
    s = metrics_of(svc, pid)["satisfaction"]
    assert s == {
        "satisfaction": 4.5,
        "recommend": 10,
        "nps_group": "promoter",
        "return_intent": True,
    }
    assert metrics_of(svc, silent)["satisfaction"]["satisfaction"] is None


def test_contribution_counts_booths_sessions_hot_leads_and_role(svc, make, floor):
    pid, _ = make.attendee(
        job_title="Purchasing Manager", category="buyer", company="X", phone="+8613912345678"
    )
    with svc.store.write() as conn:
        show.check_in(conn, pid, DAY1)
        show.check_in(conn, pid, DAY2, gate="south")
        show.lead(conn, floor["a"], pid, DAY1, "hot")
        show.lead(conn, floor["b"], pid, DAY2, "hot")
        show.session(conn, pid, "forum-1", DAY1)
        show.session(conn, pid, "forum-1", DAY1)
    m = metrics_of(svc, pid)
    c = m["contribution"]
    assert (c["days_attended"], c["booths_visited"], c["sessions_attended"]) == (2, 2, 1)
    assert c["hot_leads"] == 2 and c["purchasing_role"] == "purchaser"
    assert c["score"] == 2 + 2 * 1 + 3 * 2 + 5
    assert m["key_account"] is True
    assert m["key_account_reason"] == "buyer with 2 hot leads"
    assert m["segment"]["key"] == "buyer/-/purchaser"


@pytest.mark.parametrize(
    ("stated", "title", "category", "role"),
    [
        ("", "总经理", "visitor", "decision_maker"),
        ("", "Director of Sourcing", "trade", "decision_maker"),
        ("", "采购专员", "visitor", "purchaser"),
        ("", "Senior Engineer", "trade", "influencer"),
        ("final say", "Intern", "visitor", "user"),
        ("", "", "buyer", "purchaser"),
        ("", "", "visitor", "unknown"),
    ],
)
def test_purchasing_role_from_stated_role_or_job_title(stated, title, category, role):
    assert metrics.purchasing_role(stated, title, category) == role


def test_exhibitor_regular_is_a_key_account_visitor_without_leads_is_not(svc, make):
    ex, _ = make.attendee(category="exhibitor", company="Acme")
    plain, _ = make.attendee()
    with svc.store.write() as conn:
        for year in (2023, 2024):
            show.history(conn, ex, f"expo-{year}", year)
        show.check_in(conn, ex, DAY1)
        show.check_in(conn, plain, DAY1)
    assert metrics_of(svc, ex)["key_account_reason"] == "exhibitor at 3 editions"
    assert metrics_of(svc, plain)["key_account"] is False
    assert metrics_of(svc, plain)["loyalty"]["retained"] is False
