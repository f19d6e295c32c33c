"""The person's fields and how what people type becomes clean data (screening, 甄别)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kiosk.config import Settings
from kiosk.errors import FieldErrors


@dataclass(frozen=True)
class Field:
    """One fact about a person, and every place that fact goes.

    `kind`: "text" (typed, at most MAX_LEN characters; email and phone are checked too),
    "category", "list" (interests), "ticket" (the ticketing system's id, set by the import) or
    "record" (kept by the system). `kiosk` and `exhibitor` say what those devices see of it:
    "" nothing, "shown", "masked" (kiosk) or "shared" (exhibitor: only with the visitor's consent).
    """

    name: str
    zh: str
    en: str
    kind: str = "text"
    form: bool = False  # the walk-up form may ask it ([registration] fields)
    desk: bool = False  # staff correct it on the person page
    contact: bool = False  # withheld from the organiser's exports without the contact consent
    kiosk: str = ""
    exhibitor: str = ""
    badge: bool = False  # a badge layout may print it as "{name}"

    @property
    def label(self) -> dict[str, str]:
        """The field's name in each language."""
        return {"zh": self.zh, "en": self.en}

    @property
    def typed(self) -> bool:
        """Given by the person (registration form, desk, import), not kept by the system."""
        return self.kind in ("text", "category", "list")


# Every field of a person, each one exported, in the order of the organiser's export
# (docs/crm-export.md). Every list of a person's fields derives from this one.
# fmt: off
PERSON: tuple[Field, ...] = (
    Field("external_id", "票务编号", "Ticket id", kind="ticket"),
    Field("crm_id", "CRM 编号", "CRM id", desk=True),
    Field("status", "状态", "Status", kind="record"),
    Field("source", "来源", "Source", kind="record"),
    Field("full_name", "姓名", "Full name", form=True, desk=True, kiosk="shown", exhibitor="shared", badge=True),
    Field("company", "公司", "Company", form=True, desk=True, kiosk="shown", exhibitor="shown", badge=True),
    Field("job_title", "职位", "Job title", form=True, desk=True, kiosk="shown", exhibitor="shared", badge=True),
    Field("email", "电子邮箱", "Email", form=True, desk=True, contact=True, kiosk="masked", exhibitor="shared"),
    Field("phone", "手机号", "Mobile phone", form=True, desk=True, contact=True, kiosk="masked", exhibitor="shared"),
    Field("country", "国家/地区", "Country / region", form=True, desk=True, kiosk="shown", exhibitor="shown", badge=True),
    Field("city", "城市", "City", form=True, desk=True, contact=True, exhibitor="shared", badge=True),
    Field("address", "地址", "Address", desk=True, contact=True),
    Field("industry", "行业", "Industry", form=True, desk=True),
    Field("main_business", "主营业务", "Main business", form=True, desk=True),
    Field("category", "身份", "Category", kind="category", desk=True, kiosk="shown", exhibitor="shown", badge=True),
    Field("interests", "兴趣", "Interests", kind="list"),
    Field("purchasing_role", "采购角色", "Purchasing role", form=True, desk=True),
    Field("budget", "采购预算", "Purchasing budget", form=True, desk=True),
    Field("language", "语言", "Language", kiosk="shown"),
    Field("created_at", "登记时间", "Registered at", kind="record"),
    Field("updated_at", "更新时间", "Updated at", kind="record"),
)
# fmt: on
TEXT_FIELDS = tuple(f.name for f in PERSON if f.kind == "text")
TYPED = tuple(f.name for f in PERSON if f.typed)
FORM_FIELDS = tuple(f.name for f in PERSON if f.form)
DESK_FIELDS = tuple(f.name for f in PERSON if f.desk)
CONTACT_FIELDS = tuple(f.name for f in PERSON if f.contact)
# `kiosk import attendees` reads these columns (and consent_share_with_exhibitors).
IMPORT_COLUMNS = ("external_id", *TYPED)

MAX_LEN = 200
# What normalise_phone says of a number that is not one (as opposed to a missing one).
PHONE_ERRORS = ("not a phone number", "not a valid phone number")
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
        raise ValueError(PHONE_ERRORS[0]) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_ERRORS[1])
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


def clean_person(
    raw: dict, settings: Settings, *, default_category: str = "visitor", waive: tuple = ()
) -> dict:
    """Validate and normalise a person's fields; raise FieldErrors naming each bad field.

    `waive` names fields the category requires that may be left empty this time."""
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
            if not person.get(required) and required not in errors and required not in waive:
                errors[required] = "required"
    if not person["full_name"] and "full_name" not in errors:
        errors["full_name"] = "required"
    if errors:
        raise FieldErrors(errors)
    person["email_key"] = person["email"].lower()
    return person
