"""The indicators the organiser's CRM acts on; docs/crm-metrics.md gives each formula."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import orjson

from kiosk.config import ConfigError, Settings
from kiosk.crm.people import Person
from kiosk.storage import from_iso

STAGES = ("no_show", "exploration", "formation", "stability", "decline")
ROLES = ("decision_maker", "purchaser", "influencer", "user", "unknown")
ROLE_POINTS = {"decision_maker": 5, "purchaser": 5, "influencer": 2}
BUYING_ROLES = ("decision_maker", "purchaser")
KEY_CATEGORIES = ("buyer", "vip")

# Looked for in the purchasing role first, then in the job title; first match wins.
ROLE_WORDS = (
    (
        "decision_maker",
        r"\b(ceo|cto|cfo|coo|owner|founder|president|chairman|partner|managing director|"
        r"general manager|director|head of|vp|vice president|decision)\b|"
        r"总经理|董事长|董事|总裁|老板|创始人|总监|厂长|负责人|决策",
    ),
    ("purchaser", r"\b(buyer|purchas\w*|procurement|sourcing|supply chain)\b|采购|采买|供应链"),
    (
        "influencer",
        r"\b(engineer|manager|consultant|specialist|architect|planner|analyst|lead)\b|"
        r"经理|工程师|顾问|主管|专员|技术",
    ),
)


@dataclass(frozen=True)
class Thresholds:
    """The numbers the stages and the key-account rules compare with ([crm.metrics])."""

    engaged_score: int = 2
    engaged_categories: tuple[str, ...] = ("exhibitor",)
    decline_satisfaction: float = 2
    key_hot_leads: int = 2
    key_contribution: int = 15
    key_role_hot_leads: int = 3
    key_exhibitor_editions: int = 3
    key_budget: float = 1_000_000
    key_company_contribution: int = 30
    buying_answers: tuple[str, ...] = field(default=())

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """The defaults, overridden by [crm.metrics]; ConfigError names a bad key."""
        section = settings.extra.get("crm", {}).get("metrics", {})
        if not isinstance(section, dict):
            raise ConfigError("crm.metrics: expected a table")
        values: dict = {}
        for f in fields(cls):
            if f.name not in section:
                continue
            value = section[f.name]
            where = f"crm.metrics.{f.name}"
            if f.name in ("engaged_categories", "buying_answers"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{where}: expected a list of texts")
                value = tuple(value)
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{where}: expected a number, 0 or more")
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class ShowContext:
    """What every person's metrics are measured against."""

    edition: int
    event_id: str
    timezone: ZoneInfo
    previous_edition: str | None
    thresholds: Thresholds = Thresholds()

    @classmethod
    def build(cls, settings: Settings, editions: list) -> ShowContext:
        """The show's own edition, the latest earlier edition on record and the thresholds."""
        earlier = [
            row["edition"]
            for row in editions
            if is_earlier(settings.edition, settings.event_id, row["edition"], row["year"])
        ]
        return cls(
            edition=settings.edition,
            event_id=settings.event_id,
            timezone=settings.timezone,
            previous_edition=earlier[-1] if earlier else None,
            thresholds=Thresholds.from_settings(settings),
        )


def is_earlier(edition: int, event_id: str, name: str, year: int | None) -> bool:
    """Whether a history row is about an earlier edition than this show."""
    if year is not None:
        return year < edition
    return name not in (event_id, str(edition))


ROLE_PATTERNS = tuple((role, re.compile(pattern)) for role, pattern in ROLE_WORDS)


@lru_cache(maxsize=1 << 14)  # a show has far fewer distinct job titles than people
def purchasing_role(stated: str, job_title: str, category: str) -> str:
    """decision_maker, purchaser, influencer, user or unknown, from what the person told us."""
    texts = [t.lower() for t in (stated or "", job_title or "") if t.strip()]
    for text in texts:
        for role, pattern in ROLE_PATTERNS:
            if pattern.search(text):
                return role
    if category == "buyer":
        return "purchaser"
    return "user" if texts else "unknown"


