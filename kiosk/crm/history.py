"""`kiosk import history`: earlier editions' attendance from the CRM, matched to this show."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.attendees.fields import clean_text, parse_bool
from kiosk.attendees.importer import ImportFileError, read_rows
from kiosk.storage import Store
from kiosk.storage import attendees as people_sql
from kiosk.storage import history as history_sql

KNOWN = ("external_id", "email", "edition", "year", "attended", "category")
BATCH = 1000


@dataclass
class HistoryReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows read, good and bad."""
        return self.created + self.updated + self.unchanged + len(self.errors)

    def line(self) -> str:
        """The end-of-run summary."""
        return (
            f"{self.total} rows: {self.created} created, {self.updated} updated,"
            f" {self.unchanged} unchanged, {len(self.errors)} rejected;"
            f" {self.matched} matched to people of this show"
        )


def clean_row(raw: dict) -> dict:
    """A history row from CSV values; raises ValueError naming the column at fault."""
    external_id = clean_text(raw.get("external_id"))
    email = clean_text(raw.get("email")).lower()
    edition = clean_text(raw.get("edition"))
    year_text = clean_text(raw.get("year"))
    if not edition and not year_text:
        raise ValueError("edition: required (or year)")
    if not external_id and not email:
        raise ValueError("external_id: required (or email)")
    if email and ("@" not in email or " " in email):
        raise ValueError(f"email: '{email}' is not an email address")
    year = None
    if year_text:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
            raise ValueError(f"year: '{year_text}' is not a year")
        year = int(year_text)
    attended_text = raw.get("attended")
    try:
        attended = True if not clean_text(attended_text) else parse_bool(attended_text)
    except ValueError as exc:
        raise ValueError(f"attended: {exc}") from exc
    extra = {k: clean_text(v) for k, v in raw.items() if k not in KNOWN and k and clean_text(v)}
    return {
        "external_id": external_id,
        "email_key": email,
        "edition": edition or str(year),
        "year": year,
        "attended": attended,
        "category": clean_text(raw.get("category")).lower(),
        "data": extra,
    }


def import_history(
    store: Store,
    path: Path,
    *,
    progress: Callable[..., Iterable] = lambda rows, **kw: rows,
) -> HistoryReport:
    """Import a history CSV: bad rows reported by line, the rest stored; a rerun changes nothing."""
    headers, rows = read_rows(path, required=())
    if "edition" not in headers and "year" not in headers:
        raise ImportFileError(f"{path}: missing column edition (or year)")
    if "external_id" not in headers and "email" not in headers:
        raise ImportFileError(f"{path}: missing column external_id or email")
    report = HistoryReport()
    seen: dict[tuple, int] = {}
    for start in progress(range(0, len(rows), BATCH), desc="history", unit="batch"):
        with store.write() as conn:
            for line, raw in rows[start : start + BATCH]:
                _import_row(conn, line, raw, report, seen)
    return report


def _import_row(conn, line: int, raw: dict, report: HistoryReport, seen: dict) -> None:
    if "__error__" in raw:
        report.errors.append((line, raw["__error__"]))
        return
    try:
        row = clean_row(raw)
    except ValueError as exc:
        report.errors.append((line, str(exc)))
        return
    key = (row["external_id"], row["email_key"], row["edition"])
    if key in seen:
        report.errors.append((line, f"edition: '{row['edition']}' repeats line {seen[key]}"))
        return
    seen[key] = line
    row["attendee_id"] = people_sql.match_person(conn, row["external_id"], row["email_key"])
    report.matched += row["attendee_id"] is not None
    outcome = history_sql.upsert(conn, row)
    setattr(report, outcome, getattr(report, outcome) + 1)
