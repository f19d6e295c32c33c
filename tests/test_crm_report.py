"""`kiosk report`: one self-contained HTML page with charts, looked at in a real browser."""

from __future__ import annotations

import random
import re

import crm_show as show
import pytest

from conftest import BOTH_DATABASES, SCREENSHOTS
from kiosk.demo import BOOTH_QUESTIONS
from kiosk.exhibitors.manage import set_questions

pytestmark = BOTH_DATABASES

SCREENS = SCREENSHOTS / "report"
CATEGORIES = ["visitor", "trade", "buyer", "media", "vip", "exhibitor"]


@pytest.fixture
def busy_show(svc, make):
    """Three days of a small show: check-ins by hour and gate, booths, sessions, surveys."""
    rng = random.Random(7)
    booths = [
        make.exhibitor(name, booth)
        for name, booth in (
            ("三一重工", "A01"),
            ("Siemens", "A02"),
            ("海尔智家", "B10"),
            ("Bosch Rexroth", "B12"),
            ("美的集团", "C03"),
            ("ABB", "C07"),
        )
    ]
    people = []
    for i in range(90):
        category = CATEGORIES[i % len(CATEGORIES)]
        pid, _ = make.attendee(
            full_name=f"Visitor {i}",
            category=category,
            company=f"Co {i}",
            phone=f"+861391234{i:04d}",
        )
        people.append(pid)
    with svc.store.write() as conn:
        for i, pid in enumerate(people):
            if i % 3 == 0:
                show.history(conn, pid, "expo-2025", 2025)
            if i % 10 == 9:
                continue  # registered, never came
            day = 24 + i % 3
            hour = rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8])  # UTC: 09:00-16:00 local
            at = f"2026-11-{day}T{hour:02d}:{rng.randrange(60):02d}:00.000Z"
            show.check_in(conn, pid, at, gate="north" if i % 3 else "south")
            for booth in rng.sample(booths, rng.randrange(0, 4)):
                show.lead(conn, booth, pid, at, rng.choice(["hot", "warm", "warm", "cold", ""]))
            if i % 4 == 0:
                show.session(conn, pid, "forum-1" if day == 24 else "forum-2", at)
            if i % 2 == 0:
                show.survey(
                    conn,
                    pid,
                    at,
                    rng.choice([3, 4, 4, 5, 5]),
                    rng.randrange(4, 11),
                    return_intent=rng.random() < 0.8,
                )
    return people


@pytest.mark.browser
def test_report_page_with_charts_in_a_browser(busy_show, runner, tmp_path, browser):
    out = tmp_path / "report"
    result = runner.invoke("report", "--out", str(out))
    assert result.exit_code == 0, result.output
    page_path = out / "report.html"
    html = page_path.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"https?://", html)  # nothing fetched from a network
    SCREENS.mkdir(parents=True, exist_ok=True)
    requests = []
    for width, height, name in ((1920, 1080, "report-1920.png"), (390, 844, "report-phone.png")):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        assert page.locator("section svg").count() >= 10
        kpis = page.locator(".kpi").all_inner_texts()
        assert "90\nregistered 登记" in kpis[0]
        assert kpis[1].startswith("81\n")  # 9 of 90 never came
        headings = page.locator("h2").all_inner_texts()
        for title in (
            "Attendance by day and hour",
            "Entries per gate",
            "Busiest booths (leads)",
            "Lead ratings",
            "New versus returning visitors",
            "Satisfaction (exit survey, 1–5)",
            "Key accounts by company",
            "Funnel",
            "First-timers to nurture",
        ):
            assert any(h.startswith(title) for h in headings), title
        page.screenshot(path=str(SCREENS / name), full_page=True)
        if width == 1920:
            page.emulate_media(media="print")
            assert page.locator("nav.toc").is_hidden()  # links are no use on paper
            pdf = page.pdf(path=str(SCREENS / "report.pdf"), format="A4")
            assert pdf.startswith(b"%PDF")
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # pages, not one long one
        page.close()
    assert all(url.startswith("file://") for url in requests)
    assert "Siemens" in html and "North 1" in html


def test_report_on_an_empty_show_says_no_data(runner, tmp_path):
    result = runner.invoke("report", "--out", str(tmp_path))
    assert result.exit_code == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No check-ins yet." in html and "No data yet." in html


def section_text(html: str, heading: str) -> str:
    """The text of the report section under a heading, tags stripped."""
    match = re.search(rf"<section[^>]*><h2>{re.escape(heading)}<small>.*?</section>", html, re.S)
    assert match, heading
    text = re.sub(r"<[^>]+>", " ", match.group(0))
    return " ".join(text.replace("&nbsp;", " ").split())


