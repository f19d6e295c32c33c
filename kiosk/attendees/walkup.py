"""The walk-up form a show offers on its kiosks, as configured in [registration]."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.attendees.fields import FORM_FIELDS
from kiosk.config import ConfigError, Settings

DEFAULT_FIELDS = ("full_name", "company", "job_title", "email", "phone")


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
