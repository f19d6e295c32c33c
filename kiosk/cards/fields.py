"""From the text on a card to its fields: phones and e-mails with the libraries made for them,
the rest with rules (kiosk/cards/data/rules.toml).

A card is read as lines (one piece of text the engine found each, with its box). Phones, e-mails,
websites and addresses are recognised by their form and their labels; the company by its suffix;
the job title by its words; the name among what is left, by its form (a known surname and 2 to 4
characters, or 2 to 4 capitalised Latin words), its size and its place next to the title. On a
bilingual card the Chinese name, company and title are kept where the show's region writes
Chinese, the Latin ones elsewhere; the other language fills in what one side lacks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from kiosk.cards.rules import rules

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{CJK}]")
CJK_REGIONS = {"CN", "HK", "MO", "TW", "SG"}
PHONE_TYPES = ("mobile", "office", "fax", "other")

EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
TLDS = r"com|cn|net|org|io|co|de|hk|tw|sg|jp|kr|uk|eu|info|biz|tech|asia|fr|it|es|nl|ch|at|au|ca|us|in|vn|my|th|ae|shop|site|online|top|xyz|ltd"
WEBSITE = re.compile(
    rf"(?:(?:https?://)?www\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)+|(?:https?://)?[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{TLDS})(?![a-z0-9\-]))(?:/[^\s,;]*)?",
    re.I,
)


@dataclass
class Line:
    """A piece of text on one side of the card, where it stood and how big it was."""

    text: str
    side: int
    top: float
    bottom: float
    left: float
    right: float
    size: float  # text height relative to the side's median height
    used: set[str] = field(default_factory=set)

    @property
    def middle(self) -> float:
        """The vertical centre of the line."""
        return (self.top + self.bottom) / 2


def normalise(text: str) -> str:
    """Full-width forms made ASCII, spaces collapsed, ends trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u3000", " ").replace("｜", "|")
    return re.sub(r"\s+", " ", text).strip()


def has_han(text: str) -> bool:
    """True when the text holds Chinese characters."""
    return bool(HAN.search(text))


# --- labels --------------------------------------------------------------------------------


@cache
def _label_pattern(kind: str) -> re.Pattern:
    labels = sorted(rules()["labels"][kind], key=len, reverse=True)
    alternatives = []
    for label in labels:
        escaped = re.escape(label).replace(r"\ ", r"\s*")
        if has_han(label):
            alternatives.append(escaped + r"\s*[:.]?")
        elif len(label) <= 2:
            # A one- or two-letter label ("M", "T", "E") needs its colon, or a digit or sign after.
            alternatives.append(escaped + r"(?:\s*[:.]|\s+(?=[+(\d]))")
        else:
            alternatives.append(escaped + r"\b\.?\s*[:.]?")
    return re.compile(r"(?:^|(?<=[\s|/,;]))(?:" + "|".join(alternatives) + r")\s*", re.I)


def label_kind(text: str) -> str | None:
    """The kind of label a text starts with (mobile, office, fax, email, website, address, other)."""
    for kind in ("mobile", "fax", "office", "email", "website", "address", "other"):
        m = _label_pattern(kind).match(text)
        if m:
            return kind
    return None


def strip_label(text: str) -> str:
    """The text without the label it starts with."""
    for kind in ("mobile", "fax", "office", "email", "website", "address", "other"):
        m = _label_pattern(kind).match(text)
        if m:
            return text[m.end() :].strip(" :|")
    return text


# --- e-mail, website, phones ----------------------------------------------------------------


def emails_in(text: str) -> list[str]:
    """The valid e-mail addresses in a text, lower-cased."""
    squeezed = re.sub(r"\s*@\s*", "@", text)
    squeezed = re.sub(r"(?<=@)([^\s]*?)\s+\.\s*", r"\1.", squeezed)
    found = []
    for m in EMAIL.finditer(squeezed):
        candidate = m.group(0).strip(".-")
        try:
            valid = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            continue
        found.append(valid.normalized.lower())
    return found


