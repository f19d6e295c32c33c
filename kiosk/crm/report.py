"""`kiosk report`: the post-show report, one self-contained HTML page with inline SVG charts."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from pathlib import Path

from kiosk.config import Settings
from kiosk.crm import charts, metrics
from kiosk.crm.people import iter_people
from kiosk.storage import Store, history, reports, utcnow

STAGE_LABELS = {
    "no_show": "No-show 未到场",
    "exploration": "Exploration 考察期",
    "formation": "Formation 形成期",
    "stability": "Stability 稳定期",
    "decline": "Decline 退化期",
}
BOOTHS = 12
CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans",system-ui,sans-serif;margin:0;background:#F5F7F8;
color:#263238}
header{background:#1565C0;color:#fff;padding:28px 40px}
header h1{margin:0;font-size:30px}header p{margin:6px 0 0;opacity:.85}
main{padding:24px clamp(10px,3vw,40px);display:grid;grid-template-columns:repeat(auto-fit,minmax(min(520px,100%),1fr));gap:22px}
section{background:#fff;border-radius:10px;padding:18px 22px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
section.wide{grid-column:1/-1}
h2{font-size:18px;margin:0 0 12px}h2 small{color:#78909C;font-weight:400;margin-left:6px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:14px}
.kpi{background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.kpi b{display:block;font-size:30px}.kpi span{color:#78909C;font-size:13px}
.empty{color:#78909C}footer{color:#78909C;font-size:12px;padding:0 40px 30px}
"""


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def collect(
    store: Store, settings: Settings, progress: Callable[..., Iterable] = lambda x, **k: x
) -> dict:
    """Every figure the report shows, from one read snapshot."""
    with store.snapshot() as conn:
        tz = settings.timezone
        grid: dict[tuple[str, str], int] = {}
        for row in reports.entries_by_hour(conn):
            local = datetime.fromisoformat(row["hour"] + ":00:00+00:00").astimezone(tz)
            key = (local.strftime("%a %m-%d"), local.strftime("%H"))
            grid[key] = grid.get(key, 0) + row["n"]
        days = sorted({d for d, _ in grid}, key=lambda d: d[4:])
        hours = [f"{h:02d}" for h in range(24)]
        used = [h for h in hours if any(grid.get((d, h)) for d in days)]
        if used:
            hours = hours[hours.index(used[0]) : hours.index(used[-1]) + 1]
        stages: Counter = Counter()
        returning = Counter()
        key_accounts = 0
        ctx = metrics.ShowContext.build(settings, history.editions(conn))
        total = reports.count_people(conn)
        for person in progress(iter_people(conn), total=total, desc="report", unit="person"):
            m = metrics.compute(person, ctx)
            stages[m["lifecycle_stage"]] += 1
            if m["attended"]:
                returning["Returning 回头客" if m["returning"] else "New 新观众"] += 1
            key_accounts += m["key_account"]
        return {
            "days": days,
            "hours": hours,
            "grid": grid,
            "gates": reports.passages_by_gate(conn),
            "categories": reports.category_attendance(conn),
            "booths": reports.busiest(reports.leads_per_exhibitor(conn), BOOTHS),
            "ratings": reports.rating_counts(conn),
            "surveys": reports.survey_counts(conn),
            "sessions": reports.session_counts(conn),
            "stages": stages,
            "returning": returning,
            "key_accounts": key_accounts,
        }


def nps(recommend: dict) -> float | None:
    """Net promoter score: % of 9-10 answers minus % of 0-6 answers."""
    answers = sum(recommend.values())
    if not answers:
        return None
    promoters = sum(n for v, n in recommend.items() if v >= 9)
    detractors = sum(n for v, n in recommend.items() if v <= 6)
    return round(100 * (promoters - detractors) / answers)