def segment(row) -> dict:
    """Category, industry (else main business), interests and purchasing role, plus a key."""
    role = purchasing_role(row["purchasing_role"], row["job_title"], row["category"])
    industry = row["industry"] or row["main_business"]
    return {
        "category": row["category"],
        "industry": industry,
        "main_business": row["main_business"],
        "interests": _json(row["interests"], "[]"),
        "purchasing_role": role,
        "key": f"{row['category']}/{industry or '-'}/{role}",
    }


# Longer units first, so that 百万 is not read as 万.
BUDGET_UNITS = (
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("千", 1_000),
    ("billion", 1_000_000_000),
    ("bn", 1_000_000_000),
    ("million", 1_000_000),
    ("mn", 1_000_000),
    ("thousand", 1_000),
    ("m", 1_000_000),
    ("k", 1_000),
    ("b", 1_000_000_000),
)
BUDGET_NUMBER = re.compile(
    r"(\d+(?:\.\d+)?)\s*(" + "|".join(re.escape(u) for u, _ in BUDGET_UNITS) + r")?(?![a-z])"
)


@lru_cache(maxsize=1 << 12)
def budget_value(text: str) -> float | None:
    """The largest amount a stated budget names ("50万", "USD 1-2M", "500,000"), units applied;
    None when it names no number. The currency is not converted."""
    plain = unicodedata.normalize("NFKC", text or "").lower().replace(",", "")
    amounts = []
    for number, unit in BUDGET_NUMBER.findall(plain):
        amounts.append(float(number) * dict(BUDGET_UNITS).get(unit, 1))
    return max(amounts) if amounts else None


def _local_day(at: str, tz: ZoneInfo) -> str:
    # Offsets are whole minutes: the day of a time is the day of its minute, parsed once.
    return _minute_day(at[:16], tz)


@lru_cache(maxsize=1 << 16)
def _minute_day(minute: str, tz: ZoneInfo) -> str:
    return from_iso(minute + ":00Z").astimezone(tz).date().isoformat()


def _json(text: str | None, empty: str):
    return orjson.loads(text) if text and text != empty else orjson.loads(empty)


def _answered(answers: dict) -> bool:
    return any(v not in (None, "", []) for v in answers.values())


def _chosen(answers: dict) -> set[str]:
    chosen: set[str] = set()
    for value in answers.values():
        if isinstance(value, str):
            chosen.add(value)
        elif isinstance(value, list):
            chosen.update(v for v in value if isinstance(v, str))
    return chosen


def engagement(person: Person, tz: ZoneInfo, buying_answers: tuple[str, ...] = ()) -> dict:
    """This show's facts: days attended, booths visited, sessions, leads (hot, qualified, with
    a buying answer) and whether the person answered the exit survey."""
    entries = [p["at"] for p in person.passages if p["type"] == "checked_in"]
    days = {_local_day(at, tz) for at in entries}
    sessions = {
        i["place"] for i in person.interactions if i["type"] == "session_attended" and i["place"]
    }
    leads = person.leads
    # Only leads with answers can be qualified or carry a buying answer (most have none).
    answers = [
        a
        for lead in leads
        if (text := lead["answers"]) and text != "{}"
        for a in (orjson.loads(text),)
        if a
    ]
    buying = set(buying_answers)
    return {
        "attended": bool(days),
        "days_attended": len(days),
        "first_check_in": entries[0] if entries else None,
        "booths_visited": len({lead["exhibitor_id"] for lead in leads}),
        "sessions_attended": len(sessions),
        "leads": len(leads),
        "hot_leads": [lead["rating"] for lead in leads].count("hot"),
        "qualified_leads": sum(1 for a in answers if _answered(a)),
        "buying_signals": sum(1 for a in answers if _chosen(a) & buying),
        "surveyed": bool(person.surveys),
    }


def satisfaction(person: Person) -> dict:
    """Mean satisfaction (1-5), latest recommend (0-10) and its NPS group, latest return intent."""
    answers = person.surveys
    if not answers:
        return {"satisfaction": None, "recommend": None, "nps_group": None, "return_intent": None}
    score = round(sum(a["satisfaction"] for a in answers) / len(answers), 2)
    recommend = answers[-1]["recommend"]
    group = "promoter" if recommend >= 9 else "passive" if recommend >= 7 else "detractor"
    intents = [a["return_intent"] for a in answers if a["return_intent"] is not None]
    return {
        "satisfaction": score,
        "recommend": recommend,
        "nps_group": group,
        "return_intent": bool(intents[-1]) if intents else None,
    }


