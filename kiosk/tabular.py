"""CSV cells that spreadsheets show as data and never run: the one rule for every CSV we write.

Excel and LibreOffice run a cell starting with `=`, `+`, `-` or `@` as a formula (tab and
carriage return too, once trimmed), so such text gets a leading `'`. A phone number in E.164
(`+` and digits only, as the registration stores it) is not a formula and keeps its `+`: an
apostrophe would reach the CRM that imports the file. Numbers are written as numbers.
"""

from __future__ import annotations

import json
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_START)
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
# One encoder for every cell (json.dumps with options builds a new one each call).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def cell(value) -> str:
    """A CSV cell: JSON for lists and dicts, true/false, and a `'` before any formula start."""
    if type(value) is str:  # most cells: decided on the first character
        if value and value[0] in FORMULA_FIRST and not E164.fullmatch(value):
            return "'" + value
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        value = _JSON.encode(value) if value else ("[]" if isinstance(value, list) else "{}")
    text = str(value)
    if text.startswith(FORMULA_START) and not E164.fullmatch(text):
        return "'" + text
    return text
