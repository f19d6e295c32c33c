"""Pre-registration import from the ticketing system's CSV.

A row is a person already on file when its external_id is known, or by the registration rule
(same email, phone, or name and company) unless both carry different ticket ids; such a row
updates that person. Every other row registers a new person, announced like a walk-up.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.attendees import registration, registry
from kiosk.attendees.consents import import_defaults, latest
from kiosk.attendees.fields import clean_person, clean_text, parse_bool
from kiosk.config import Settings
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store, to_iso
from kiosk.storage import attendees as sql

REQUIRED_HEADERS = ("full_name",)
BATCH = 500
# Per consent the file may give: consent_<id> (the answer), consent_<id>_version, consent_<id>_at.
CONSENT_SUFFIXES = ("", "_version", "_at")


@dataclass
class Answers:
    """The consents one row gives: answer, text version and time per consent id."""

    granted: dict[str, bool] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, not UTF-8, no header)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0  # rows of people erased on request, not registered again
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows read, good and bad."""
        return self.created + self.updated + self.unchanged + self.erased + len(self.errors)


def read_rows(
    path: Path, required: tuple[str, ...] = REQUIRED_HEADERS
) -> tuple[list[str], list[tuple[int, dict]]]:
    """Rows of a UTF-8 CSV (BOM or not) keyed by normalised header, each with its line number."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise ImportFileError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}: not UTF-8 text (line ~{text_line(exc)})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFileError(f"{path}: empty file") from exc
    except csv.Error as exc:
        raise ImportFileError(f"{path}: {exc}") from exc
    headers = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFileError(f"{path}: missing column {', '.join(missing)}")
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            line = reader.line_num
            if len(values) > len(headers):
                rows.append(
                    (line, {"__error__": f"{len(values)} values for {len(headers)} columns"})
                )
                continue
            rows.append((line, dict(zip(headers, values, strict=False))))
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from exc
    return headers, rows


def text_line(exc: UnicodeDecodeError) -> int:
    """The 1-based line where undecodable bytes start."""
    return exc.object[: exc.start].count(b"\n") + 1


def check_consent_columns(path: Path, headers: list[str], settings: Settings) -> None:
    """Refuse a file whose consent columns name a consent this show does not have."""
    known = {f"consent_{key}{suffix}" for key in settings.consents for suffix in CONSENT_SUFFIXES}
    unknown = [h for h in headers if h.startswith("consent_") and h not in known]
    if unknown:
        choices = ", ".join(f"consent_{key}" for key in settings.consents) or "none"
        raise ImportFileError(f"{path}: unknown consent column {unknown[0]} (this show: {choices})")


def consent_answers(raw: dict, settings: Settings) -> Answers:
    """The consents a row answers; FieldErrors names a bad answer or time."""
    answers, errors = Answers(), {}
    for key in settings.consents:
        column = f"consent_{key}"
        value = (raw.get(column) or "").strip()
        if not value:
            continue  # not answered: the consent's import_default, or nothing
        try:
            answers.granted[key] = parse_bool(value)
        except ValueError as exc:
            errors[column] = str(exc)
            continue
        version = clean_text(raw.get(f"{column}_version"))
        if version:
            answers.versions[key] = version
        when = (raw.get(f"{column}_at") or "").strip()
        if when:
            try:
                moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                errors[f"{column}_at"] = "expected an ISO 8601 time, e.g. 2026-10-01T09:30:00+08:00"
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=settings.timezone)
            answers.times[key] = to_iso(moment)
    if errors:
        raise FieldErrors(errors)
    return answers


def import_attendees(
    store: Store,
    settings: Settings,
    keys: Keys,
    path: Path,
    *,
    progress: Callable[[Iterable], Iterable] = lambda rows: rows,
) -> ImportReport:
    """Import pre-registrations: new people get a badge code, changed rows update, bad rows report."""
    headers, rows = read_rows(path)
    check_consent_columns(path, headers, settings)
    report = ImportReport()
    seen_ids: dict[str, int] = {}
    batch: list[tuple[int, dict]] = []
    for item in progress(rows):
        batch.append(item)
        if len(batch) >= BATCH:
            _import_batch(store, settings, keys, batch, report, seen_ids)
            batch = []
    if batch:
        _import_batch(store, settings, keys, batch, report, seen_ids)
    return report


def _import_batch(store, settings, keys, batch, report, seen_ids) -> None:
    created: list[registration.Registration] = []
    with store.write() as conn:
        for line, raw in batch:
            if "__error__" in raw:
                report.errors.append((line, raw["__error__"]))
                continue
            try:
                person = clean_person(raw, settings)
                answers = consent_answers(raw, settings)
            except FieldErrors as exc:
                report.errors.append((line, str(exc)))
                continue
            person["external_id"] = clean_text(raw.get("external_id"))
            if person["external_id"] in seen_ids:
                report.errors.append(
                    (
                        line,
                        f"external_id: '{person['external_id']}' repeats line "
                        f"{seen_ids[person['external_id']]}",
                    )
                )
                continue
            if person["external_id"]:
                seen_ids[person["external_id"]] = line
            applicant = registration.Applicant(
                person,
                answers.granted,
                consent_versions=answers.versions,
                consent_times=answers.times,
            )
            done = _import_person(conn, settings, keys, applicant, report)
            if done is not None:
                created.append(done)
    registration.announce(store, created)


def _known(conn, person: dict) -> sqlite3.Row | None:
    """The person on file this row is about: by ticket id, else by the registration rule."""
    if person["external_id"]:
        existing = sql.by_external_id(conn, person["external_id"])
        if existing is not None:
            return existing
    found = registration.on_file(conn, person)
    if found is None:
        return None
    existing, _ = found
    if existing["external_id"] and person["external_id"]:
        return None  # another ticket: a colleague sharing an inbox, a namesake
    return existing


def _import_person(conn, settings, keys, applicant, report) -> registration.Registration | None:
    person = applicant.person
    defaults = import_defaults(settings)
    existing = _known(conn, person)
    if existing is None and sql.any_erased_key(
        conn, registry.erased_keys(keys, person["external_id"], person["email_key"])
    ):
        report.erased += 1
        return None
    if existing is None:
        report.created += 1
        applicant.consents.update(
            {k: v for k, v in defaults.items() if k not in applicant.consents}
        )
        return registration.create(conn, settings, keys, applicant, source="import")
    # An empty cell never erases: what a visitor typed at the kiosk stays when their ticket comes.
    changes = {k: v for k, v in registry.changes_between(existing, person).items() if v}
    if person["external_id"] and not existing["external_id"]:
        changes["external_id"] = person["external_id"]
    current = latest(sql.consents(conn, existing["id"]))
    new_consents = {
        k: v
        for k, v in applicant.consents.items()
        if k not in current
        or bool(current[k]["granted"]) != v
        or current[k]["version"] != (applicant.consent_versions.get(k) or current[k]["version"])
    }
    # A default is recorded only for a consent the person never answered.
    new_consents.update(
        {k: v for k, v in defaults.items() if k not in current and k not in applicant.consents}
    )
    if not changes and not new_consents:
        report.unchanged += 1
        return None
    if changes:
        registry.apply_update(conn, existing, changes, reason="import")
    if new_consents:
        registry.record_consents(
            conn,
            settings,
            existing["id"],
            new_consents,
            language=existing["language"] or settings.default_language,
            source="import",
            versions=applicant.consent_versions,
            times=applicant.consent_times,
        )
    report.updated += 1
    return None
