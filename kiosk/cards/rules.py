"""The card reader's vocabularies, loaded once from data/rules.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.toml"


@cache
def rules() -> dict:
    """The rules file as a dict (surnames, company suffixes, title and address words, labels)."""
    with RULES_FILE.open("rb") as f:
        data = tomllib.load(f)
    data["names"]["surnames"] = "".join(data["names"]["surnames"].split())
    return data