def websites_in(text: str) -> list[str]:
    """The web addresses in a text (not parts of e-mails), without scheme, lower-cased."""
    text = EMAIL.sub(" ", re.sub(r"\s*@\s*", "@", text))
    found = []
    for m in WEBSITE.finditer(text):
        found.append(website_key(m.group(0)))
    return [w for w in found if "." in w]


def website_key(url: str) -> str:
    """A web address as compared: no scheme, no trailing slash, lower-case."""
    url = url.strip().lower()
    url = re.sub(r"^https?://", "", url)
    # OCR drops or doubles a w at the start now and then.
    url = re.sub(r"^w{2,5}\.", "www.", url)
    return url.rstrip("/.,;")


def _number_type(number: phonenumbers.PhoneNumber) -> str:
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.VOIP,
    ):
        return "office"
    return "other"


def phone_type(label: str | None, number: phonenumbers.PhoneNumber) -> str:
    """A phone's type: a fax or mobile label says so; a mobile number is a mobile whatever its
    label ("Tel" is printed before everything); then an office label, then the number's kind."""
    by_number = _number_type(number)
    if label in ("fax", "mobile"):
        return label
    if by_number == "mobile":
        return "mobile"
    if label == "office":
        return "office"
    return by_number


def phones_in(text: str, region: str, label: str | None = None) -> list[dict]:
    """The valid phone numbers in a text, E.164, each typed by the label printed before it."""
    clean = EMAIL.sub(" ", text)
    clean = WEBSITE.sub(
        lambda m: " " if not re.fullmatch(r"[\d.\s]+", m.group(0)) else m.group(0), clean
    )
    # OCR reads the letter O for a zero and l for a one in digit runs; a "(0)" after the country
    # code is printed on European cards and is not dialled.
    clean = re.sub(r"(?<=\d)[Oo](?=\d)", "0", clean)
    clean = clean.replace("(0)", " ")
    found = []
    last = 0
    for m in phonenumbers.PhoneNumberMatcher(clean, region, leniency=phonenumbers.Leniency.VALID):
        before = clean[last : m.start].strip()
        kind = _last_label(before) or (label if last == 0 else None)
        number = m.number
        found.append(
            {
                "number": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                "type": phone_type(kind, number),
            }
        )
        last = m.end
    return found


def _last_label(text: str) -> str | None:
    """The phone label nearest the end of a text ("T: ... F:" gives fax)."""
    best, where = None, -1
    for kind in ("mobile", "fax", "office"):
        for m in _label_pattern(kind).finditer(text + " 0"):
            if m.start() > where:
                best, where = kind, m.start()
    return best


# --- company, title, address, name ----------------------------------------------------------


@cache
def _company_en() -> re.Pattern:
    suffixes = sorted(rules()["company"]["suffixes_en"], key=len, reverse=True)
    alt = "|".join(re.escape(s).replace(r"\ ", r"\s*") for s in suffixes)
    return re.compile(rf"(?:^|[\s,])(?:{alt})(?=$|[\s,.)])", re.I)


def company_score(text: str) -> int:
    """How surely a line is a company name: 0 not, higher the surer (by its suffix)."""
    if "@" in text or re.search(r"\d{3}", text):
        return 0
    if has_han(text):
        compact = text.replace(" ", "")
        zh = re.sub(f"[^{CJK}]", "", compact)
        if len(zh) < 4:
            return 0
        for rank, suffix in enumerate(rules()["company"]["suffixes_zh"]):
            if compact.endswith(suffix) or (len(suffix) >= 3 and suffix in compact):
                return 100 - rank
        return 0
    words = text.split()
    if len(words) < 2:
        return 0
    m = _company_en().search(text)
    if not m:
        return 0
    suffix = m.group(0).strip(" ,").lower()
    strong = {s.lower() for s in rules()["company"]["suffixes_en"][:34]}
    return 60 if suffix in strong else 30


