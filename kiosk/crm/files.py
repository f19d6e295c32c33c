"""Output files written whole or not at all; CSV files with formula-safe cells."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from kiosk.tabular import FORMULA_FIRST, cell


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
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.handles.append(handle)
        return handle

    def path(self, name: str) -> Path:
        """A path for a binary file written by a library; it appears only on commit."""
        final = self.directory / name
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.partial")
        self.pending.append((temp, final))
        self.counts[name] = 0
        return temp

    def csv(self, name: str, columns: list[str], *, bom: bool = False) -> CsvFile:
        """A formula-safe CSV file with its header row written (a BOM first when asked)."""
        return CsvFile(self, name, columns, bom=bom)

    def write_bytes(self, name: str, data: bytes) -> None:
        """A whole binary file (0600) that appears only on commit."""
        final = self.directory / name
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.name}.partial")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self.pending.append((temp, final))
        folder = name.rpartition("/")[0] or name
        self.counts[folder] = self.counts.get(folder, 0) + 1

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

    def __init__(self, output: Output, name: str, columns: list[str], *, bom: bool = False):
        self.output, self.name, self.columns = output, name, columns
        self.fh = output.open(name)
        if bom:
            self.fh.write("\ufeff")
        self.writer = csv.writer(self.fh, lineterminator="\r\n")
        self.writer.writerow(columns)

    def write(self, row: dict) -> None:
        """One row; missing columns are empty."""
        self.writer.writerow(_cells(map(row.get, self.columns)))
        self.output.counts[self.name] += 1

    def write_all(self, rows) -> None:
        """Many rows given as value tuples in the column order."""
        writerow, n = self.writer.writerow, 0
        for row in rows:
            writerow(_cells(row))
            n += 1
        self.output.counts[self.name] += n

    def close(self) -> None:
        """Flush and close."""
        self.fh.close()


def _cells(values) -> list:
    """cell() of each value, the common cases decided inline: numbers (which the csv module
    writes as str() does), None, and text that cannot start a formula, all kept as they are."""
    return [
        v
        if (t := type(v)) is str
        and v[:1] not in FORMULA_FIRST
        or t is int
        or v is None
        or t is float
        else cell(v)
        for v in values
    ]
