"""`kiosk report`: one self-contained HTML page with charts, looked at in a real browser."""

from __future__ import annotations

import random
import re

import crm_show as show
import pytest

from conftest import SCREENSHOTS

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
        ):
            assert any(h.startswith(title) for h in headings), title
        page.screenshot(path=str(SCREENS / name), full_page=True)
        page.close()
    assert all(url.startswith("file://") for url in requests)
    assert "Siemens" in html and "North 1" in html


def test_report_on_an_empty_show_says_no_data(runner, tmp_path):
    result = runner.invoke("report", "--out", str(tmp_path))
    assert result.exit_code == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No check-ins yet." in html and "No data yet." in html
