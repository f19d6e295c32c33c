"""The indicators the organiser's CRM acts on; docs/crm-metrics.md gives each formula."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.config import Settings
from kiosk.crm.people import Person
from kiosk.storage import from_iso

STAGES = ("exploration", "formation", "stability", "decline")
ROLES = ("decision_maker", "purchaser", "influencer", "user", "unknown")
ROLE_POINTS = {"decision_maker": 5, "purchaser": 5, "influencer": 2}
KEY_CATEGORIES = ("buyer", "vip")
KEY_HOT_LEADS = 2
KEY_CONTRIBUTION = 15
KEY_ROLE_HOT_LEADS = 3
KEY_EXHIBITOR_EDITIONS = 3

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
class ShowContext:
    """What every person's metrics are measured against."""

    edition: int
    event_id: str
    timezone: ZoneInfo
    previous_edition: str | None

    @classmethod
    def build(cls, settings: Settings, editions: list) -> ShowContext:
        """The show's own edition and the latest earlier edition on record."""
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
        )


def is_earlier(edition: int, event_id: str, name: str, year: int | None) -> bool:
    """Whether a history row is about an earlier edition than this show."""
    if year is not None:
        return year < edition
    return name not in (event_id, str(edition))


def purchasing_role(stated: str, job_title: str, category: str) -> str:
    """decision_maker, purchaser, influencer, user or unknown, from what the person told us."""
    texts = [t.lower() for t in (stated or "", job_title or "") if t.strip()]
    for text in texts:
        for role, pattern in ROLE_WORDS:
            if re.search(pattern, text):
                return role
    if category == "buyer":
        return "purchaser"
    return "user" if texts else "unknown"


def segment(row) -> dict:
    """Category, industry, interests and purchasing role, plus a key to group on."""
    role = purchasing_role(row["purchasing_role"], row["job_title"], row["category"])
    return {
        "category": row["category"],
        "industry": row["industry"],
        "interests": json.loads(row["interests"] or "[]"),
        "purchasing_role": role,
        "key": f"{row['category']}/{row['industry'] or '-'}/{role}",
    }


def _local_day(at: str, tz: ZoneInfo) -> str:
    return from_iso(at).astimezone(tz).date().isoformat()


def engagement(person: Person, tz: ZoneInfo) -> dict:
    """This show's facts: days attended, booths visited, sessions attended, leads and hot leads."""
    entries = [p["at"] for p in person.passages if p["type"] == "checked_in"]
    days = {_local_day(at, tz) for at in entries}
    sessions = {
        i["place"] for i in person.interactions if i["type"] == "session_attended" and i["place"]
    }
    return {
        "attended": bool(days),
        "days_attended": len(days),
        "first_check_in": entries[0] if entries else None,
        "booths_visited": len({lead["exhibitor_id"] for lead in person.leads}),
        "sessions_attended": len(sessions),
        "leads": len(person.leads),
        "hot_leads": sum(1 for lead in person.leads if lead["rating"] == "hot"),
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


def lifecycle(prior: int, here: bool, engaged: bool, return_intent: bool | None) -> str:
    """exploration, formation, stability or decline (docs/crm-metrics.md, "Lifecycle stage")."""
    if prior and (not here or return_intent is False or not engaged):
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


def contribution_score(facts: dict, role: str) -> int:
    """Booths + 2 a session + 3 a hot lead + role points (5 decision maker or purchaser, 2
    influencer) when the person came."""
    return (
        facts["booths_visited"]
        + 2 * facts["sessions_attended"]
        + 3 * facts["hot_leads"]
        + (ROLE_POINTS.get(role, 0) if facts["attended"] else 0)
    )


def key_account(category: str, role: str, facts: dict, score: int, editions: int) -> str:
    """Why the person is a key account (大客户), or '' when they are not."""
    if category in KEY_CATEGORIES and facts["hot_leads"] >= KEY_HOT_LEADS:
        return f"{category} with {facts['hot_leads']} hot leads"
    if category in KEY_CATEGORIES and score >= KEY_CONTRIBUTION:
        return f"{category} with contribution {score}"
    if role in ("decision_maker", "purchaser") and facts["hot_leads"] >= KEY_ROLE_HOT_LEADS:
        return f"{role} with {facts['hot_leads']} hot leads"
    if category == "exhibitor" and editions >= KEY_EXHIBITOR_EDITIONS:
        return f"exhibitor at {editions} editions"
    return ""


def compute(person: Person, ctx: ShowContext) -> dict:
    """Every indicator of one person, as exported."""
    row = person.row
    seg = segment(row)
    facts = engagement(person, ctx.timezone)
    survey = satisfaction(person)
    came, missed = earlier_editions(person, ctx)
    editions = len(came) + (1 if facts["attended"] else 0)
    engaged = bool(facts["booths_visited"] or facts["sessions_attended"])
    score = contribution_score(facts, seg["purchasing_role"])
    reason = key_account(row["category"], seg["purchasing_role"], facts, score, editions)
    retained = None
    if ctx.previous_edition is not None:
        retained = facts["attended"] and ctx.previous_edition in came
    return {
        "segment": seg,
        "lifecycle_stage": lifecycle(
            len(came), facts["attended"], engaged, survey["return_intent"]
        ),
        "returning": bool(came),
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
            "purchasing_role": seg["purchasing_role"],
            "score": score,
        },
        "attended": facts["attended"],
        "first_check_in": facts["first_check_in"],
        "key_account": bool(reason),
        "key_account_reason": reason,
    }


def local_time(at: str, tz: ZoneInfo) -> datetime:
    """A stored UTC time in the show's time zone."""
    return from_iso(at).astimezone(tz)