@pytest.fixture
def action_show(svc, make):
    """A key-account company, hot leads, a detractor, a lapsed regular, a first-timer and
    an earlier edition with people who did not come back."""
    booth = make.exhibitor("Siemens", "A02")
    set_questions(svc.store, booth, BOOTH_QUESTIONS, actor="test", languages=("zh", "en"))
    other = make.exhibitor("海尔智家", "B10")
    alice, _ = make.attendee(
        full_name="Alice Key",
        category="buyer",
        company="Acme Co., Ltd.",
        country="CN",
        phone="+8613912340001",
        job_title="Head of Sourcing",
    )
    bob, _ = make.attendee(full_name="Bob Colleague", category="trade", company="ACME co ltd")
    carol, _ = make.attendee(full_name="Carol Unhappy", company="Grumble GmbH", country="DE")
    dave, _ = make.attendee(full_name="Dave Lapsed", company="Old Friends")
    erin, _ = make.attendee(full_name="Erin First", company="Newco", industry="Packaging")
    own, _ = make.attendee(full_name="Olga Organiser", category="staff", company="Expo Org")
    with svc.store.write() as conn:
        for pid in (alice, bob, carol, erin):
            show.check_in(conn, pid, "2026-11-24T02:00:00.000Z")
        show.lead(
            conn, booth, alice, "2026-11-24T03:00:00.000Z", "hot", answers={"volume": "large"}
        )
        show.lead(conn, other, alice, "2026-11-24T04:00:00.000Z", "hot")
        show.lead(conn, booth, erin, "2026-11-24T05:00:00.000Z", "warm")
        show.survey(
            conn, carol, "2026-11-24T06:00:00.000Z", 2, 3, False, comment="排队太久 queue too long"
        )
        show.survey(conn, None, "2026-11-24T06:30:00.000Z", 3, 5, None, comment="")
        for year in (2024, 2025):
            show.history(conn, dave, f"expo-{year}", year)
        show.history(conn, bob, "expo-2025", 2025)
        show.history(conn, own, "expo-2024", 2024)  # staff: never anybody's to win back
        for n in range(3):
            conn.execute(
                "INSERT INTO history (attendee_id, email_key, edition, year, attended, category)"
                " VALUES (NULL, :email_key, 'expo-2025', 2025, 1, 'trade')",
                {"email_key": f"gone{n}@old.example"},
            )
    return {"alice": alice, "dave": dave, "erin": erin}


def test_report_lists_who_to_act_on(action_show, runner, tmp_path):
    result = runner.invoke("report", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    key = section_text(html, "Key accounts by company")
    assert "Acme Co., Ltd." in key and "1 key people 大客户: Alice Key" in key
    assert "Old Friends" not in key
    hot = section_text(html, "Hot leads per exhibitor")
    assert (
        "A02 Siemens 1 hot 热" in hot
        and "Alice Key · Acme Co., Ltd." in hot
        and "大批量 Large" in hot
    )
    assert "B10 海尔智家 1 hot 热" in hot and "Erin" not in hot
    detractors = section_text(html, "Detractors and their comments")
    assert "Carol Unhappy" in detractors and "排队太久 queue too long" in detractors
    assert "anonymous 匿名" in detractors
    assert detractors.index("Carol") < detractors.index("anonymous")  # comments first
    win_back = section_text(html, "Returning people to win back")
    assert "Dave Lapsed" in win_back and "did not come 本届未到场" in win_back
    assert "Olga" not in win_back
    nurture = section_text(html, "First-timers to nurture")
    assert "Erin First" in nurture and "Dave" not in nurture


def test_report_funnel_comparison_and_breakdowns(action_show, runner, tmp_path):
    runner.invoke("report", "--out", str(tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    funnel = section_text(html, "Funnel")
    assert "Registered 登记 6 100%" in funnel
    assert "Came 到场 4 67% 67%" in funnel
    assert "Visited a booth 访问展位 2 33% 50%" in funnel
    assert "Hot lead 热线索 1 17% 50%" in funnel
    compared = section_text(html, "Compared with the previous edition")
    # expo-2025: Bob, Dave and three people not registered this year; now: four came
    assert "expo-2025 上届" in compared and "Attendees 到场人数 5 4 -20%" in compared
    assert "Came again 再次到场 (retention 留存率) 1 20%" in compared
    country = section_text(html, "By country or region")
    assert "DE 1 1 (100%)" in country
    industry = section_text(html, "By industry")
    assert "Packaging 1 1 (100%) 1 0 0" in industry
    segment = section_text(html, "By segment (category and purchasing role)")
    assert "Buyer 采购商 · decision maker 决策者 1 1 (100%) 2 2 1" in segment
    # Dave and Olga are declining rather than no-shows (they came before), but did not come
    assert "<b>2</b><span>did not come 未到场</span>" in html