@cache
def _title_en() -> re.Pattern:
    words = sorted(rules()["title"]["words_en"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def title_score(text: str) -> int:
    """How surely a line is a job title: the number of title words in it, 0 for none."""
    if "@" in text or re.search(r"\d{3}", text):
        return 0
    if has_han(text):
        compact = text.replace(" ", "")
        hits = sum(1 for w in rules()["title"]["words_zh"] if w in compact)
        if hits and re.search(r"部$|部门$|事业部$", compact):
            hits = max(0, hits - 1) if len(compact) <= 5 else hits
        return hits
    hits = len(_title_en().findall(text))
    if hits and re.search(r"\b(?:Department|Dept\.?|Division)$", text, re.I):
        hits = 0
    return hits


@cache
def _address_en() -> re.Pattern:
    words = sorted(rules()["address"]["words_en"], key=len, reverse=True)
    alt = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![A-Za-z])(?:{alt})(?![A-Za-z])", re.I)


def address_score(text: str) -> int:
    """How surely a line is (part of) an address: 0 not, higher the surer."""
    if "@" in text:
        return 0
    if has_han(text):
        compact = text.replace(" ", "")
        hits = sum(1 for w in rules()["address"]["words_zh"] if w in compact)
        digits = bool(re.search(r"\d", compact))
        if hits >= 3 or (hits >= 2 and digits):
            return hits + digits
        return 0
    hits = len(_address_en().findall(text))
    # Streets written as one word (Bahnhofstrasse, Keizersgracht) and postcodes before a town.
    hits += len(
        re.findall(
            r"\w(?:strasse|straße|str\.|weg|allee|gasse|platz|damm|gracht|straat|laan|vej|gatan|vägen)\b",
            text,
            re.I,
        )
    )
    hits += len(re.findall(r"\b\d{4,5} [A-Z][a-zü]+", text))
    digits = bool(re.search(r"\d", text))
    if hits and digits:
        return hits + 1
    if hits >= 2 and "," in text:
        return hits
    return 0


def _continues(text: str, line: Line, nxt: Line) -> bool:
    """True when the next line carries on an address: aligned under it, close, address-like."""
    height = line.bottom - line.top
    if nxt.top - line.bottom > 1.2 * height:
        return False
    aligned = min(
        abs(nxt.left - line.left),
        abs(nxt.right - line.right),
        abs((nxt.left + nxt.right) - (line.left + line.right)) / 2,
    )
    if aligned > 2 * height:
        return False
    if company_score(nxt.text) or title_score(nxt.text) or emails_in(nxt.text):
        return False
    if has_han(nxt.text):
        words = sum(1 for w in rules()["address"]["words_zh"] if w in nxt.text)
        return words >= 2 or (words >= 1 and bool(re.search(r"\d", nxt.text)))
    if address_score(nxt.text):
        return True
    # "Pudong, Shanghai 201203, China", "Kong", "4RP": the rest of a wrapped line; an address is
    # the last block on most cards, so a short plain line right under it belongs to it.
    if not re.fullmatch(r"[\w\s,.'’\-#()]+", nxt.text):
        return False
    return bool(
        text.rstrip().endswith(",")
        or re.search(r"\d{4,6}|China|Germany|USA", nxt.text)
        or (len(nxt.text.split()) <= 4 and nxt.size < 1.3)
    )


def _surname_ok(name: str) -> bool:
    r = rules()["names"]
    if any(name.startswith(s) for s in r["compound_surnames"]):
        return 3 <= len(name) <= 4
    return name[0] in r["surnames"]


def zh_name(text: str) -> str | None:
    """The text as a Chinese personal name (2-4 characters, a known surname first), or None."""
    compact = re.sub(r"[\s·•.]", "", text)
    if not re.fullmatch(f"[{CJK}]{{2,4}}", compact):
        return None
    if not _surname_ok(compact):
        return None
    if any(w in compact for w in rules()["names"]["not_names"]):
        return None
    if title_score(compact):
        return None
    return compact


LATIN_WORD = re.compile(r"[A-Z][A-Za-z\u00c0-\u024f'’\-]*\.?|[A-Z]\.")


def latin_name(text: str) -> str | None:
    """The text as a Latin personal name (2-4 capitalised words, honorifics left out), or None."""
    if re.search(r"[\d@/:|]", text) or has_han(text):
        return None
    honorifics = {h.lower() for h in rules()["names"]["honorifics"]}
    words = [w.strip(",") for w in text.split()]
    words = [w for w in words if w and w.lower() not in honorifics]
    if not 2 <= len(words) <= 4:
        return None
    if not all(LATIN_WORD.fullmatch(w) for w in words):
        return None
    if sum(len(w) > 2 for w in words) < 1:
        return None
    joined = " ".join(words)
    if title_score(joined) or company_score(joined) or address_score(joined):
        return None
    if _label_like(joined):
        return None
    return joined


def _label_like(text: str) -> bool:
    return (
        label_kind(text + ": 1") is not None
        and len(text.split()) <= 2
        and text.split()[0].lower()
        in {w.lower() for kind in rules()["labels"].values() for w in kind}
    )


def split_name_and_title(text: str) -> tuple[str, str] | None:
    """A line holding both a name and a title ("王小明 销售总监", "Anna Berg | Buyer")."""
    parts = [p.strip() for p in re.split(r"\s*[|,/·•]\s*|\s{2,}", text) if p.strip()]
    if len(parts) < 2:
        parts = text.split(" ", 1) if has_han(text.split(" ", 1)[0]) else parts
    if len(parts) < 2:
        return _split_zh(text) if has_han(text) else _split_latin(text)
    found = _split_parts(parts)
    return found or (_split_zh(text) if has_han(text) else _split_latin(text))


def _split_parts(parts: list[str]) -> tuple[str, str] | None:
    head, rest = parts[0], " ".join(parts[1:])
    name = zh_name(head) or latin_name(head)
    if name and title_score(rest):
        return name, rest
    return None


def _split_zh(text: str) -> tuple[str, str] | None:
    """ "王小明销售总监" read without its gap: the name is the head whose rest starts a title."""
    compact = text.replace(" ", "")
    if not re.fullmatch(f"[{CJK}]{{4,20}}", compact):
        return None
    starts = rules()["title"]["words_zh"] + rules()["title"]["starts_zh"]
    for n in (3, 2, 4):
        head, rest = compact[:n], compact[n:]
        # The cut may not fall inside a title word (高级|工程师 is no name and title).
        cuts_word = any(
            0
            <= compact.find(w, max(0, n - len(w) + 1))
            < n
            < compact.find(w, max(0, n - len(w) + 1)) + len(w)
            for w in starts
        )
        if cuts_word or any(w.startswith(head) or head.startswith(w) for w in starts):
            continue
        if zh_name(head) and title_score(rest) and any(rest.startswith(w) for w in starts):
            return head, rest
    return None


def _split_latin(text: str) -> tuple[str, str] | None:
    """ "Anna Berg Sales Manager": the name is the first two or three words."""
    words = text.replace("|", " ").replace(",", " ").split()
    for n in (3, 2):
        name = latin_name(" ".join(words[:n]))
        rest = " ".join(words[n:])
        if name and rest and title_score(rest):
            return name, rest
    return None


# --- the whole card --------------------------------------------------------------------------


@dataclass
class Fields:
    """What was read off a card (CardFields' mutable twin while it is being built)."""

    full_name: str = ""
    company: str = ""
    job_title: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[dict] = field(default_factory=list)
    website: str = ""
    address: str = ""


def _prefer(candidates: list[tuple[float, str]], cjk_first: bool) -> str:
    """The best candidate, a Chinese one first where the region writes Chinese."""
    if not candidates:
        return ""
    ranked = sorted(candidates, key=lambda c: -c[0])
    if cjk_first:
        zh = [c for c in ranked if has_han(c[1])]
        if zh:
            return zh[0][1]
    else:
        latin = [c for c in ranked if not has_han(c[1])]
        if latin:
            return latin[0][1]
    return ranked[0][1]


def extract(lines: list[Line], region: str = "CN") -> Fields:
    """The fields of a card from its lines (all sides)."""
    out = Fields()
    cjk_first = region.upper() in CJK_REGIONS
    for line in lines:
        line.text = normalise(line.text)

    # Contact lines first: they are recognised by form, and nothing else may claim them.
    for line in lines:
        kind = label_kind(line.text)
        body = strip_label(line.text) if kind else line.text
        found_email = emails_in(line.text)
        for email in found_email:
            if email not in out.emails:
                out.emails.append(email)
        if found_email:
            line.used.add("email")
        for phone in phones_in(
            line.text, region, kind if kind in ("mobile", "office", "fax") else None
        ):
            line.used.add("phone")
            known = next((p for p in out.phones if p["number"] == phone["number"]), None)
            if known is None:
                out.phones.append(phone)
            elif known["type"] == "other":
                known["type"] = phone["type"]
        sites = websites_in(line.text)
        if sites and not out.website:
            out.website = sites[0]
        if sites:
            line.used.add("website")
        if kind == "address" and body:
            line.used.add("address")
            line.text = body

    # Address: labelled lines, or lines that read as one, with their continuation lines.
    addresses: list[tuple[float, str]] = []
    for i, line in enumerate(lines):
        if line.used - {"address"}:
            continue
        if "address" not in line.used and not address_score(line.text):
            continue
        if company_score(line.text) and not re.search(r"\d", line.text):
            continue
        labelled = "address" in line.used
        line.used.add("address")
        parts = [line.text]
        for nxt in lines[i + 1 : i + 3]:
            if nxt.side != line.side or nxt.used or label_kind(nxt.text):
                break
            if not _continues(parts[-1], line, nxt):
                break
            nxt.used.add("address")
            parts.append(nxt.text)
        joiner = "" if has_han(parts[0]) else " "
        addresses.append((address_score(" ".join(parts)) + 10 * labelled, joiner.join(parts)))
    out.address = _prefer(addresses, cjk_first)

    # Company: the line whose suffix says so.
    companies = []
    for line in lines:
        if line.used:
            continue
        score = company_score(line.text)
        if score:
            line.used.add("company")
            companies.append((score + line.size, line.text))
    out.company = _prefer(companies, cjk_first)

    # Name and title, one line or two.
    titles: list[tuple[float, str, Line]] = []
    names: list[tuple[float, str, Line]] = []
    for line in lines:
        if line.used:
            continue
        both = split_name_and_title(line.text)
        if both:
            names.append((line.size + 1.0, both[0], line))
            titles.append((title_score(both[1]) + 1.0, both[1], line))
            continue
        score = title_score(line.text)
        if score:
            titles.append((score + 0.2 * line.size, line.text, line))
            continue
        name = zh_name(line.text) or latin_name(line.text)
        if name and not any(name in c for _, c in companies):
            names.append((line.size, name, line))
    # A name stands next to its title: above, below, or on the same row.
    for i, (score, name, line) in enumerate(names):
        near = any(
            t_line is not line
            and t_line.side == line.side
            and abs(t_line.middle - line.middle) < 3.5 * (line.bottom - line.top)
            for _, _, t_line in titles
        )
        names[i] = (score + (0.6 if near else 0.0), name, line)
    out.full_name = _prefer([(s, n) for s, n, _ in names], cjk_first)
    out.job_title = _prefer([(s, t) for s, t, _ in titles], cjk_first)
    return out
