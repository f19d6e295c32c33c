"""Pre-registration import from the ticketing system's CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.attendees import registry
from kiosk.attendees.fields import clean_person, clean_text, parse_bool
from kiosk.config import Settings
from kiosk.errors import FieldErrors
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage import attendees as sql
from kiosk.storage.attendees import current_consents

REQUIRED_HEADERS = ("full_name",)
BATCH = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, not UTF-8, no header)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows read, good and bad."""
        return self.created + self.updated + self.unchanged + len(self.errors)


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


def import_attendees(
    store: Store,
    settings: Settings,
    keys: Keys,
    path: Path,
    *,
    progress: Callable[[Iterable], Iterable] = lambda rows: rows,
) -> ImportReport:
    """Import pre-registrations: new people get a badge code, changed rows update, bad rows report."""
    _, rows = read_rows(path)
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
    with store.write() as conn:
        for line, raw in batch:
            if "__error__" in raw:
                report.errors.append((line, raw["__error__"]))
                continue
            try:
                person = clean_person(raw, settings)
                share = raw.get("consent_share_with_exhibitors")
                share = None if share is None or not share.strip() else parse_bool(share)
            except FieldErrors as exc:
                report.errors.append((line, str(exc)))
                continue
            except ValueError as exc:
                report.errors.append((line, f"consent_share_with_exhibitors: {exc}"))
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
            _import_person(conn, settings, keys, person, share, report)


def _import_person(conn, settings, keys, person, share, report) -> None:
    existing = None
    if person["external_id"]:
        existing = sql.by_external_id(conn, person["external_id"])
    if existing is None and person["email_key"]:
        existing = sql.by_email_key(conn, person["email_key"])
        if existing is not None and existing["external_id"] and person["external_id"]:
            existing = None  # same email, different ticket: a colleague sharing an inbox
    consents = {"share_with_exhibitors": share} if share is not None else {}
    if existing is None:
        attendee_id, _ = registry.create(conn, keys, person, source="import")
        if consents and "share_with_exhibitors" in settings.consents:
            registry.record_consents(
                conn,
                settings,
                attendee_id,
                consents,
                language=person["language"] or settings.default_language,
            )
        report.created += 1
        return
    changes = registry.changes_between(existing, person)
    if person["external_id"] and not existing["external_id"]:
        changes["external_id"] = person["external_id"]
    current = current_consents(conn, existing["id"])
    new_consents = {k: v for k, v in consents.items() if current.get(k) != v}
    if not changes and not new_consents:
        report.unchanged += 1
        return
    if changes:
        registry.apply_update(conn, existing, changes, reason="import")
    if new_consents and "share_with_exhibitors" in settings.consents:
        registry.record_consents(
            conn,
            settings,
            existing["id"],
            new_consents,
            language=existing["language"] or settings.default_language,
        )
    report.updated += 1
