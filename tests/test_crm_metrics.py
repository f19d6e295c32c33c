"""The CRM indicators on crafted histories: lifecycle, satisfaction, loyalty, contribution."""

from __future__ import annotations

import re
from pathlib import Path

import crm_show as show
import pytest

from conftest import BOTH_DATABASES, load_settings
from kiosk import create_app
from kiosk.config import ConfigError
from kiosk.crm import metrics
from kiosk.crm.people import iter_people
from kiosk.storage import history as sql

DAY1 = "2026-11-24T01:30:00.000Z"  # 09:30 in Shanghai
DAY2 = "2026-11-25T02:00:00.000Z"
DAY3 = "2026-11-26T03:00:00.000Z"
DOC = Path(__file__).resolve().parent.parent / "docs" / "crm-metrics.md"


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


def test_registered_and_never_came_is_a_no_show_not_exploring(svc, make):
    pid, _ = make.attendee()
    m = metrics_of(svc, pid)
    assert m["lifecycle_stage"] == "no_show"
    assert m["attended"] is False


def test_returning_exhibitor_and_key_account_are_not_declining(svc, make, floor):
    """Booth staff's participation is engagement; a key buyer with hot leads is engaged."""
    ex, _ = make.attendee(category="exhibitor", company="Acme")
    key, _ = make.attendee(category="buyer", company="Big Buyer", phone="+8613912345600")
    with svc.store.write() as conn:
        for pid in (ex, key):
            show.history(conn, pid, "expo-2025", 2025)
            show.check_in(conn, pid, DAY1)
        show.lead(conn, floor["a"], key, DAY1, "hot")
        show.lead(conn, floor["b"], key, DAY1, "hot")
    assert metrics_of(svc, ex)["lifecycle_stage"] == "formation"
    assert metrics_of(svc, ex)["engagement"] == {"score": 1, "engaged": True}
    m = metrics_of(svc, key)
    assert (m["lifecycle_stage"], m["key_account"]) == ("formation", True)


@BOTH_DATABASES
def test_days_and_the_survey_count_as_engagement(svc, make):
    pid, _ = make.attendee()
    with svc.store.write() as conn:
        show.history(conn, pid, "expo-2025", 2025)
        show.check_in(conn, pid, DAY1)
        show.check_in(conn, pid, DAY2)
    assert metrics_of(svc, pid)["lifecycle_stage"] == "formation"


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


@BOTH_DATABASES
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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("50万", 500_000),
        ("USD 1-2M", 2_000_000),
        ("500,000", 500_000),
        ("1亿", 100_000_000),
        ("100-500万", 5_000_000),
        ("1.5 million", 1_500_000),
        ("about 300k", 300_000),
        ("n/a", None),
        ("", None),
    ],
)
def test_budget_text_becomes_an_amount(text, value):
    assert metrics.budget_value(text) == value


def test_thresholds_come_from_the_configuration(tmp_path):
    base = (Path(__file__).resolve().parent.parent / "config" / "event.toml").read_text("utf-8")
    text = base.replace("engaged_score = 2", "engaged_score = 1").replace(
        "key_budget = 1000000", "key_budget = 50000"
    )
    limits = metrics.Thresholds.from_settings(load_settings(tmp_path, text))
    assert (limits.engaged_score, limits.key_budget) == (1, 50000)
    assert limits.buying_answers == ("large", "now")
    bad = base.replace("engaged_score = 2", 'engaged_score = "two"')
    (tmp_path / "b").mkdir()
    with pytest.raises(ConfigError, match="crm.metrics.engaged_score"):
        create_app(load_settings(tmp_path / "b", bad), testing=True)  # stops the start


def test_one_entry_is_enough_when_the_show_says_so(svc, make):
    pid, _ = make.attendee()
    with svc.store.write() as conn:
        show.history(conn, pid, "expo-2025", 2025)
        show.check_in(conn, pid, DAY1)
    ctx = metrics.ShowContext.build(svc.settings, sql.editions(svc.store.conn))
    lenient = metrics.Thresholds(engaged_score=1)
    person = next(p for p in iter_people(svc.store.conn) if p.id == pid)
    assert metrics.compute(person, ctx)["lifecycle_stage"] == "decline"
    ctx = metrics.ShowContext(
        ctx.edition, ctx.event_id, ctx.timezone, ctx.previous_edition, lenient
    )
    assert metrics.compute(person, ctx)["lifecycle_stage"] == "formation"


