"""The person's fields and how what people type becomes clean data (screening, 甄别)."""

from __future__ import annotations

import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kiosk.config import Settings
from kiosk.errors import FieldErrors

TEXT_FIELDS = (
    "full_name",
    "company",
    "job_title",
    "email",
    "phone",
    "country",
    "city",
    "address",
    "industry",
    "main_business",
    "purchasing_role",
    "budget",
    "crm_id",
    "language",
)
MAX_LEN = 200
TRUE_WORDS = {"yes", "y", "true", "1", "是", "同意", "on"}
FALSE_WORDS = {"no", "n", "false", "0", "否", "", "off"}


def clean_text(value) -> str:
    """Trim, normalise Unicode (full-width letters to ASCII) and collapse inner whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def normalise_email(value: str) -> str:
    """A syntactically valid email, domain lower-cased; raises ValueError with a reason."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def normalise_phone(value: str, region: str) -> str:
    """A phone number in E.164; raises ValueError when it is not a possible number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_bool(value) -> bool:
    """yes/no, true/false, 1/0 (and 是/否) as a bool; raises ValueError otherwise."""
    if isinstance(value, bool):
        return value
    word = clean_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{value}' is not yes/no")


def clean_person(raw: dict, settings: Settings, *, default_category: str = "visitor") -> dict:
    """Validate and normalise a person's fields; raise FieldErrors naming each bad field."""
    errors: dict[str, str] = {}
    person: dict = {}
    for name in TEXT_FIELDS:
        value = clean_text(raw.get(name))
        if len(value) > MAX_LEN:
            errors[name] = f"longer than {MAX_LEN} characters"
        person[name] = value
    category = clean_text(raw.get("category")).lower() or default_category
    if category not in settings.categories:
        errors["category"] = f"unknown category '{category}'"
    person["category"] = category
    interests = raw.get("interests") or []
    if isinstance(interests, str):
        interests = [i.strip() for i in interests.replace("；", ";").split(";") if i.strip()]
    if not isinstance(interests, list) or not all(isinstance(i, str) for i in interests):
        errors["interests"] = "expected a list of texts"
        interests = []
    person["interests"] = [clean_text(i) for i in interests][:30]
    if person["email"]:
        try:
            person["email"] = normalise_email(person["email"])
        except ValueError as exc:
            errors["email"] = str(exc)
    if person["phone"]:
        try:
            person["phone"] = normalise_phone(person["phone"], settings.default_region)
        except ValueError as exc:
            errors["phone"] = str(exc)
    if person["language"] and person["language"] not in settings.languages:
        person["language"] = ""
    if category in settings.categories:
        for required in settings.categories[category].required:
            if not person.get(required) and required not in errors:
                errors[required] = "required"
    if not person["full_name"] and "full_name" not in errors:
        errors["full_name"] = "required"
    if errors:
        raise FieldErrors(errors)
    person["email_key"] = person["email"].lower()
    return person
