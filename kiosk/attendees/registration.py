"""Registering a person: the one way anybody comes on file (walk-up kiosk, staff desk, import).

`register()` takes one person from a form: it screens the fields and consents, refuses a person
already on file, and creates the person with their badge code, consents, the `registered`
interaction and (for staff) the audit row in one transaction, then publishes `Registered`.
The import screens its rows itself (a CSV has its own consent column), matches known people to
update them, and creates the others with the same `create()` in batches, publishing one
`Registered` per new person after each batch commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from kiosk import events
from kiosk.attendees import registry, screening, search_keys
from kiosk.attendees.fields import (
    FORM_FIELDS,
    MAX_LEN,
    PHONE_ERRORS,
    TYPED,
    clean_person,
    clean_text,
)
from kiosk.attendees.walkup import Form
from kiosk.checkin.scans import attendee_summary
from kiosk.config import Settings
from kiosk.errors import Conflict, FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage import attendees as sql
from kiosk.storage.interactions import append, audit

# What the walk-up form may send; staff may give any field a person types.
WALKUP_FIELDS = (*FORM_FIELDS, "interests", "language")
MATCHED_ON = {"email": "email", "phone": "phone", "name_company": "name and company"}


class AlreadyRegistered(Conflict):
    """The person is on file already: the same email (any case), phone, or name and company.

    The details name the record found and what matched; `attendee` is what staff see of it. At a
    kiosk (`withheld`) the answer names nobody: only the id that the person's proof goes with
    (kiosk.checkin.identity), never a name, a company or what matched.
    """

    code = "already_registered"

    def __init__(
        self,
        existing: sqlite3.Row,
        matched_on: str,
        attendee: dict | None = None,
        *,
        withheld: bool = False,
    ):
        if withheld:
            super().__init__(
                "already registered: prove it is you with the last four digits of your phone"
                " or your whole e-mail",
                attendee_id=existing["id"],
            )
        else:
            super().__init__(
                f"already registered as person {existing['id']} (same {MATCHED_ON[matched_on]})",
                attendee_id=existing["id"],
                matched_on=matched_on,
                attendee=attendee
                or {
                    "id": existing["id"],
                    "full_name": existing["full_name"],
                    "company": existing["company"],
                },
            )
        self.existing = existing
        self.matched_on = matched_on


@dataclass(frozen=True)
class Applicant:
    """A person ready to be put on file: clean fields, the consents they answered, and flags
    screening raised while cleaning (a walk-up's phone that is not a number)."""

    person: dict
    consents: dict[str, bool]
    flags: list[dict] = field(default_factory=list)
    # What the ticketing system recorded with an imported answer: its text version and time.
    consent_versions: dict[str, str] = field(default_factory=dict)
    consent_times: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Registration:
    """A person just put on file, with the code printed on their badge."""

    attendee: sqlite3.Row
    code: str
    source: str
    device_id: int | None

    @property
    def attendee_id(self) -> int:
        """The new person's id."""
        return self.attendee["id"]


def consents_given(raw, settings: Settings) -> tuple[dict[str, bool], dict[str, str]]:
    """The consents answered in a registration body, and errors as `consents.<id>`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"consents": "expected an object of consent = true/false"}
    errors: dict[str, str] = {}
    given: dict[str, bool] = {}
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


def screen(raw: dict, settings: Settings, *, form: Form | None = None) -> Applicant:
    """Clean a registration body; FieldErrors names every bad field and missing consent.

    With the walk-up `form` only its categories, its fields and its required fields apply;
    without it (staff) any category and any field a person types.
    """
    errors: dict[str, str] = {}
    given, consent_errors = consents_given(raw.get("consents"), settings)
    category = raw.get("category") or (form.categories[0] if form else "visitor")
    if not isinstance(category, str):
        raise FieldErrors({"category": "expected a category id (text)"})
    if form is not None and category not in form.categories:
        errors["category"] = f"one of {', '.join(form.categories)}"
    wanted = WALKUP_FIELDS if form is not None else TYPED
    person = None
    try:
        person = clean_person({**{k: raw.get(k) for k in wanted}, "category": category}, settings)
    except FieldErrors as exc:
        errors.update(exc.fields)
    if form is not None and person is not None:
        for name in form.required.get(category, ()):
            if not person.get(name):
                errors.setdefault(name, "required")
    errors.update(consent_errors)
    flags: list[dict] = []
    if form is not None and errors.get("phone") in PHONE_ERRORS and len(errors) == 1:
        # A walk-up is not lost to a mistyped phone: it is left out and flagged for the desk.
        typed = clean_text(raw.get("phone"))[:MAX_LEN]
        fields = {**{k: raw.get(k) for k in wanted}, "category": category, "phone": ""}
        person = clean_person(fields, settings, waive=("phone",))
        errors = {
            name: "required"
            for name in form.required.get(category, ())
            if name != "phone" and not person.get(name)
        }
        flags.append({"flag": "invalid_phone", "field": "phone", "typed": typed})
    if errors or person is None:
        raise FieldErrors(errors)
    person["language"] = person["language"] or settings.default_language
    return Applicant(person, given, flags)


def on_file(conn: sqlite3.Connection, person: dict) -> tuple[sqlite3.Row, str] | None:
    """The active person this one already is, and on what: email, phone or name_company."""
    return sql.same_person(
        conn,
        email_key=person["email_key"],
        phone=person["phone"],
        full_name=person["full_name"],
        company=person["company"],
    )


def create(
    conn: sqlite3.Connection,
    settings: Settings,
    keys: Keys,
    applicant: Applicant,
    *,
    source: str,
    device_id: int | None = None,
    actor: str = "",
) -> Registration:
    """Inside a write: the person, their badge code, consents, `registered` and (staff) audit."""
    person = applicant.person
    attendee_id = sql.insert(
        conn, {**person, "source": source, "search_keys": search_keys.build(person)}
    )
    flags = applicant.flags + screening.check(person)
    if flags:
        sql.set_flags(conn, attendee_id, flags)
    code = registry.issue_badge(conn, keys, attendee_id)
    append(
        conn,
        "registered",
        attendee_id=attendee_id,
        device_id=device_id,
        data={"source": source, "category": person["category"]},
    )
    registry.record_consents(
        conn,
        settings,
        attendee_id,
        applicant.consents,
        language=person.get("language") or settings.default_language,
        device_id=device_id,
        source=source,
        versions=applicant.consent_versions,
        times=applicant.consent_times,
    )
    if actor:
        audit(
            conn,
            actor,
            "person.register",
            f"attendee:{attendee_id}",
            after={k: person[k] for k in ("full_name", "company", "category")},
        )
    return Registration(sql.get(conn, attendee_id), code, source, device_id)


def announce(store: Store, registrations: Iterable[Registration]) -> None:
    """Publish one `Registered` per person put on file (after their transaction committed)."""
    for done in registrations:
        events.publish(
            store,
            events.Registered(
                attendee_id=done.attendee_id,
                category=done.attendee["category"],
                source=done.source,
                at=done.attendee["created_at"],
                device_id=done.device_id,
            ),
        )


def register(
    store: Store,
    settings: Settings,
    keys: Keys,
    raw: dict,
    *,
    source: str,
    device_id: int | None,
    actor: str = "",
    form: Form | None = None,
) -> Registration:
    """Register one person from a form; AlreadyRegistered when they are on file already.

    The duplicate check runs inside the write, so two kiosks sending the same person at once
    create one. `actor` (staff) adds the audit row; `form` (a kiosk) limits what may be sent,
    and a kiosk's AlreadyRegistered names nobody (`withheld`).
    """
    applicant = screen(raw, settings, form=form)
    with store.write() as conn:
        sql.lock_registrations(conn)
        found = on_file(conn, applicant.person)
        if found is not None:
            existing, matched_on = found
            raise AlreadyRegistered(
                existing,
                matched_on,
                attendee_summary(existing, settings),
                withheld=form is not None,
            )
        done = create(
            conn, settings, keys, applicant, source=source, device_id=device_id, actor=actor
        )
    announce(store, [done])
    return done
