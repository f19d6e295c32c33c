"""Screening (甄别): flags on records that look fake, and likely duplicates for staff to review.

A flag is a hint for staff and for the CRM, never a refusal: `{"flag": code, "field": name}`,
kept in the person's `flags` column and exported as the list of codes. docs/staff-console.md
lists the codes and the rule behind each.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

import phonenumbers
from disposable_email_domains import blocklist

from kiosk.storage import attendees as sql

FLAGS = {
    "disposable_email": "一次性邮箱 Disposable e-mail domain",
    "placeholder_phone": "占位电话 Placeholder phone number",
    "invalid_phone": "无效电话 Phone number that is not a valid number",
    "keyboard_mash_name": "乱打的姓名 Name typed as a keyboard mash",
    "placeholder_name": "占位姓名 Placeholder name (test, 测试 ...)",
}
# A flag that no rule can recompute from the record: the walk-up kept the registration and
# left out a phone number that was not one (what was typed is kept with the flag).
KEPT = ("invalid_phone",)
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
PLACEHOLDER_NAMES = {
    "test",
    "tester",
    "testing",
    "test test",
    "demo",
    "asdf",
    "abc",
    "abcd",
    "xxx",
    "xx",
    "x",
    "na",
    "n a",
    "none",
    "null",
    "foo",
    "foo bar",
    "john doe",
    "jane doe",
    "ceshi",
    "测试",
    "测试用户",
    "测试测试",
    "某某",
    "无",
    "哈哈",
}
# Numbers printed as examples everywhere (China Mobile's service line, the US fictional range).
PLACEHOLDER_NUMBERS = {"+8613800138000", "+8613888888888", "+8612345678901"}
SEQUENCES = ("0123456789", "9876543210")


def _runs(text: str, length: int) -> bool:
    """Whether text holds `length` keys in a row of one keyboard row, either way."""
    for row in KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for i in range(len(line) - length + 1):
                if line[i : i + length] in text:
                    return True
    return False


def name_flag(full_name: str) -> str | None:
    """placeholder_name, keyboard_mash_name or None for a full name."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", (full_name or "").casefold()).split())
    if not folded:
        return None
    if folded in PLACEHOLDER_NAMES or re.fullmatch(r"(test|测试)\s*\d*", folded):
        return "placeholder_name"
    if re.search(r"(\w)\1{3}", folded) or re.search(r"(\w\w)\1{2}", folded):
        return "keyboard_mash_name"  # aaaa, asasas
    if re.search(r"([\u4e00-\u9fff])\1{2}", folded):
        return "keyboard_mash_name"  # 哈哈哈
    for word in folded.split():
        if not re.fullmatch(r"[a-z]+", word):
            continue
        if len(word) >= 5 and (_runs(word, 5) or not re.search(r"[aeiouy]", word)):
            return "keyboard_mash_name"
        if re.search(r"[^aeiouy]{6}", word):
            return "keyboard_mash_name"
    return None


def phone_flag(phone: str) -> str | None:
    """placeholder_phone or None for a stored (E.164) phone number."""
    if not phone:
        return None
    if phone in PLACEHOLDER_NUMBERS:
        return "placeholder_phone"
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "placeholder_phone"
    national = str(number.national_number)
    if len(national) >= 8 and len(set(national[-8:])) == 1:
        return "placeholder_phone"  # 138 0000 0000
    if any(seq[i : i + 8] in national for seq in SEQUENCES for i in range(3)):
        return "placeholder_phone"  # 12345678
    if number.country_code == 1 and national[3:8] == "55501":
        return "placeholder_phone"  # 555-01xx, reserved for fiction
    return None


def email_flag(email_key: str) -> str | None:
    """disposable_email or None: the domain, or a domain it belongs to, is a disposable one."""
    if "@" not in (email_key or ""):
        return None
    labels = email_key.rsplit("@", 1)[1].split(".")
    for i in range(len(labels) - 1):
        if ".".join(labels[i:]) in blocklist:
            return "disposable_email"
    return None


def check(person: dict) -> list[dict]:
    """The flags the rules raise on a person's clean fields."""
    found = []
    for field, flag in (
        ("email", email_flag((person.get("email") or "").lower())),
        ("phone", phone_flag(person.get("phone") or "")),
        ("full_name", name_flag(person.get("full_name") or "")),
    ):
        if flag:
            found.append({"flag": flag, "field": field})
    return found


def refreshed(old_flags: str | list, person: dict, changed: set[str]) -> list[dict]:
    """The flags after a change: rules run again; a kept flag stays unless its field changed."""
    old = json.loads(old_flags) if isinstance(old_flags, str) else old_flags
    kept = [f for f in old if f.get("flag") in KEPT and f.get("field") not in changed]
    return kept + check(person)


def codes(flags: str | list) -> list[str]:
    """The flag codes of a stored flags value, as exported."""
    if flags == "[]":  # most people
        return []
    items = json.loads(flags or "[]") if isinstance(flags, str) else flags
    return [f["flag"] for f in items if isinstance(f, dict) and "flag" in f]


# Likely duplicates ------------------------------------------------------------------------------

MATCHES = {"phone": "同一电话 same phone", "name_company": "同名同公司 same name and company"}


@dataclass(frozen=True)
class Pair:
    """Two active records that may be one person, and what they share."""

    first: sqlite3.Row
    second: sqlite3.Row
    matched_on: str


def likely_duplicates(conn: sqlite3.Connection, limit: int = 200) -> list[Pair]:
    """Active people sharing a phone, or a name and company, under different e-mails, that staff
    have not dismissed; oldest first."""
    dismissed = sql.dismissed_pairs(conn)
    pairs: list[Pair] = []
    seen: set[tuple[int, int]] = set()
    for matched_on, groups in (
        ("phone", sql.shared_phone_groups(conn)),
        ("name_company", sql.shared_name_company_groups(conn)),
    ):
        for ids in groups:
            people = [sql.get(conn, i) for i in ids]
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    key = (a["id"], b["id"])
                    if key in seen or key in dismissed:
                        continue
                    if a["email_key"] and a["email_key"] == b["email_key"]:
                        continue
                    seen.add(key)
                    pairs.append(Pair(a, b, matched_on))
                    if len(pairs) >= limit:
                        return pairs
    return pairs


def flagged(conn: sqlite3.Connection, limit: int = 200) -> list[dict]:
    """Active people with a flag, newest first, each with their flags decoded."""
    return [{"person": row, "flags": json.loads(row["flags"])} for row in sql.flagged(conn, limit)]
