"""A contact as a business card gives it: the fields booth staff confirm, checked and compared."""

from __future__ import annotations

import json

from kiosk.attendees.fields import normalise_email, normalise_phone
from kiosk.errors import FieldErrors

TEXTS = ("full_name", "company", "job_title", "website", "address")
KEYS = (*TEXTS, "emails", "phones")
PHONE_TYPES = ("mobile", "office", "fax", "other")
MAX_TEXT = 300
MAX_ITEMS = 5


def empty() -> dict:
    """A contact with nothing on it."""
    return {**{k: "" for k in TEXTS}, "emails": [], "phones": []}


def _phone(number: str, region: str) -> str:
    try:
        return normalise_phone(number, region)
    except ValueError:
        return number


def from_reading(fields, region: str) -> dict:
    """A card reading's fields (a dataclass or a dict) as a plain contact, numbers in E.164
    where they are valid."""
    raw = fields if isinstance(fields, dict) else dict(vars(fields))
    contact = empty()
    for key in TEXTS:
        contact[key] = str(raw.get(key) or "").strip()
    contact["emails"] = [str(e).strip() for e in raw.get("emails") or [] if str(e).strip()]
    phones = []
    for phone in raw.get("phones") or []:
        item = phone if isinstance(phone, dict) else dict(vars(phone))
        number = str(item.get("number") or "").strip()
        if number:
            kind = item.get("type") if item.get("type") in PHONE_TYPES else "other"
            phones.append({"number": _phone(number, region), "type": kind})
    contact["phones"] = phones
    return contact


def clean(raw, region: str, where: str = "fields", *, as_read: bool = False) -> dict:
    """The contact as staff confirmed or corrected it; FieldErrors names e.g. fields.emails[0].

    as_read: the card as the reader gave it, unconfirmed; what is not valid on it is left out
    rather than refused, so that a card saved without staff looking still becomes its lead.
    """
    if not isinstance(raw, dict):
        raise FieldErrors({where: "an object with full_name, company, emails, phones, ..."})
    errors: dict[str, str] = {}
    contact = empty()
    for key in raw:
        if key not in KEYS:
            errors[f"{where}.{key}"] = f"not a card field (one of {', '.join(KEYS)})"
    for key in TEXTS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            errors[f"{where}.{key}"] = f"a text of at most {MAX_TEXT} characters"
        else:
            contact[key] = " ".join(value.split()) if key != "address" else value.strip()
    emails = raw.get("emails") or []
    if not isinstance(emails, list) or len(emails) > MAX_ITEMS:
        errors[f"{where}.emails"] = f"a list of at most {MAX_ITEMS} e-mail addresses"
        emails = []
    for n, email in enumerate(emails):
        try:
            contact["emails"].append(normalise_email(email if isinstance(email, str) else ""))
        except ValueError:
            errors[f"{where}.emails[{n}]"] = "not a valid e-mail address"
    phones = raw.get("phones") or []
    if not isinstance(phones, list) or len(phones) > MAX_ITEMS:
        errors[f"{where}.phones"] = f"a list of at most {MAX_ITEMS} phone numbers"
        phones = []
    for n, phone in enumerate(phones):
        item = phone if isinstance(phone, dict) else {"number": phone}
        kind = item.get("type") or "other"
        try:
            number = normalise_phone(str(item.get("number") or ""), region)
        except ValueError:
            errors[f"{where}.phones[{n}]"] = "not a valid phone number"
            continue
        if kind not in PHONE_TYPES:
            errors[f"{where}.phones[{n}].type"] = f"one of {', '.join(PHONE_TYPES)}"
            continue
        contact["phones"].append({"number": number, "type": kind})
    if as_read:
        return contact
    if errors:
        raise FieldErrors(errors, "some card fields are not valid")
    if not any(contact[k] for k in KEYS):
        raise FieldErrors({where: "the card needs at least a name, company, e-mail or phone"})
    return contact


def keys(contact: dict) -> tuple[set[str], set[str]]:
    """The contact's e-mails (lower-cased) and phone numbers, to recognise the same person."""
    emails = {e.lower() for e in contact.get("emails") or []}
    phones = {p["number"] for p in contact.get("phones") or []}
    return emails, phones


def same_contact(rows, contact: dict):
    """The first of these lead rows whose card shares an e-mail or a phone with this contact."""
    emails, phones = keys(contact)
    for row in rows:
        theirs_e, theirs_p = keys(json.loads(row["contact"] or "{}"))
        if emails & theirs_e or phones & theirs_p:
            return row
    return None


def first_phone(contact: dict) -> str:
    """The number to call first: a mobile if there is one."""
    phones = contact.get("phones") or []
    mobile = [p["number"] for p in phones if p["type"] == "mobile"]
    return (mobile or [p["number"] for p in phones] or [""])[0]
