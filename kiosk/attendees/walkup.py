"""Walk-up registration: the form a show offers, and register() — one person, once."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kiosk import events
from kiosk.attendees import registry
from kiosk.attendees.fields import clean_person
from kiosk.checkin.scans import attendee_summary
from kiosk.config import ConfigError, Settings
from kiosk.errors import Conflict, FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage import attendees as sql

FORM_FIELDS = (
    "full_name",
    "company",
    "job_title",
    "email",
    "phone",
    "country",
    "city",
    "industry",
    "main_business",
    "purchasing_role",
    "budget",
)
DEFAULT_FIELDS = ("full_name", "company", "job_title", "email", "phone")


class AlreadyRegistered(Conflict):
    """The person is on file already (same email, phone, or name and company).

    The details name the record found and what matched; `attendee` is what a kiosk may show of it.
    """

    code = "already_registered"

    def __init__(self, row: sqlite3.Row, matched_on: str, attendee: dict | None = None):
        super().__init__(
            "this person is registered already",
            attendee_id=row["id"],
            matched_on=matched_on,
            attendee=attendee
            or {"id": row["id"], "full_name": row["full_name"], "company": row["company"]},
        )
        self.row = row
        self.matched_on = matched_on


@dataclass(frozen=True)
class Form:
    """What the walk-up form asks, per category, as configured in [registration]."""

    categories: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    required: dict[str, tuple[str, ...]]


def form(settings: Settings) -> Form:
    """The walk-up form from [registration]; ConfigError names a bad key."""
    section = settings.extra.get("registration", {})
    if not isinstance(section, dict):
        raise ConfigError("registration: expected a table")
    categories = tuple(section.get("categories", tuple(settings.categories)))
    for c in categories:
        if c not in settings.categories:
            raise ConfigError(f"registration.categories: unknown category '{c}'")
    if not categories:
        raise ConfigError("registration.categories: at least one category")
    base = tuple(section.get("fields", DEFAULT_FIELDS))
    per_category = section.get("fields_by_category", {})
    if not isinstance(per_category, dict):
        raise ConfigError("registration.fields_by_category: expected a table")
    fields, required = {}, {}
    for c in categories:
        wanted = tuple(per_category.get(c, base))
        for name in wanted:
            if name not in FORM_FIELDS:
                where = (
                    f"registration.fields_by_category.{c}"
                    if c in per_category
                    else "registration.fields"
                )
                raise ConfigError(
                    f"{where}: unknown field '{name}' (known: {', '.join(FORM_FIELDS)})"
                )
        needed = settings.categories[c].required
        fields[c] = tuple(dict.fromkeys((*wanted, *[n for n in needed if n in FORM_FIELDS])))
        required[c] = tuple(n for n in fields[c] if n in needed or n == "full_name")
    return Form(categories, fields, required)


def _consents(raw, settings: Settings) -> tuple[dict[str, bool], dict[str, str]]:
    errors: dict[str, str] = {}
    given: dict[str, bool] = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"consents": "expected an object of consent = true/false"}
    for key, value in raw.items():
        if key not in settings.consents:
            errors[f"consents.{key}"] = "unknown consent"
        elif not isinstance(value, bool):
            errors[f"consents.{key}"] = "expected true or false"
        else:
            given[key] = value
    for key, consent in settings.consents.items():
        if consent.required and given.get(key) is not True and f"consents.{key}" not in errors:
            errors[f"consents.{key}"] = "required"
    return given, errors


def register(
    store: Store,
    settings: Settings,
    keys: Keys,
    raw: dict,
    *,
    device_id: int | None,
    source: str = "walk-up",
    walkup_form: Form | None = None,
) -> tuple[sqlite3.Row, str]:
    """Validate, refuse a duplicate, create the person with consents; return (row, badge code)."""
    errors: dict[str, str] = {}
    given, consent_errors = _consents(raw.get("consents"), settings)
    category = raw.get("category") or (walkup_form.categories[0] if walkup_form else "visitor")
    if not isinstance(category, str):
        raise FieldErrors({"category": "expected a category id (text)"})
    if walkup_form is not None and category not in walkup_form.categories:
        errors["category"] = f"one of {', '.join(walkup_form.categories)}"
    fields = {k: raw.get(k) for k in (*FORM_FIELDS, "country", "interests", "language")}
    person = None
    try:
        person = clean_person({**fields, "category": category}, settings)
    except FieldErrors as exc:
        errors.update(exc.fields)
    if walkup_form is not None and category in walkup_form.required and person is not None:
        for name in walkup_form.required[category]:
            if not person.get(name):
                errors.setdefault(name, "required")
    errors.update(consent_errors)
    if errors or person is None:
        raise FieldErrors(errors)
    language = (
        raw.get("language")
        if isinstance(raw.get("language"), str) and raw.get("language") in settings.languages
        else settings.default_language
    )
    person["language"] = language
    with store.write() as conn:
        found = sql.same_person(
            conn,
            email_key=person["email_key"],
            phone=person["phone"],
            full_name=person["full_name"],
            company=person["company"],
        )
        if found is not None:
            raise AlreadyRegistered(*found, attendee_summary(found[0], settings))
        attendee_id, code = registry.create(conn, keys, person, source=source, device_id=device_id)
        registry.record_consents(
            conn, settings, attendee_id, given, language=language, device_id=device_id
        )
        row = sql.get(conn, attendee_id)
    events.publish(
        store,
        events.Registered(
            attendee_id=attendee_id,
            category=person["category"],
            source=source,
            at=row["created_at"],
            device_id=device_id,
        ),
    )
    return row, code