def earlier_editions(person: Person, ctx: ShowContext) -> tuple[list[str], list[str]]:
    """(editions attended before this show, editions on record the person missed)."""
    came, missed = [], []
    for row in person.history:
        if not is_earlier(ctx.edition, ctx.event_id, row["edition"], row["year"]):
            continue
        target = came if row["attended"] else missed
        if row["edition"] not in target:
            target.append(row["edition"])
    return came, [m for m in missed if m not in came]


def engagement_score(facts: dict) -> int:
    """Days attended + booths visited + sessions attended + 1 for an exit-survey answer."""
    return (
        facts["days_attended"]
        + facts["booths_visited"]
        + facts["sessions_attended"]
        + (1 if facts["surveyed"] else 0)
    )


def is_engaged(category: str, facts: dict, limits: Thresholds) -> bool:
    """Came in one of the engaged categories (an exhibitor's participation), or scored enough."""
    if facts["attended"] and category in limits.engaged_categories:
        return True
    return engagement_score(facts) >= limits.engaged_score


def lifecycle(
    prior: int,
    here: bool,
    engaged: bool,
    survey: dict,
    limits: Thresholds = Thresholds(),
) -> str:
    """no_show, exploration, formation, stability or decline (docs/crm-metrics.md)."""
    if not prior and not here:
        return "no_show"
    if prior:
        unhappy = (
            survey["satisfaction"] is not None
            and survey["satisfaction"] <= limits.decline_satisfaction
        )
        if not here or survey["return_intent"] is False or unhappy or not engaged:
            return "decline"
    if not prior:
        return "exploration"
    return "formation" if prior == 1 else "stability"


def loyalty_score(editions: int, return_intent: bool | None, recommend: int | None) -> int:
    """0-100: 15 a edition attended (at most 4), 25 for intending to return, 15 for a promoter."""
    score = 15 * min(editions, 4)
    if return_intent:
        score += 25
    if recommend is not None and recommend >= 9:
        score += 15
    return score


def budget_points(budget: float | None, limits: Thresholds) -> int:
    """5 for a budget at or above key_budget, 2 for a smaller stated one, else 0."""
    if budget is None or budget <= 0:
        return 0
    return 5 if budget >= limits.key_budget else 2


def contribution_score(
    facts: dict, role: str, budget: float | None = None, limits: Thresholds = Thresholds()
) -> int:
    """Booths + 2 a session + 3 a hot lead + 1 a qualified lead + 2 a lead with a buying answer,
    plus, when the person came, role points (5 decision maker or purchaser, 2 influencer) and
    budget points."""
    came = facts["attended"]
    return (
        facts["booths_visited"]
        + 2 * facts["sessions_attended"]
        + 3 * facts["hot_leads"]
        + facts.get("qualified_leads", 0)
        + 2 * facts.get("buying_signals", 0)
        + (ROLE_POINTS.get(role, 0) if came else 0)
        + (budget_points(budget, limits) if came else 0)
    )


def key_account(
    category: str,
    role: str,
    facts: dict,
    score: int,
    editions: int,
    budget: float | None = None,
    limits: Thresholds = Thresholds(),
) -> str:
    """Why the person is a key account (大客户), or '' when they are not."""
    hot = facts["hot_leads"]
    if category in KEY_CATEGORIES and hot >= limits.key_hot_leads:
        return f"{category} with {hot} hot leads"
    if category in KEY_CATEGORIES and score >= limits.key_contribution:
        return f"{category} with contribution {score}"
    if role in BUYING_ROLES and hot >= limits.key_role_hot_leads:
        return f"{role} with {hot} hot leads"
    buyer = category in KEY_CATEGORIES or role in BUYING_ROLES
    if buyer and facts["attended"] and budget is not None and budget >= limits.key_budget:
        return f"{role if role in BUYING_ROLES else category} with budget {budget:,.0f}"
    if category == "exhibitor" and editions >= limits.key_exhibitor_editions:
        return f"exhibitor at {editions} editions"
    return ""


