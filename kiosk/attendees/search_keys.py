"""Search keys for names: Chinese names are also found by pinyin, with or without spaces and tones."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin, pinyin

HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TONE_DIGITS = str.maketrans("", "", "012345")


def fold(text: str) -> str:
    """Lower-case, strip accents and tone marks (ǎ -> a, ü -> u), drop spaces and punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = [c for c in decomposed if not unicodedata.combining(c)]
    return re.sub(r"[\s\-_.,'·•/]+", "", "".join(kept))


def fold_query(text: str) -> str:
    """A typed query folded like the keys; tone digits (zhang1) are dropped too."""
    folded = fold(text)
    return folded.translate(TONE_DIGITS) if re.search(r"[a-z]\d", folded) else folded


def name_keys(name: str) -> list[str]:
    """Every folded form a name can be searched by: as written, full pinyin, initials."""
    keys = {fold(name)}
    if HAN_RE.search(name):
        syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
        keys.add(fold("".join(syllables)))
        keys.add("".join(s[0] for s in syllables if s))
        # Surnames often have a special reading (单 shan, 曾 zeng): offer every reading of the first.
        first = pinyin(name[0], style=Style.NORMAL, heteronym=True)
        rest = "".join(syllables[1:])
        for reading in first[0] if first else []:
            keys.add(fold(reading + rest))
        # Names written given-name first in Latin script: "wei zhang" finds 张伟.
        if len(syllables) >= 2:
            keys.add(fold("".join(syllables[1:]) + syllables[0]))
    return sorted(k for k in keys if k)


def build(person: dict) -> str:
    """The search_keys column: folded name forms, company, email and phone digits, '|'-separated."""
    keys = name_keys(person.get("full_name", ""))
    if person.get("company"):
        keys.append(fold(person["company"]))
    if person.get("email"):
        keys.append(person["email"].lower())
    if person.get("phone"):
        keys.append(re.sub(r"\D", "", person["phone"]))
    return "|" + "|".join(keys) + "|"


def name_part(search_keys: str, company: str, email: str, phone: str) -> list[str]:
    """The name keys of a search_keys column built by build(): the contact and company keys
    after them left out, so that a kiosk finds people by name and never by a fragment of those."""
    keys = search_keys[1:-1].split("|") if len(search_keys) >= 2 else []
    tail = bool(company) + bool(email) + bool(phone)
    return keys[: max(0, len(keys) - tail)]
