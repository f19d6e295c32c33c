"""`kiosk export --format mapped --mapping FILE.toml`: a CSV laid out for any CRM's import.

A mapping file names the output file and lists its columns in order; each column takes a value
of the person's record, a fixed text or a template, with optional replacements, a length limit
and a default for a required column. docs/crm-export.md describes the keys; `mappings/` holds
examples (Zoho CRM, Odoo CRM).
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# Values a column can take besides every column of people.csv.
EXTRA_VALUES = (
    "first_name",
    "last_name",
    "event_id",
    "event_name",
    "attendance",
    "person_key_slug",
    "country_lower",
    "consents_granted",
)
PEOPLE_CHOICES = ("crm", "all")
ONE_PER_CHOICES = ("person_key", "email")
COLUMN_KEYS = {"header", "value", "text", "template", "required", "default", "max_length", "map"}
TOP_KEYS = {"name", "file", "people", "one_per", "bom", "columns"}
SAFE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.csv")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the file and the key at fault."""


@dataclass
class Column:
    header: str
    value: str = ""
    text: str = ""
    template: str = ""
    required: bool = False
    default: str = ""
    max_length: int = 0
    replace: dict[str, str] = field(default_factory=dict)

    def cell(self, row: dict) -> str:
        """This column's text for one person ('' when the person has no value)."""
        if self.value:
            value = row.get(self.value)
        elif self.template:
            names = [n for _, n, _, _ in string.Formatter().parse(self.template) if n]
            if any(_text(row.get(n)) == "" for n in names):
                value = ""
            else:
                value = self.template.format_map({n: _text(row.get(n)) for n in names})
        else:
            value = self.text
        text = _text(value)
        text = self.replace.get(text, text)
        if not text and self.default:
            text = self.default
        if self.max_length:
            text = text[: self.max_length]
        return text


@dataclass
class Mapping:
    name: str
    file: str
    people: str = "crm"
    one_per: str = "person_key"
    bom: bool = False
    columns: list[Column] = field(default_factory=list)

    def row(self, values: dict) -> dict | None:
        """The output row, or None when a required column stays empty."""
        out = {}
        for column in self.columns:
            text = column.cell(values)
            if column.required and not text:
                return None
            out[column.header] = text
        return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load(path: Path, names: tuple[str, ...]) -> Mapping:
    """Read and check a mapping file; `names` are the record values a column may take."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not TOML: {exc}") from exc
    known = set(names) | set(EXTRA_VALUES)

    def fail(where: str, reason: str):
        raise MappingError(f"{path}: {where}: {reason}")

    for key in data:
        if key not in TOP_KEYS:
            fail(key, f"unknown key (one of {', '.join(sorted(TOP_KEYS))})")
    file = data.get("file")
    if not isinstance(file, str) or not SAFE_FILE.fullmatch(file):
        fail("file", "required, a plain file name ending in .csv")
    people = data.get("people", "crm")
    if people not in PEOPLE_CHOICES:
        fail("people", f"one of {', '.join(PEOPLE_CHOICES)}")
    one_per = data.get("one_per", "person_key")
    if one_per not in ONE_PER_CHOICES:
        fail("one_per", f"one of {', '.join(ONE_PER_CHOICES)}")
    bom = data.get("bom", False)
    if not isinstance(bom, bool):
        fail("bom", "true or false")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        fail("columns", "required, at least one [[columns]] table")
    columns = []
    for n, raw in enumerate(raw_columns, start=1):
        where = f"columns[{n}]"
        if not isinstance(raw, dict):
            fail(where, "must be a table")
        for key in raw:
            if key not in COLUMN_KEYS:
                fail(f"{where}.{key}", f"unknown key (one of {', '.join(sorted(COLUMN_KEYS))})")
        header = raw.get("header")
        if not isinstance(header, str) or not header:
            fail(f"{where}.header", "required text")
        sources = [k for k in ("value", "text", "template") if k in raw]
        if len(sources) != 1:
            fail(where, "needs exactly one of value, text, template")
        for key in ("value", "text", "template", "default"):
            if key in raw and not isinstance(raw[key], str):
                fail(f"{where}.{key}", "must be text")
        if "value" in raw and raw["value"] not in known:
            fail(f"{where}.value", f"unknown value '{raw['value']}'")
        if "template" in raw:
            try:
                parts = list(string.Formatter().parse(raw["template"]))
            except ValueError as exc:
                fail(f"{where}.template", str(exc))
            for _, name, spec, conversion in parts:
                if name is not None and (name not in known or spec or conversion):
                    fail(f"{where}.template", f"unknown value '{{{name}}}'")
        max_length = raw.get("max_length", 0)
        if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 0:
            fail(f"{where}.max_length", "a whole number of characters")
        replace = raw.get("map", {})
        if not isinstance(replace, dict) or not all(isinstance(v, str) for v in replace.values()):
            fail(f"{where}.map", "a table of text replacements")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            fail(f"{where}.required", "true or false")
        columns.append(
            Column(
                header=header,
                value=raw.get("value", ""),
                text=raw.get("text", ""),
                template=raw.get("template", ""),
                required=required,
                default=raw.get("default", ""),
                max_length=max_length,
                replace=dict(replace),
            )
        )
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        fail("columns", "two columns have the same header")
    return Mapping(
        name=str(data.get("name", path.stem)),
        file=file,
        people=people,
        one_per=one_per,
        bom=bom,
        columns=columns,
    )


def slug(key: str) -> str:
    """A person key as an identifier of letters, digits and underscores (Odoo external ids)."""
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