@BOTH_DATABASES
def test_key_accounts_roll_up_by_company(svc, make, floor):
    a, _ = make.attendee(category="trade", company="Acme Co., Ltd.", job_title="Engineer")
    b, _ = make.attendee(category="trade", company="ACME co ltd", full_name="Other")
    c, _ = make.attendee(category="visitor", company="Small Shop")
    with svc.store.write() as conn:
        for pid in (a, b, c):
            show.check_in(conn, pid, DAY1)
        for pid in (a, b):
            show.lead(conn, floor["a"], pid, DAY1, "hot")
            show.lead(conn, floor["b"], pid, DAY1, "hot")
            for n in range(3):
                show.session(conn, pid, f"talk-{n}", DAY1)
    ctx = metrics.ShowContext.build(svc.settings, sql.editions(svc.store.conn))
    companies: dict = {}
    for person in iter_people(svc.store.conn):
        metrics.roll_up(companies, person.row, metrics.compute(person, ctx))
    acme = companies["acme"]
    assert (acme.people, acme.attended, acme.hot_leads) == (2, 2, 4)
    # each: 2 booths + 6 for sessions + 6 for hot leads (+2 engineer for the first)
    assert acme.contribution == 16 + 14
    assert acme.key_reason(ctx.thresholds) == "contribution 贡献 30 ≥ 30"
    assert companies["small shop"].key_reason(ctx.thresholds) == ""


# The worked examples of docs/crm-metrics.md -------------------------------------------------