def compute(person: Person, ctx: ShowContext) -> dict:
    """Every indicator of one person, as exported."""
    row = person.row
    limits = ctx.thresholds
    seg = segment(row)
    facts = engagement(person, ctx.timezone, limits.buying_answers)
    survey = satisfaction(person)
    came, missed = earlier_editions(person, ctx)
    editions = len(came) + (1 if facts["attended"] else 0)
    engaged = is_engaged(row["category"], facts, limits)
    budget = budget_value(row["budget"])
    score = contribution_score(facts, seg["purchasing_role"], budget, limits)
    reason = key_account(
        row["category"], seg["purchasing_role"], facts, score, editions, budget, limits
    )
    retained = None
    if ctx.previous_edition is not None:
        retained = facts["attended"] and ctx.previous_edition in came
    return {
        "segment": seg,
        "lifecycle_stage": lifecycle(len(came), facts["attended"], engaged, survey, limits),
        "returning": bool(came),
        "engagement": {"score": engagement_score(facts), "engaged": engaged},
        "satisfaction": survey,
        "loyalty": {
            "editions_attended": editions,
            "earlier_editions": came,
            "missed_editions": missed,
            "retained": retained,
            "return_intent": survey["return_intent"],
            "score": loyalty_score(editions, survey["return_intent"], survey["recommend"]),
        },
        "contribution": {
            **{k: facts[k] for k in ("days_attended", "booths_visited", "sessions_attended")},
            "leads": facts["leads"],
            "hot_leads": facts["hot_leads"],
            "qualified_leads": facts["qualified_leads"],
            "buying_signals": facts["buying_signals"],
            "purchasing_role": seg["purchasing_role"],
            "budget": budget,
            "score": score,
        },
        "attended": facts["attended"],
        "first_check_in": facts["first_check_in"],
        "key_account": bool(reason),
        "key_account_reason": reason,
    }


def company_key(company: str) -> str:
    """The company a person works for, folded so that spellings of one name group together."""
    text = unicodedata.normalize("NFKC", company or "").casefold()
    text = re.sub(r"[\s.,()（）·\-]+", " ", text).strip()
    return re.sub(
        r"\b(co|ltd|inc|llc|gmbh|corp|limited|company)\b|有限公司|公司$", "", text
    ).strip()


@dataclass
class Company:
    """A company's people at the show, rolled up (key accounts by company)."""

    name: str
    people: int = 0
    attended: int = 0
    hot_leads: int = 0
    contribution: int = 0
    key_people: list[str] = field(default_factory=list)
    categories: Counter = field(default_factory=Counter)

    def add(self, full_name: str, category: str, m: dict) -> None:
        """Count one person of the company."""
        self.people += 1
        self.attended += m["attended"]
        self.hot_leads += m["contribution"]["hot_leads"]
        self.contribution += m["contribution"]["score"]
        self.categories[category] += 1
        if m["key_account"]:
            self.key_people.append(full_name)

    def key_reason(self, limits: Thresholds) -> str:
        """Why the company is a key account: a key person, or its people's summed contribution."""
        if self.key_people:
            names = ", ".join(self.key_people[:3]) + (" …" if len(self.key_people) > 3 else "")
            return f"{len(self.key_people)} key people 大客户: {names}"
        if self.contribution >= limits.key_company_contribution:
            return f"contribution 贡献 {self.contribution} ≥ {limits.key_company_contribution}"
        return ""


def roll_up(companies: dict[str, Company], row, m: dict) -> None:
    """Add one person's metrics to their company's roll-up (people without a company left out)."""
    key = company_key(row["company"])
    if not key or row["category"] == "staff":
        return
    company = companies.setdefault(key, Company(row["company"]))
    company.add(row["full_name"], row["category"], m)


def local_time(at: str, tz: ZoneInfo) -> datetime:
    """A stored UTC time in the show's time zone."""
    return from_iso(at).astimezone(tz)