def render(settings: Settings, data: dict) -> str:
    """The report page as HTML text."""
    name = settings.event_name
    title = name.get("en") or next(iter(name.values()), settings.event_id)
    subtitle = name.get("zh", "")
    categories = data["categories"]
    registered = sum(r["registered"] for r in categories)
    attended = sum(r["attended"] or 0 for r in categories)
    satisfaction = data["surveys"]["satisfaction"]
    answers = sum(satisfaction.values())
    mean = sum(k * v for k, v in satisfaction.items()) / answers if answers else None
    score = nps(data["surveys"]["recommend"])
    leads = sum(data["ratings"].values())
    kpis = [
        (f"{registered:,}", "registered 登记"),
        (f"{attended:,}", f"came 到场 ({_pct(attended, registered)})"),
        (f"{data['returning'].get('Returning 回头客', 0):,}", "returning 回头客"),
        (f"{leads:,}", "leads 线索"),
        (f"{mean:.1f} / 5" if mean is not None else "–", "satisfaction 满意度"),
        (f"{score:+d}" if score is not None else "–", "NPS 净推荐值"),
        (f"{data['key_accounts']:,}", "key accounts 大客户"),
    ]
    cat_names = {cid: c.name.get("en", cid) for cid, c in settings.categories.items()}
    gate_names = {gid: g.name.get("en", gid) for gid, g in settings.gates.items()}
    session_names = {sid: s.name.get("en", sid) for sid, s in settings.sessions.items()}
    by_hour = [(h, sum(data["grid"].get((d, h), 0) for d in data["days"])) for h in data["hours"]]
    rating_items = [
        (label, data["ratings"].get(key, 0))
        for key, label in (("hot", "Hot"), ("warm", "Warm"), ("cold", "Cold"), ("", "Not rated"))
    ]
    intent = data["surveys"]["return_intent"]
    sections = [
        (
            "wide",
            "Attendance by day and hour",
            "分日分时段入场",
            charts.heatmap(data["days"], data["hours"], data["grid"]),
        ),
        ("wide", "Check-ins per hour, all days", "每小时入场", charts.columns(by_hour)),
        (
            "",
            "Entries per gate",
            "各入口",
            charts.hbars(
                [(gate_names.get(r["gate"], r["gate"]), r["entries"]) for r in data["gates"]]
            ),
        ),
        (
            "",
            "New versus returning visitors",
            "新老观众",
            charts.donut(sorted(data["returning"].items(), reverse=True)),
        ),
        (
            "",
            "Visitors who came, per category",
            "观众类型",
            charts.hbars(
                [
                    (cat_names.get(r["category"], r["category"]), r["attended"] or 0)
                    for r in categories
                ],
                color=charts.PALETTE,
            ),
        ),
        (
            "",
            "Relationship lifecycle",
            "客户关系生命周期",
            charts.donut([(STAGE_LABELS[s], data["stages"].get(s, 0)) for s in metrics.STAGES]),
        ),
        (
            "",
            "Busiest booths (leads)",
            "最热展位",
            charts.hbars(
                [(f"{r['booth']} {r['name']}", r["leads"]) for r in data["booths"] if r["leads"]],
                color=charts.PALETTE[2],
            ),
        ),
        ("", "Lead ratings", "线索评级", charts.donut(rating_items)),
        (
            "",
            "Satisfaction (exit survey, 1–5)",
            "满意度",
            charts.hbars(
                [(f"{'★' * k}", satisfaction.get(k, 0)) for k in range(5, 0, -1)]
                if answers
                else [],
                color=charts.PALETTE[6],
            ),
        ),
        (
            "",
            "Would recommend (0–10)",
            "推荐意愿",
            charts.columns(
                [(str(k), data["surveys"]["recommend"].get(k, 0)) for k in range(11)]
                if answers
                else [],
                color=charts.PALETTE[1],
                width=520,
            ),
        ),
        (
            "",
            "Intend to return",
            "再来意向",
            charts.donut([("Yes 会", intent.get(1, 0)), ("No 不会", intent.get(0, 0))]),
        ),
        (
            "",
            "Sessions",
            "论坛",
            charts.hbars(
                [
                    (session_names.get(r["session"], r["session"]), r["people"])
                    for r in data["sessions"]
                ],
                color=charts.PALETTE[4],
            ),
        ),
    ]
    body = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} — post-show report</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)} · post-show report 展后报告 ·"
        f" {escape(', '.join(d.isoformat() for d in settings.days))}</p></header>",
        '<main><section class="wide"><div class="kpis">',
        *(f'<div class="kpi"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in kpis),
        "</div></section>",
    ]
    for cls, heading, zh, chart in sections:
        body.append(
            f'<section class="{cls}"><h2>{escape(heading)}<small>{escape(zh)}</small></h2>'
            f"{chart}</section>"
        )
    body.append(
        f"</main><footer>Generated {escape(utcnow())} from {escape(settings.event_id)}."
        " Times in " + escape(str(settings.timezone)) + ".</footer></body></html>"
    )
    return "\n".join(body)


def write_report(
    store: Store,
    settings: Settings,
    out_dir: Path,
    progress: Callable[..., Iterable] = lambda x, **k: x,
) -> Path:
    """Write report.html under out_dir and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    temp = out_dir / ".report.html.partial"
    temp.write_text(render(settings, collect(store, settings, progress)), encoding="utf-8")
    os.replace(temp, path)
    return path
