"""`kiosk export --format xlsx`: people, leads and exhibitors as one Excel workbook.

Office Open XML (SpreadsheetML) written straight into the zip, one row at a time: memory stays
flat and a cell costs a string format, where a general-purpose library spends tens of
microseconds on each. Strings are inline strings (no shared-string table to hold in memory), so
text that looks like a formula stays text and never runs. Ids and phone numbers are text cells
with the number format `@`, so Excel neither drops a leading `+` or `0` nor turns a long id into
1.23E+17. Numbers are numbers, booleans booleans, lists and objects compact JSON.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import orjson

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
# Characters XML 1.0 cannot carry (control characters other than tab, newline, return).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CELL = 32_767  # Excel's longest cell text
# Cell styles (xl/styles.xml, cellXfs): 0 general, 1 text ("@"), 2 bold header.
TEXT_STYLE, HEADER_STYLE = 1, 2
# What follows a cell's reference up to its text: a text-styled cell and a plain string cell.
TEXT_CELL = f' s="{TEXT_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
STRING_CELL = ' t="inlineStr"><is><t xml:space="preserve">'

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
{sheets}</Types>"""
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
{sheets}<Relationship Id="rIdStyles" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
SHEET_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
)
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
    ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letters(index: int) -> str:
    """Excel's name of the column at a 0-based index: A, B, ..., Z, AA, AB ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    if len(value) > MAX_CELL:
        value = value[:MAX_CELL]
    if SPECIAL.search(value) is None:  # most cells: nothing to escape
        return value
    return escape(ILLEGAL.sub("", value))


class Workbook:
    """An .xlsx file written sheet after sheet; each sheet streams its rows into the zip."""

    def __init__(self, path: Path):
        # Level 1: the XML is repetitive enough that the fastest level still shrinks it ~10x.
        self.file = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        self.zip = zipfile.ZipFile(self.file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []
        self.sheets: list[Sheet] = []
        self.current: Sheet | None = None

    def sheet(self, title: str, columns: list[str]) -> Sheet:
        """A new worksheet. Its part of the zip opens at its first row, finishing the sheet
        written before it: write the sheets one after the other."""
        self.titles.append(title)
        return Sheet(self, len(self.titles), columns)

    def save(self) -> None:
        """Finish every sheet and write the parts that name them."""
        for sheet in self.sheets:
            sheet.close()
        numbers = range(1, len(self.titles) + 1)
        parts = {
            "[Content_Types].xml": CONTENT_TYPES.format(
                sheets="".join(SHEET_TYPE.format(n=n) for n in numbers)
            ),
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{escape(title)}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, title in zip(numbers, self.titles, strict=True)
                )
            ),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.format(
                sheets="".join(SHEET_REL.format(n=n) for n in numbers)
            ),
            "xl/styles.xml": STYLES,
        }
        for name, text in parts.items():
            self.zip.writestr(name, text)
        self.zip.close()
        self.file.close()


class Sheet:
    """One worksheet with a bold, frozen header row and typed cells."""

    def __init__(self, book: Workbook, number: int, columns: list[str]):
        self.book, self.number = book, number
        self.fh = None
        self.closed = False
        self.columns = columns
        self.letters = [column_letters(i) for i in range(len(columns))]
        self.text = [c in TEXT_COLUMNS for c in columns]
        self.layout = tuple(zip(columns, self.letters, self.text, strict=True))
        self.rows = 0
        self.line = 1
        head = "".join(
            f'<c r="{letter}1" s="{HEADER_STYLE}" t="inlineStr"><is><t>{_text(name)}</t></is></c>'
            for letter, name in zip(self.letters, columns, strict=True)
        )
        self.buffer = [SHEET_HEAD, f'<row r="1">{head}</row>']
        book.sheets.append(self)

    def _open(self) -> None:
        book = self.book
        if book.current is not None and book.current is not self:
            book.current.close()
        book.current = self
        self.fh = book.zip.open(f"xl/worksheets/sheet{self.number}.xml", "w", force_zip64=True)

    def write(self, row: dict) -> None:
        """One row; missing columns and None are empty cells."""
        self.line += 1
        n = str(self.line)
        cells = []
        append = cells.append
        for column, letter, text in self.layout:
            value = row.get(column)
            if value is None or value == "":
                continue
            kind = type(value)
            if text:
                if kind is not str:
                    value = str(value)
                if len(value) > MAX_CELL or SPECIAL.search(value) is not None:
                    value = _text(value)
                append(f'<c r="{letter}{n}"{TEXT_CELL}{value}</t></is></c>')
            elif kind is str:
                if len(value) > MAX_CELL or SPECIAL.search(value) is not None:
                    value = _text(value)
                append(f'<c r="{letter}{n}"{STRING_CELL}{value}</t></is></c>')
            elif kind is bool:
                append(f'<c r="{letter}{n}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is float:
                append(f'<c r="{letter}{n}"><v>{value!r}</v></c>')
            else:
                value = _text(orjson.dumps(value).decode())
                append(f'<c r="{letter}{n}"{STRING_CELL}{value}</t></is></c>')
        self.buffer.append(f'<row r="{n}">{"".join(cells)}</row>')
        self.rows += 1
        if len(self.buffer) >= 500:
            self._flush()

    def _flush(self) -> None:
        if self.fh is None:
            self._open()
        self.fh.write("".join(self.buffer).encode("utf-8"))
        self.buffer = []

    def close(self) -> None:
        """Write the rest of the sheet and close its part of the zip."""
        if self.closed:
            return
        self.buffer.append(SHEET_TAIL)
        self._flush()
        self.fh.close()
        self.closed = True
        if self.book.current is self:
            self.book.current = None
