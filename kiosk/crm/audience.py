"""Who an invitation may go to, and why: the one place invitations read consent and lifecycle.

Invitations go to earlier editions' people before this show, so their standing is read from
the history as it stood after the previous edition: `metrics.earlier_editions` and
`metrics.lifecycle` give the stage, `metrics.compute` the key-account flag, and
`records.permissions` the marketing consent (`crm.marketing_consent`). Should those change,
only this module follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from kiosk.attendees import consents as consent_rules
from kiosk.attendees.fields import PERSON, parse_bool
from kiosk.config import Settings
from kiosk.crm import metrics, records
from kiosk.crm.people import Person

SEGMENTS = ("regulars", "lapsed", "key-accounts")
# No survey of this show yet: the stage is read from the history alone.
NO_SURVEY = {"satisfaction": None, "recommend": None, "nps_group": None, "return_intent": None}


def marketing_consent(settings: Settings) -> str:
    """The consent that allows invitations (`crm.marketing_consent`, default `marketing`)."""
    return consent_rules.consent_for(settings, "marketing")


def erased(person: Person) -> bool:
    """Whether the person was erased on request (never invited, never listed)."""
    return person.row["status"] == "erased" or any(
        str(h["email_key"]).startswith("erased:") for h in person.history
    )


def may_invite(person: Person, settings: Settings) -> bool:
    """True only when the person's latest answer to the marketing consent is yes."""
    if erased(person):
        return False
    return records.permissions(person, settings)["marketing"]["allowed"]


@dataclass
class Standing:
    """A person's place among earlier editions' people: segments and the reasons for each."""

    editions: list[str]
    segments: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    stage: str = ""


def standing(person: Person, ctx: metrics.ShowContext) -> Standing:
    """Which segments the person is in, from their history and the CRM metrics."""
    came, missed = metrics.earlier_editions(person, ctx)
    result = Standing(editions=came)
    if not came:
        return result
    at_previous = ctx.previous_edition is not None and ctx.previous_edition in came
    # The stage the person would be in if they came now: regular from their third edition on.
    coming = metrics.lifecycle(len(came), True, True, NO_SURVEY)
    result.stage = coming
    if at_previous and coming == "stability":
        result.segments.append("regulars")
        result.reasons.append(
            f"regulars: attended {len(came)} editions ({', '.join(came)}), the last one included"
        )
    # As of the previous edition: came before and not then, the metrics' decline.
    then = metrics.lifecycle(len(came), at_previous, True, NO_SURVEY)
    if then == "decline":
        result.stage = "decline"
        result.segments.append("lapsed")
        result.reasons.append(
            f"lapsed: last came to {came[-1]}, missed {ctx.previous_edition}"
            if ctx.previous_edition
            else f"lapsed: last came to {came[-1]}"
        )
    indicators = metrics.compute(person, ctx)
    if indicators["key_account"]:
        result.segments.append("key-accounts")
        result.reasons.append(f"key-accounts: {indicators['key_account_reason']}")
    return result


def from_history(rows: list, settings: Settings) -> Person:
    """A person known only from the imported history, with what the CRM's columns say.

    Extra columns of the history import are kept: `full_name`, `company`, `job_title`,
    `language`, `industry`, `purchasing_role`, and `consent_ID` (yes/no) for each consent."""
    latest: dict = {}
    for row in rows:  # oldest first: a later edition's value wins
        latest.update(json.loads(row["data"] or "{}"))
    email = next((r["email_key"] for r in reversed(rows) if r["email_key"]), "")
    external_id = next((r["external_id"] for r in reversed(rows) if r["external_id"]), "")
    category = next((r["category"] for r in reversed(rows) if r["category"]), "")
    person_row = {
        **{f.name: "" for f in PERSON},
        "id": None,
        "external_id": external_id,
        "email": "" if email.startswith("erased:") else email,
        "full_name": latest.get("full_name", ""),
        "company": latest.get("company", ""),
        "job_title": latest.get("job_title", ""),
        "language": latest.get("language", ""),
        "industry": latest.get("industry", ""),
        "purchasing_role": latest.get("purchasing_role", ""),
        "interests": "[]",
        "category": category,
        "status": "active",
    }
    consents = []
    for key, value in latest.items():
        if not key.startswith("consent_"):
            continue
        try:
            granted = parse_bool(value)
        except ValueError:
            continue
        consents.append(
            {
                "consent": key[len("consent_") :],
                "granted": granted,
                "exhibitor_id": None,
                "version": "",
                "at": "",
                "source": "history",
            }
        )
    return Person(row=person_row, consents=consents, history=rows)  # type: ignore[arg-type]
