"""`kiosk export --format xlsx`: people, leads and exhibitors as one Excel workbook.

Written with openpyxl in write-only mode (rows stream to disk, memory stays flat). Ids and phone
numbers are text cells (format `@`), so Excel neither drops a leading `+` or `0` nor turns a long
id into 1.23E+17; text that looks like a formula stays text and never runs.
"""

from __future__ import annotations

import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# Columns written as text whatever they hold.
TEXT_COLUMNS = {
    "id",
    "person_key",
    "external_id",
    "crm_id",
    "phone",
    "exhibitor_id",
    "attendee_id",
    "booth",
}


class Sheet:
    """One worksheet with a bold header row and typed cells."""

    def __init__(self, book: Workbook, title: str, columns: list[str]):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.rows = 0
        bold = Font(bold=True)
        header = []
        for name in columns:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)

    def _cell(self, column: str, value):
        """A plain value where openpyxl types it right; a text cell where it would not."""
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        text = column in TEXT_COLUMNS
        if text and value is not None and not isinstance(value, str):
            value = str(value)
        if not isinstance(value, str):
            return value
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not text and not value.startswith("="):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        if text:
            cell.number_format = "@"
        return cell

    def write(self, row: dict) -> None:
        """One row; missing columns are empty."""
        self.sheet.append([self._cell(c, row.get(c)) for c in self.columns])
        self.rows += 1


def new_workbook() -> Workbook:
    """An empty write-only workbook."""
    return Workbook(write_only=True)