def doc_examples() -> dict[str, dict]:
    """The worked-examples table of docs/crm-metrics.md, by person."""
    text = DOC.read_text(encoding="utf-8")
    body = text[text.index("## Worked examples") :]
    rows = [line for line in body.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    return {
        cells[0]: dict(zip(header, cells, strict=True))
        for cells in ([c.strip() for c in r.strip("|").split("|")] for r in rows[1:])
    }


def build_examples(svc, make, floor) -> dict[str, int]:
    """The hand-built people of the worked examples, as the doc describes them."""
    people = {
        "first-timer": make.attendee(job_title="Engineer")[0],
        "regular": make.attendee(
            category="trade", company="Reg Co", job_title="Purchasing Manager", budget="200万"
        )[0],
        "walked-in": make.attendee()[0],
        "lapsed": make.attendee()[0],
        "no-show": make.attendee()[0],
        "exhibitor": make.attendee(category="exhibitor", company="Acme", job_title="Sales Manager")[
            0
        ],
        "unhappy buyer": make.attendee(
            category="buyer", company="Buy Co", job_title="采购经理", phone="+8613912345601"
        )[0],
    }
    p = people
    with svc.store.write() as conn:
        for name in ("regular", "lapsed", "exhibitor"):
            show.history(conn, p[name], "expo-2024", 2024)
        for name in ("regular", "walked-in", "lapsed", "exhibitor", "unhappy buyer"):
            show.history(conn, p[name], "expo-2025", 2025)
        show.check_in(conn, p["first-timer"], DAY1)
        show.lead(conn, floor["a"], p["first-timer"], DAY1, "warm", answers={"volume": "large"})
        show.session(conn, p["first-timer"], "forum-1", DAY1)
        show.survey(conn, p["first-timer"], DAY1, 4, 8, return_intent=True)
        show.check_in(conn, p["regular"], DAY1)
        show.check_in(conn, p["regular"], DAY2)
        show.lead(conn, floor["a"], p["regular"], DAY1, "hot", answers={"timeline": "now"})
        show.survey(conn, p["regular"], DAY2, 5, 10, return_intent=True)
        show.check_in(conn, p["walked-in"], DAY1)
        for day in (DAY1, DAY2, DAY3):
            show.check_in(conn, p["exhibitor"], day)
        show.check_in(conn, p["unhappy buyer"], DAY1)
        show.lead(conn, floor["a"], p["unhappy buyer"], DAY1, "cold")
        show.lead(conn, floor["b"], p["unhappy buyer"], DAY1, "cold")
        show.survey(conn, p["unhappy buyer"], DAY1, 1, 2, return_intent=False, comment="排队太久")
    return people


@BOTH_DATABASES
def test_the_worked_examples_in_the_doc_are_what_the_code_computes(svc, make, floor):
    expected = doc_examples()
    people = build_examples(svc, make, floor)
    assert sorted(expected) == sorted(people)
    for name, pid in people.items():
        m = metrics_of(svc, pid)
        got = {
            "stage": m["lifecycle_stage"],
            "engagement": str(m["engagement"]["score"]),
            "editions": str(m["loyalty"]["editions_attended"]),
            "loyalty": str(m["loyalty"]["score"]),
            "contribution": str(m["contribution"]["score"]),
            "key account": m["key_account_reason"] or "–",
        }
        row = expected[name]
        assert got == {k: row[k] for k in got}, name


def test_every_stage_is_documented():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Lifecycle stage") : text.index("## Satisfaction")]
    documented = re.findall(r"^\| `([a-z_]+)` ", section, re.M)
    assert sorted(documented) == sorted(metrics.STAGES)


def leaves(value: dict, path: tuple = ()) -> set[tuple]:
    """The paths of a nested dict's values that are not dicts themselves."""
    found = set()
    for key, item in value.items():
        if isinstance(item, dict):
            found |= leaves(item, (*path, key))
        else:
            found.add((*path, key))
    return found


@BOTH_DATABASES
def test_every_metric_has_its_column_in_every_file_and_the_docs_say_which(
    svc, make, floor, runner, tmp_path
):
    import csv

    import openpyxl

    from kiosk.crm.export import CRM_METRICS, METRIC_REPEATS, PEOPLE_COLUMNS, PERSON_METRICS

    pid, _ = make.attendee(full_name="asdfgh qwerty", email="x@mailinator.com", budget="50万")
    with svc.store.write() as conn:
        show.consent(conn, pid, "terms", True, at=DAY1)
        show.check_in(conn, pid, DAY1)
        show.lead(conn, floor["a"], pid, DAY1, "hot")
    m = metrics_of(svc, pid)
    columns = dict(PERSON_METRICS)
    assert leaves(m) - METRIC_REPEATS == set(columns.values())
    assert {name for name, _ in PERSON_METRICS} <= set(PEOPLE_COLUMNS)
    # the table of crm-metrics.md: metric, people.csv column, HubSpot, Salesforce
    table = DOC.read_text(encoding="utf-8").split("## Where each metric goes", 1)[1]
    rows = re.findall(r"^\| `([a-z_.]+)` \| `([a-z_]+)` \| (\S+) \| (\S+) \|$", table, re.M)
    crm = {path: (hs, sf) for path, hs, sf in CRM_METRICS}
    assert [(path, col) for path, col, _, _ in rows] == [
        (".".join(path), name) for name, path in PERSON_METRICS
    ]
    for path, _, hs, sf in rows:
        want = crm.get(tuple(path.split(".")), (None, None))
        assert (hs.strip("`"), sf.strip("`")) == tuple(v or "–" for v in want), path
    # people.csv and the workbook carry every column, the flags and the metrics' values
    for fmt in ("csv", "xlsx"):
        result = runner.invoke("export", "--format", fmt, "--out", str(tmp_path / fmt))
        assert result.exit_code == 0, result.output
    with (tmp_path / "csv" / "people.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert list(row) == PEOPLE_COLUMNS
    assert "disposable_email" in row["flags"] and "keyboard_mash_name" in row["flags"]
    assert (row["engagement_score"], row["engaged"]) == (str(m["engagement"]["score"]), "true")
    assert row["hot_leads"] == "1" and float(row["budget_value"]) == 500000
    sheet = openpyxl.load_workbook(tmp_path / "xlsx" / "kiosk-export.xlsx")["people"]
    header, values = [[c.value for c in r] for r in sheet.iter_rows(max_row=2)]
    assert (
        header == PEOPLE_COLUMNS
        and dict(zip(header, values, strict=True))["budget_value"] == 500000
    )
