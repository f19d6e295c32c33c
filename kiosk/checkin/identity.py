"""Who a kiosk may act for: a person proves who they are before a kiosk serves them by id.

A badge code is its own proof. A person found by name ("find me") or recognised at walk-up
answers with the last four digits of their phone or their whole e-mail; wrong answers are
counted per kiosk and refused for a while past a few (`WRONG_ANSWERS`), and so are searches
past `SEARCHES`. A kiosk renders or prints a badge only for a person it checked in or registered
in the last `SERVED_FOR`. Staff devices keep their full powers. The counts live in the database
(kiosk.storage.quotas), so every server process counts against the same window.
"""

from __future__ import annotations

import hmac
import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.devices import Device
from kiosk.errors import FieldErrors, Forbidden, RateLimited
from kiosk.storage import Store, from_iso, to_iso
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import quotas as sql
from kiosk.storage.interactions import audit, done_by_device_since

SERVED_FOR = timedelta(minutes=5)
ANSWER_HELP = "the last four digits of the person's phone, or their whole e-mail"
MAX_ANSWER = 200


@dataclass(frozen=True)
class Quota:
    """At most `limit` uses of a kind per device in a window of `window_s` seconds."""

    kind: str
    limit: int
    window_s: int


SEARCHES = Quota("search", 30, 60)
WRONG_ANSWERS = Quota("verify", 5, 300)


class VerificationRequired(FieldErrors):
    """A kiosk acted for a person by id without their proof."""

    code = "verification_required"

    def __init__(self):
        super().__init__(
            {"verify": f"required: {ANSWER_HELP}"},
            "prove it is you: the last four digits of your phone or your whole e-mail",
        )


class VerificationFailed(FieldErrors):
    """The answer does not match the person chosen."""

    code = "verification_failed"

    def __init__(self):
        super().__init__(
            {"verify": "does not match"},
            "that does not match: try again, or ask at the desk",
        )


class VerificationUnavailable(FieldErrors):
    """The person has neither phone nor e-mail on file: only the desk can serve them."""

    code = "verification_unavailable"

    def __init__(self):
        super().__init__(
            {"verify": "this person cannot be verified at a kiosk"},
            "please ask at the desk",
        )


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _parse(answer) -> tuple[str, str]:
    """("email", lower-cased address) or ("phone", four digits); FieldErrors for anything else."""
    if isinstance(answer, str) and len(answer) <= MAX_ANSWER:
        text = unicodedata.normalize("NFKC", answer).strip()
        if "@" in text:
            return "email", text.lower()
        digits = re.sub(r"[\s\-]", "", text)
        if re.fullmatch(r"[0-9]{4}", digits):
            return "phone", digits
    raise FieldErrors({"verify": ANSWER_HELP}, "the answer is not four digits or an e-mail")


def _phone_tail(row: sqlite3.Row) -> str:
    digits = re.sub(r"\D", "", row["phone"] or "")
    return digits[-4:] if len(digits) >= 4 else ""


def _matches(row: sqlite3.Row, kind: str, value: str) -> bool:
    expected = row["email_key"] if kind == "email" else _phone_tail(row)
    return bool(expected) and hmac.compare_digest(expected.encode(), value.encode())


def _retry_after(window_start: str, quota: Quota, now: datetime) -> int:
    ends = from_iso(window_start) + timedelta(seconds=quota.window_s)
    return max(1, math.ceil((ends - now).total_seconds()))


def _expired_before(quota: Quota, now: datetime) -> str:
    return to_iso(now - timedelta(seconds=quota.window_s))


def _refuse_if_spent(conn: sqlite3.Connection, device: Device, quota: Quota, now: datetime):
    used, started = sql.used(conn, device.id, quota.kind, _expired_before(quota, now))
    if used >= quota.limit:
        raise RateLimited(
            f"too many {'searches' if quota.kind == 'search' else 'wrong answers'} from this"
            " kiosk: try again later, or ask at the desk",
            retry_after=_retry_after(started, quota, now),
        )


def served_here(
    conn: sqlite3.Connection,
    device: Device,
    attendee_id: int,
    types: tuple[str, ...] = ("checked_in", "registered"),
    now: datetime | None = None,
) -> bool:
    """Whether this device checked the person in or registered them in the last SERVED_FOR."""
    since = to_iso(_now(now) - SERVED_FOR)
    return done_by_device_since(conn, attendee_id, device.id, types, since)


def prove(
    store: Store, device: Device, attendee_id: int, answer, now: datetime | None = None
) -> None:
    """Let a kiosk act for a person by id only with their proof; staff need none.

    A person the kiosk registered itself minutes ago needs no answer. Raises
    VerificationRequired, VerificationFailed (the wrong answer is counted and audited),
    VerificationUnavailable (no phone and no e-mail on file), RateLimited past WRONG_ANSWERS,
    or FieldErrors for an answer that is neither four digits nor an e-mail.
    """
    if device.role != "kiosk":
        return
    conn = store.conn
    now = _now(now)
    if served_here(conn, device, attendee_id, ("registered",), now):
        return
    if answer is None:
        raise VerificationRequired()
    kind, value = _parse(answer)
    _refuse_if_spent(conn, device, WRONG_ANSWERS, now)
    row = attendee_sql.get(conn, attendee_id)
    known = row is not None and row["status"] == "active"
    if known and not row["email_key"] and not _phone_tail(row):
        raise VerificationUnavailable()
    if known and _matches(row, kind, value):
        return
    with store.write() as wconn:
        used, _started = sql.take(
            wconn, device.id, WRONG_ANSWERS.kind, to_iso(now), _expired_before(WRONG_ANSWERS, now)
        )
        audit(
            wconn,
            device.actor,
            "identity.refused",
            f"attendee:{attendee_id}",
            after={"device_id": device.id, "wrong_answers": used},
        )
    raise VerificationFailed()


def count_search(store: Store, device: Device, now: datetime | None = None) -> None:
    """Count a kiosk's search against SEARCHES; RateLimited (nothing written) once spent."""
    if device.role != "kiosk":
        return
    now = _now(now)
    _refuse_if_spent(store.conn, device, SEARCHES, now)
    with store.write() as conn:
        sql.take(conn, device.id, SEARCHES.kind, to_iso(now), _expired_before(SEARCHES, now))


def may_show_badge(
    conn: sqlite3.Connection, device: Device, attendee_id: int, now: datetime | None = None
) -> None:
    """A kiosk sees a badge only of a person it just served; Forbidden otherwise."""
    if device.role == "staff":
        return
    if device.role == "kiosk" and served_here(conn, device, attendee_id, now=now):
        return
    raise Forbidden(
        "a kiosk gets a badge only for a person it checked in or registered in the last"
        f" {int(SERVED_FOR.total_seconds() // 60)} minutes",
        code="not_served_here",
    )
