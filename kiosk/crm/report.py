"""`kiosk report`: the post-show report as an action plan, one self-contained HTML page.

First who to act on (key accounts by company, hot leads per exhibitor, detractors and their
comments, returning people to win back, first-timers to nurture), then the funnel, the comparison
with the previous edition and breakdowns by country, industry and segment, then the charts.
Every text is in Chinese and English; the page prints to PDF (A4) as it reads on a laptop.
"""

from __future__ import annotations

import heapq
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from kiosk.config import Settings
from kiosk.crm import charts, metrics
from kiosk.crm.people import iter_people
from kiosk.leads import ratings
from kiosk.storage import Store, history, reports, utcnow

STAGE_LABELS = {
    "no_show": "No-show 未到场",
    "exploration": "Exploration 考察期",
    "formation": "Formation 形成期",
    "stability": "Stability 稳定期",
    "decline": "Decline 退化期",
}
BOOTHS = 12
LIST_LIMIT = 20  # people per action list; the export holds everyone
LEADS_PER_BOOTH = 8
BREAKDOWN_ROWS = 12
NOT_GIVEN = "(not given 未填)"
ORGANISER = "staff"  # the organiser's own people are nobody's account to win or nurture
CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Noto Sans",system-ui,sans-serif;margin:0;background:#F5F7F8;
color:#263238;font-size:14px;line-height:1.45}
header{background:#1565C0;color:#fff;padding:24px 40px}
header h1{margin:0;font-size:28px}header p{margin:6px 0 0;opacity:.85}
nav.toc{padding:10px 40px;background:#E3F2FD;font-size:13px}
nav.toc a{color:#0D47A1;margin-right:16px;text-decoration:none;white-space:nowrap}
main{padding:22px clamp(10px,3vw,40px);display:grid;
grid-template-columns:repeat(auto-fit,minmax(min(620px,100%),1fr));gap:20px}
section{background:#fff;border-radius:10px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.08);
min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:18px;margin:0 0 4px}h2 small{color:#607D8B;font-weight:400;margin-left:6px}
h2.part{grid-column:1/-1;margin:14px 0 -6px;font-size:21px;color:#0D47A1}
p.why{margin:0 0 10px;color:#607D8B;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}
.kpi{background:#F5F7F8;border-radius:8px;padding:12px 14px}
.kpi b{display:block;font-size:26px}.kpi span{color:#607D8B;font-size:13px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #ECEFF1;vertical-align:top}
th{color:#546E7A;font-weight:600;background:#FAFBFC}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
td.c{max-width:38em}
.tag{display:inline-block;padding:0 6px;border-radius:4px;background:#ECEFF1;font-size:12px;
margin:1px 2px 1px 0;white-space:nowrap}
.tag.hot{background:var(--rating-hot);color:#fff}.tag.key{background:#FFF8E1;color:#8D6E00}
.up{color:#2E7D32}.down{color:#C62828}
.booth{margin:0 0 12px;padding-top:1px}.booth h3{font-size:14px;margin:0 0 2px}
.booth ul{margin:2px 0 0;padding-left:20px}
.booths{columns:2 420px;column-gap:28px}.booths .booth{break-inside:avoid}
.funnel .bar{height:22px;background:#1565C0;border-radius:4px;min-width:2px}
.funnel td{vertical-align:middle}
.empty{color:#78909C}.more{color:#78909C;font-size:12px;margin:6px 0 0}
.sub{color:#607D8B;font-size:.88em}
footer{color:#78909C;font-size:12px;padding:0 40px 30px}
@page{size:A4;margin:12mm}
@media print{
 body{background:#fff;font-size:11px}
 header{background:none;color:#0D47A1;padding:0 0 6px;border-bottom:2px solid #1565C0}
 header p{opacity:1;color:#455A64}
 nav.toc{display:none}
 main{display:block;padding:0}
 section{box-shadow:none;border:1px solid #CFD8DC;border-radius:6px;margin:0 0 8px;padding:8px 10px;
 break-inside:avoid}
 section.long{break-inside:auto}
 h2.part{margin:10px 0 6px;break-after:avoid}
 h2,p.why{break-after:avoid}
 tr,.booth{break-inside:avoid}
 thead{display:table-header-group}
 .scroll{overflow:visible}
 .kpi{padding:6px 8px}.kpi b{font-size:18px}.more{font-size:9px}
 table{font-size:10px}th,td{padding:3px 5px}.tag{font-size:9px}
 h2{font-size:15px}h2.part{font-size:17px}p.why{font-size:10px}.booth h3{font-size:12px}
 .booths{columns:2}
 svg.chart{max-height:240px}
 footer{padding:0}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


@dataclass
class Tally:
    """People, arrivals, leads and key accounts of one group (a country, an industry...)."""

    registered: int = 0
    came: int = 0
    leads: int = 0
    hot: int = 0
    key: int = 0
    satisfaction: list[float] = field(default_factory=list)

    def add(self, m: dict) -> None:
        """Count one person's metrics."""
        self.registered += 1
        self.came += m["attended"]
        self.leads += m["contribution"]["leads"]
        self.hot += m["contribution"]["hot_leads"]
        self.key += m["key_account"]
        if m["satisfaction"]["satisfaction"] is not None:
            self.satisfaction.append(m["satisfaction"]["satisfaction"])


class Shortlist:
    """The best `limit` items by a sort key, kept while people stream by; `total` counts all."""

    def __init__(self, limit: int = LIST_LIMIT):
        self.limit = limit
        self.heap: list = []
        self.total = 0

    def offer(self, rank: tuple, item: dict) -> None:
        """Keep the item if it ranks among the best so far."""
        self.total += 1
        entry = (rank, -self.total, item)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, entry)
        elif entry[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, entry)

    def best(self) -> list[dict]:
        """The kept items, best first."""
        return [item for *_, item in sorted(self.heap, key=lambda e: e[:2], reverse=True)]


def _person_item(row, m: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["full_name"],
        "company": row["company"],
        "category": row["category"],
        "country": row["country"],
        "editions": m["loyalty"]["editions_attended"],
        "earlier": len(m["loyalty"]["earlier_editions"]),
        "last": (m["loyalty"]["earlier_editions"] or [""])[-1],
        "booths": m["contribution"]["booths_visited"],
        "hot": m["contribution"]["hot_leads"],
        "sessions": m["contribution"]["sessions_attended"],
        "days": m["contribution"]["days_attended"],
        "score": m["contribution"]["score"],
        "engagement": m["engagement"]["score"],
        "return_intent": m["satisfaction"]["return_intent"],
        "satisfaction": m["satisfaction"]["satisfaction"],
        "key": m["key_account_reason"],
        "attended": m["attended"],
    }


def decline_reason(item: dict, limits: metrics.Thresholds) -> str:
    """Why a returning person is declining, in both languages."""
    if not item["attended"]:
        return "did not come 本届未到场"
    if item["return_intent"] is False:
        return "will not return 表示不再来"
    if item["satisfaction"] is not None and item["satisfaction"] <= limits.decline_satisfaction:
        return f"unhappy 不满意 ({item['satisfaction']:g}/5)"
    return f"did little 参与少 (engagement {item['engagement']})"


def collect(
    store: Store, settings: Settings, progress: Callable[..., Iterable] = lambda x, **k: x
) -> dict:
    """Every figure and list the report shows, from one read snapshot."""
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
        returning: Counter = Counter()
        funnel = Counter()
        came_by_category: Counter = Counter()
        key_accounts = retained = 0
        breakdowns: dict[str, dict[str, Tally]] = {"country": {}, "industry": {}, "segment": {}}
        companies: dict[str, metrics.Company] = {}
        win_back, nurture = Shortlist(), Shortlist()
        ctx = metrics.ShowContext.build(settings, history.editions(conn))
        total = reports.count_people(conn)
        for person in progress(iter_people(conn), total=total, desc="report", unit="person"):
            row = person.row
            m = metrics.compute(person, ctx)
            stage = m["lifecycle_stage"]
            stages[stage] += 1
            c = m["contribution"]
            funnel["registered"] += 1
            funnel["came"] += m["attended"]
            funnel["booth"] += m["attended"] and c["booths_visited"] > 0
            funnel["hot"] += m["attended"] and c["hot_leads"] > 0
            funnel["key"] += m["key_account"]
            if m["attended"]:
                returning["Returning 回头客" if m["returning"] else "New 新观众"] += 1
                came_by_category[row["category"]] += 1
            key_accounts += m["key_account"]
            retained += bool(m["loyalty"]["retained"])
            seg = m["segment"]
            for name, value in (
                ("country", row["country"]),
                ("industry", seg["industry"]),
                ("segment", f"{row['category']} · {seg['purchasing_role']}"),
            ):
                breakdowns[name].setdefault(value or NOT_GIVEN, Tally()).add(m)
            if row["status"] == "erased" or row["category"] == ORGANISER:
                continue
            metrics.roll_up(companies, row, m)
            if stage == "decline":
                item = _person_item(row, m)
                win_back.offer((bool(item["key"]), item["earlier"], item["score"]), item)
            elif stage == "exploration":
                item = _person_item(row, m)
                nurture.offer((item["score"], item["engagement"]), item)
        previous = ctx.previous_edition
        key_companies = [
            (company, company.key_reason(ctx.thresholds)) for company in companies.values()
        ]
        key_companies = sorted(
            ((c, why) for c, why in key_companies if why),
            key=lambda cw: (-len(cw[0].key_people), -cw[0].contribution, cw[0].name),
        )
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
            "funnel": funnel,
            "breakdowns": breakdowns,
            "key_companies": key_companies,
            "hot_leads": reports.hot_leads(conn),
            "detractors": reports.detractors(conn),
            "win_back": win_back,
            "nurture": nurture,
            "thresholds": ctx.thresholds,
            "previous": previous,
            "previous_by_category": history.attendance_by_category(conn, previous)
            if previous
            else {},
            "came_by_category": came_by_category,
            "retained": retained,
        }


def nps(recommend: dict) -> float | None:
    """Net promoter score: % of 9-10 answers minus % of 0-6 answers."""
    answers = sum(recommend.values())
    if not answers:
        return None
    promoters = sum(n for v, n in recommend.items() if v >= 9)
    detractors = sum(n for v, n in recommend.items() if v <= 6)
    return round(100 * (promoters - detractors) / answers)


# Rendering -------------------------------------------------------------------------------------


def _table(headers: list[tuple[str, str]], rows: list[list[str]], empty: str) -> str:
    """A table; headers are (text, class) and cells are HTML already escaped."""
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f'<th class="{cls}">{text}</th>' for text, cls in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{cls}">{cell}</td>' for (_, cls), cell in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _more(shown: int, total: int) -> str:
    if total <= shown:
        return ""
    return (
        f'<p class="more">{shown} of {total:,} shown; every one is in the CRM export.'
        f" 仅显示 {shown} / {total:,}，完整名单见 CRM 导出。</p>"
    )


def _who(item: dict) -> str:
    company = f"<br><span class='sub'>{escape(item['company'])}</span>" if item["company"] else ""
    return f"{escape(item['name'])} <small>#{item['id']}</small>{company}"


def _key_companies(data: dict, cat_names: dict) -> str:
    rows = [
        [
            escape(c.name),
            "".join(
                f'<span class="tag">{escape(cat_names.get(k, k))} {n}</span>'
                for k, n in c.categories.most_common(3)
            ),
            f"{c.people:,}",
            f"{c.attended:,}",
            f"{c.hot_leads:,}",
            f"{c.contribution:,}",
            escape(why),
        ]
        for c, why in data["key_companies"][:LIST_LIMIT]
    ]
    return _table(
        [
            ("Company 公司", ""),
            ("Categories 类型", ""),
            ("People 人数", "n"),
            ("Came 到场", "n"),
            ("Hot leads 热线索", "n"),
            ("Contribution 贡献", "n"),
            ("Why 原因", "c"),
        ],
        rows,
        "No key account yet. 暂无大客户。",
    ) + _more(len(rows), len(data["key_companies"]))


def _label(texts: dict | str, fallback: str) -> str:
    if isinstance(texts, str):
        return texts
    en, zh = texts.get("en", ""), texts.get("zh", "")
    return " ".join(t for t in dict.fromkeys((zh, en)) if t) or fallback


def _answers(answers_json: str, questions_json: str) -> str:
    """A lead's answers as tags, each with its question's and option's labels (zh and en)."""
    answers = json.loads(answers_json or "{}")
    questions = {q.get("id"): q for q in json.loads(questions_json or "[]") if isinstance(q, dict)}
    tags = []
    for qid, value in answers.items():
        if value in (None, "", []):
            continue
        question = questions.get(qid, {})
        options = {o.get("id"): o.get("label", {}) for o in question.get("options", [])}
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(_label(options.get(v, str(v)), str(v)) for v in values)
        title = _label(question.get("label", qid), qid)
        tags.append(f'<span class="tag" title="{escape(title)}">{escape(shown[:60])}</span>')
    return "".join(tags[:4])


def _hot_leads(data: dict) -> str:
    booths: dict[int, list] = {}
    for row in data["hot_leads"]:
        booths.setdefault(row["exhibitor_id"], []).append(row)
    if not booths:
        return '<p class="empty">No hot lead yet. 暂无热线索。</p>'
    parts = ['<div class="booths">']
    ranked = sorted(booths.values(), key=lambda rows: (-len(rows), rows[0]["booth"]))
    for rows in ranked:
        first = rows[0]
        people = "".join(
            f"<li>{escape(r['full_name'])}"
            + (f" · {escape(r['company'])}" if r["company"] else "")
            + (f" · <i>{escape(r['job_title'])}</i>" if r["job_title"] else "")
            + f" {_answers(r['answers'], r['questions'])}</li>"
            for r in rows[:LEADS_PER_BOOTH]
        )
        more = f'<li class="more">+ {len(rows) - LEADS_PER_BOOTH} more 更多</li>' * (
            len(rows) > LEADS_PER_BOOTH
        )
        parts.append(
            f'<div class="booth"><h3>{escape(first["booth"])} {escape(first["exhibitor"])}'
            f' <span class="tag hot">{len(rows)} hot 热</span></h3><ul>{people}{more}</ul></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def _detractors(data: dict, cat_names: dict) -> str:
    rows = []
    for r in data["detractors"][:LIST_LIMIT]:
        who = (
            f"{escape(r['full_name'])} <small>#{r['attendee_id']}</small>"
            if r["attendee_id"]
            else '<span class="sub">anonymous 匿名</span>'
        )
        if r["company"]:
            who += f"<br><span class='sub'>{escape(r['company'])}</span>"
        intent = {1: "yes 会", 0: "no 不会"}.get(r["return_intent"], "–")
        rows.append(
            [
                who,
                escape(cat_names.get(r["category"], r["category"] or "–")),
                f"{r['satisfaction']}/5",
                f"{r['recommend']}/10",
                intent,
                escape(r["comment"]) or '<span class="sub">no comment 无意见</span>',
            ]
        )
    return _table(
        [
            ("Who 谁", ""),
            ("Category 类型", ""),
            ("Satisfaction 满意度", "n"),
            ("Recommend 推荐", "n"),
            ("Return 再来", ""),
            ("Comment 意见", "c"),
        ],
        rows,
        "No detractor among the survey answers. 调查中没有贬损者。",
    ) + _more(len(rows), len(data["detractors"]))


def _win_back(data: dict, cat_names: dict) -> str:
    limits = data["thresholds"]
    items = data["win_back"].best()
    rows = [
        [
            _who(i),
            escape(cat_names.get(i["category"], i["category"])),
            f"{i['earlier']}",
            escape(i["last"]),
            escape(decline_reason(i, limits)),
            escape(i["key"]) or "–",
        ]
        for i in items
    ]
    return _table(
        [
            ("Who 谁", ""),
            ("Category 类型", ""),
            ("Earlier editions 往届", "n"),
            ("Last came 最近一届", ""),
            ("Why declining 原因", "c"),
            ("Key account 大客户", ""),
        ],
        rows,
        "Nobody is declining. 没有退化期客户。",
    ) + _more(len(rows), data["win_back"].total)


def _nurture(data: dict, cat_names: dict) -> str:
    items = data["nurture"].best()
    intent = {True: "yes 会", False: "no 不会", None: "–"}
    rows = [
        [
            _who(i),
            escape(cat_names.get(i["category"], i["category"])),
            f"{i['days']}",
            f"{i['booths']}",
            f"{i['hot']}",
            f"{i['sessions']}",
            intent[i["return_intent"]],
            f"{i['score']}",
        ]
        for i in items
    ]
    return _table(
        [
            ("Who 谁", ""),
            ("Category 类型", ""),
            ("Days 天数", "n"),
            ("Booths 展位", "n"),
            ("Hot leads 热线索", "n"),
            ("Sessions 论坛", "n"),
            ("Return 再来", ""),
            ("Contribution 贡献", "n"),
        ],
        rows,
        "No first-timer came. 没有首次到场的观众。",
    ) + _more(len(rows), data["nurture"].total)


def _funnel(data: dict) -> str:
    f = data["funnel"]
    steps = [
        ("Registered 登记", f["registered"]),
        ("Came 到场", f["came"]),
        ("Visited a booth 访问展位", f["booth"]),
        ("Hot lead 热线索", f["hot"]),
        ("Key account 大客户", f["key"]),
    ]
    top = steps[0][1] or 1
    rows = []
    previous = None
    for label, n in steps:
        step = _pct(n, previous) if previous is not None else ""
        bar = f'<div class="bar" style="width:{100 * n / top:.1f}%"></div>'
        rows.append([escape(label), f"{n:,}", _pct(n, top), step, bar])
        previous = n
    return (
        '<div class="funnel">'
        + _table(
            [
                ("Step 环节", ""),
                ("People 人数", "n"),
                ("of registered 占登记", "n"),
                ("of the step before 环节转化", "n"),
                ("", "c"),
            ],
            rows,
            "",
        ).replace('<td class="c">', '<td class="c" style="width:40%">')
        + "</div>"
    )


def _change(now: int, before: int) -> str:
    if not before:
        return "–"
    delta = 100 * (now - before) / before
    cls = "up" if delta >= 0 else "down"
    return f'<span class="{cls}">{delta:+.0f}%</span>'


def _comparison(data: dict, cat_names: dict) -> str:
    previous = data["previous"]
    if not previous:
        return (
            '<p class="empty">No earlier edition on record: import the history with'
            " <code>kiosk import history</code>. 尚未导入往届数据。</p>"
        )
    before = data["previous_by_category"]
    now = data["came_by_category"]
    total_before, total_now = sum(before.values()), sum(now.values())
    rows = [
        [
            "<b>Attendees 到场人数</b>",
            f"<b>{total_before:,}</b>",
            f"<b>{total_now:,}</b>",
            _change(total_now, total_before),
        ]
    ]
    for cat in sorted(set(before) | set(now), key=lambda c: -(now.get(c, 0) + before.get(c, 0))):
        label = cat_names.get(cat, cat) if cat else NOT_GIVEN
        b, n = before.get(cat, 0), now.get(cat, 0)
        rows.append([f"&nbsp;&nbsp;{escape(label)}", f"{b:,}", f"{n:,}", _change(n, b)])
    retained = data["retained"]
    came_back = data["returning"].get("Returning 回头客", 0)
    rows.append(
        [
            "Came again 再次到场 (retention 留存率)",
            "",
            f"{retained:,}",
            _pct(retained, total_before) if total_before else "–",
        ]
    )
    rows.append(
        [
            "Returning among attendees 回头客占比",
            "",
            f"{came_back:,}",
            _pct(came_back, total_now),
        ]
    )
    return _table(
        [
            ("", ""),
            (f"{escape(previous)} 上届", "n"),
            ("This edition 本届", "n"),
            ("Change 变化", "n"),
        ],
        rows,
        "",
    )


def _breakdown(tallies: dict[str, Tally], label: Callable[[str], str]) -> str:
    ranked = sorted(tallies.items(), key=lambda kv: (-kv[1].registered, kv[0]))
    shown, rest = ranked[:BREAKDOWN_ROWS], ranked[BREAKDOWN_ROWS:]
    if rest:
        other = Tally()
        for _, t in rest:
            other.registered += t.registered
            other.came += t.came
            other.leads += t.leads
            other.hot += t.hot
            other.key += t.key
            other.satisfaction += t.satisfaction
        shown.append((f"{len(rest)} others 其他", other))
    rows = [
        [
            escape(label(name)),
            f"{t.registered:,}",
            f"{t.came:,} <small>({_pct(t.came, t.registered)})</small>",
            f"{t.leads:,}",
            f"{t.hot:,}",
            f"{t.key:,}",
            f"{sum(t.satisfaction) / len(t.satisfaction):.1f}" if t.satisfaction else "–",
        ]
        for name, t in shown
    ]
    return _table(
        [
            ("", ""),
            ("Registered 登记", "n"),
            ("Came 到场", "n"),
            ("Leads 线索", "n"),
            ("Hot 热", "n"),
            ("Key 大客户", "n"),
            ("Satisfaction 满意度", "n"),
        ],
        rows,
        "No data yet. 暂无数据。",
    )


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
        (f"{data['funnel']['registered'] - data['funnel']['came']:,}", "did not come 未到场"),
        (f"{data['returning'].get('Returning 回头客', 0):,}", "returning 回头客"),
        (f"{leads:,}", "leads 线索"),
        (f"{mean:.1f} / 5" if mean is not None else "–", "satisfaction 满意度"),
        (f"{score:+d}" if score is not None else "–", "NPS 净推荐值"),
        (f"{data['key_accounts']:,}", "key accounts 大客户"),
    ]
    cat_names = {
        cid: f"{c.name.get('en', cid)} {c.name.get('zh', '')}".strip()
        for cid, c in settings.categories.items()
    }
    gate_names = {gid: g.name.get("en", gid) for gid, g in settings.gates.items()}
    session_names = {sid: s.name.get("en", sid) for sid, s in settings.sessions.items()}
    by_hour = [(h, sum(data["grid"].get((d, h), 0) for d in data["days"])) for h in data["hours"]]
    rating_keys = ("hot", "warm", "cold", "")
    rating_items = [
        (f"{ratings.NAMES[key]['en']} {ratings.NAMES[key]['zh']}", data["ratings"].get(key, 0))
        for key in rating_keys
    ]
    intent = data["surveys"]["return_intent"]
    role_names = {
        "decision_maker": "decision maker 决策者",
        "purchaser": "purchaser 采购",
        "influencer": "influencer 影响者",
        "user": "user 使用者",
        "unknown": "role unknown 角色未知",
    }

    def segment_label(key: str) -> str:
        if " · " not in key:
            return key
        category, role = key.split(" · ")
        return f"{cat_names.get(category, category)} · {role_names.get(role, role)}"

    b = data["breakdowns"]
    limits = data["thresholds"]
    parts: list[tuple] = [
        ("part", "act", "Act on 行动清单"),
        (
            "wide long",
            "Key accounts by company",
            "大客户（按公司）",
            "Companies with a key account among their people, or whose people's contribution"
            f" scores add up to {limits.key_company_contribution}: invite them first, assign"
            " an account manager. 优先邀请并指定客户经理。",
            _key_companies(data, cat_names),
        ),
        (
            "wide",
            "Hot leads per exhibitor",
            "各展商热线索",
            "What each booth rated hot, with its qualifying answers: check that every exhibitor"
            " follows up. 督促展商跟进。",
            _hot_leads(data),
        ),
        (
            "wide long",
            "Detractors and their comments",
            "贬损者及其意见",
            "Survey answers recommending 0–6, comments first: call back the named ones, fix"
            " what the comments name. 回访并改进。",
            _detractors(data, cat_names),
        ),
        (
            "wide long",
            "Returning people to win back",
            "待挽回的老客户（退化期）",
            "People who came to earlier editions and are declining, key accounts and"
            " longest-standing first:"
            " a personal invitation for next year. 来年亲自邀请。",
            _win_back(data, cat_names),
        ),
        (
            "wide long",
            "First-timers to nurture",
            "需培育的新客户（考察期）",
            "People at their first edition, most contribution first: follow up while the show"
            " is fresh. 趁热跟进。",
            _nurture(data, cat_names),
        ),
        ("part", "measure", "How the show did 展会表现"),
        (
            "",
            "Funnel",
            "转化漏斗",
            "From registration to a hot lead at a booth. 从登记到热线索。",
            _funnel(data),
        ),
        (
            "",
            "Compared with the previous edition",
            "与上届对比",
            "Attendance per category from the imported history. 往届数据来自导入的历史记录。",
            _comparison(data, cat_names),
        ),
        (
            "",
            "By country or region",
            "按国家/地区",
            "",
            _breakdown(b["country"], lambda k: k),
        ),
        (
            "",
            "By industry",
            "按行业",
            "The industry given, else the main business. 行业，未填时用主营业务。",
            _breakdown(b["industry"], lambda k: k),
        ),
        (
            "wide",
            "By segment (category and purchasing role)",
            "按客户细分（类型与采购角色）",
            "",
            _breakdown(b["segment"], segment_label),
        ),
        ("part", "charts", "Attendance and satisfaction 到场与满意度"),
        (
            "wide",
            "Attendance by day and hour",
            "分日分时段入场",
            "",
            charts.heatmap(data["days"], data["hours"], data["grid"]),
        ),
        ("wide", "Check-ins per hour, all days", "每小时入场", "", charts.columns(by_hour)),
        (
            "",
            "Entries per gate",
            "各入口",
            "",
            charts.hbars(
                [(gate_names.get(r["gate"], r["gate"]), r["entries"]) for r in data["gates"]]
            ),
        ),
        (
            "",
            "New versus returning visitors",
            "新老观众",
            "",
            charts.donut(sorted(data["returning"].items(), reverse=True)),
        ),
        (
            "",
            "Visitors who came, per category",
            "观众类型",
            "",
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
            "",
            charts.donut([(STAGE_LABELS[s], data["stages"].get(s, 0)) for s in metrics.STAGES]),
        ),
        (
            "",
            "Busiest booths (leads)",
            "最热展位",
            "",
            charts.hbars(
                [(f"{r['booth']} {r['name']}", r["leads"]) for r in data["booths"] if r["leads"]],
                color=charts.PALETTE[2],
            ),
        ),
        (
            "",
            "Lead ratings",
            "线索评级",
            "",
            charts.donut(rating_items, colors=tuple(ratings.COLOURS[k] for k in rating_keys)),
        ),
        (
            "",
            "Satisfaction (exit survey, 1–5)",
            "满意度",
            "",
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
            "",
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
            "",
            charts.donut([("Yes 会", intent.get(1, 0)), ("No 不会", intent.get(0, 0))]),
        ),
        (
            "",
            "Sessions",
            "论坛",
            "",
            charts.hbars(
                [
                    (session_names.get(r["session"], r["session"]), r["people"])
                    for r in data["sessions"]
                ],
                color=charts.PALETTE[4],
            ),
        ),
    ]
    toc = " ".join(
        f'<a href="#{anchor}">{escape(text)}</a>'
        for kind, anchor, text in [p for p in parts if p[0] == "part"]
    )
    body = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} — post-show report 展后报告</title><style>{ratings.css_variables()}{CSS}</style>",
        "</head><body>",
        f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)} · post-show report 展后报告 ·"
        f" {escape(', '.join(d.isoformat() for d in settings.days))}</p></header>",
        f'<nav class="toc">{toc}</nav>',
        '<main><section class="wide kpis-box"><div class="kpis">',
        *(f'<div class="kpi"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in kpis),
        "</div></section>",
    ]
    for part in parts:
        if part[0] == "part":
            body.append(f'<h2 class="part" id="{part[1]}">{escape(part[2])}</h2>')
            continue
        cls, heading, zh, why, content = part
        why_html = f'<p class="why">{escape(why)}</p>' if why else ""
        body.append(
            f'<section class="{cls}"><h2>{escape(heading)}<small>{escape(zh)}</small></h2>'
            f"{why_html}{content}</section>"
        )
    body.append(
        f"</main><footer>Generated {escape(utcnow())} from {escape(settings.event_id)}."
        f" Times in {escape(str(settings.timezone))}. Stages, engagement and key accounts as"
        " documented in docs/crm-metrics.md. 生成时间与口径见 docs/crm-metrics.md。</footer>"
        "</body></html>"
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
    text = render(settings, collect(store, settings, progress))
    # The report names people: readable by its owner only, like the database.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
    return path
