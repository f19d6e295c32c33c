"""Output files written whole or not at all, and formula-safe CSV cells."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ]*(\.\d+)?")


def cell(value) -> str:
    """A CSV cell: JSON for lists and dicts, true/false, and a quote before formula starts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    # Phone numbers in E.164 and negative numbers are data, not formulas: leave them readable.
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class Output:
    """Files under one directory, written as temporaries and renamed into place on commit."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pending: list[tuple[Path, Path]] = []
        self.handles: list = []
        self.counts: dict[str, int] = {}

    def open(self, name: str):
        """A new text file (UTF-8, no newline translation) that appears only on commit."""
        final = self.directory / name
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.partial")
        self.pending.append((temp, final))
        self.counts[name] = 0
        handle = temp.open("w", encoding="utf-8", newline="")
        self.handles.append(handle)
        return handle

    def csv(self, name: str, columns: list[str]) -> CsvFile:
        """A formula-safe CSV file with its header row written."""
        return CsvFile(self, name, columns)

    def _close(self) -> None:
        for handle in self.handles:
            handle.close()
        self.handles = []

    def commit(self) -> None:
        """Move every finished file into place."""
        self._close()
        for temp, final in self.pending:
            os.replace(temp, final)
        self.pending = []

    def discard(self) -> None:
        """Remove the temporaries of a failed export."""
        self._close()
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)
        self.pending = []


class CsvFile:
    """A CSV with a fixed column order."""

    def __init__(self, output: Output, name: str, columns: list[str]):
        self.output, self.name, self.columns = output, name, columns
        self.fh = output.open(name)
        self.writer = csv.writer(self.fh, lineterminator="\r\n")
        self.writer.writerow(columns)

    def write(self, row: dict) -> None:
        """One row; missing columns are empty."""
        self.writer.writerow([cell(row.get(c)) for c in self.columns])
        self.output.counts[self.name] += 1

    def close(self) -> None:
        """Flush and close."""
        self.fh.close()
