"""Consent as data: which recorded answer allows what, and what an import records by default.

Every answer is a row (consent, granted, version, time, source: walk-up, staff, import, booth);
the latest show-wide answer to a consent is the person's answer, and an answer given at a booth
holds for that exhibitor alone. A purpose (sending contact details to the CRM, sharing them with
exhibitors, marketing mail) is covered by the consent the configuration names for it; without a
granted answer to that consent the purpose is not allowed: nothing is assumed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from kiosk.config import Settings
from kiosk.storage import attendees as sql

# Purpose -> ([crm] key naming its consent, the consent it is when the key is not set).
PURPOSES = {
    "crm": ("contact_consent", "terms"),
    "share_with_exhibitors": ("share_consent", "share_with_exhibitors"),
    "marketing": ("marketing_consent", "marketing"),
}


def consent_for(settings: Settings, purpose: str) -> str:
    """The consent that covers a purpose (`[crm]` in the configuration)."""
    key, default = PURPOSES[purpose]
    return str(settings.extra.get("crm", {}).get(key, default))


def latest(rows: Iterable[sqlite3.Row], exhibitor_id: int | None = None) -> dict[str, sqlite3.Row]:
    """The answer in force per consent: show-wide, or for one exhibitor (its booth's beats)."""
    show_wide: dict[str, sqlite3.Row] = {}
    booth: dict[str, sqlite3.Row] = {}
    for row in rows:  # oldest first: a later answer replaces an earlier one
        if row["exhibitor_id"] is None:
            show_wide[row["consent"]] = row
        elif exhibitor_id is not None and row["exhibitor_id"] == exhibitor_id:
            booth[row["consent"]] = row
    return {**show_wide, **booth}


def _permission(consent: str, answer) -> dict:
    if answer is None:
        return {
            "allowed": False,
            "consent": consent,
            "granted": None,
            "version": "",
            "at": "",
            "source": "",
        }
    return {
        "allowed": bool(answer["granted"]),
        "consent": consent,
        "granted": bool(answer["granted"]),
        "version": answer["version"],
        "at": answer["at"],
        "source": answer["source"],
    }


def permission(
    rows: Iterable[sqlite3.Row], settings: Settings, purpose: str, exhibitor_id: int | None = None
) -> dict:
    """Whether a purpose is allowed, and by which answer: consent, version, time and source."""
    consent = consent_for(settings, purpose)
    return _permission(consent, latest(rows, exhibitor_id).get(consent))


def permissions(rows: list[sqlite3.Row], settings: Settings) -> dict[str, dict]:
    """The show-wide permission of every purpose."""
    answers = latest(rows)
    section = settings.extra.get("crm", {})
    return {
        purpose: _permission(consent, answers.get(consent))
        for purpose, (key, default) in PURPOSES.items()
        for consent in (str(section.get(key, default)),)
    }


def allows(
    conn: sqlite3.Connection,
    settings: Settings,
    attendee_id: int,
    purpose: str,
    *,
    exhibitor_id: int | None = None,
) -> bool:
    """Whether the person's recorded consents allow a purpose (crm, share_with_exhibitors,
    marketing); an erased or merged-away record allows nothing."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose '{purpose}' (one of {', '.join(PURPOSES)})")
    person = sql.get(conn, attendee_id)
    if person is None or person["status"] != "active":
        return False
    return permission(sql.consents(conn, attendee_id), settings, purpose, exhibitor_id)["allowed"]


def import_defaults(settings: Settings) -> dict[str, bool]:
    """The answers an imported person gets where the file gives none (`import_default`)."""
    return {
        key: consent.import_default
        for key, consent in settings.consents.items()
        if consent.import_default is not None
    }
