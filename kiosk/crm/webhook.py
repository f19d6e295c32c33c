"""`kiosk sync webhook`: signed JSON batches to an HTTPS endpoint, resumable, never resent.

Each record is an upsert of a person's export record, or a delete event for a person erased here
(the deletion list's entry: ids only), sent once per target.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import requests

from kiosk.config import Settings
from kiosk.crm import deletions, metrics
from kiosk.crm.people import iter_people
from kiosk.crm.records import build
from kiosk.storage import Store, history, reports, sync
from kiosk.storage import exhibitors as exhibitor_sql

# The ledger's digest of a person whose delete event the target accepted.
DELETED = "deleted"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
SIGNATURE_HEADER = "X-Kiosk-Signature"
TIMESTAMP_HEADER = "X-Kiosk-Timestamp"


class SyncError(RuntimeError):
    """The target refused the data or stayed unreachable; the cursor keeps what was sent."""


@dataclass
class SyncReport:
    target: str
    sent: int = 0
    deleted: int = 0
    unchanged: int = 0
    batches: int = 0
    retries: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """The end-of-run summary."""
        deletes = f" ({self.deleted} delete events)" if self.deleted else ""
        return (
            f"sync {self.target}: {self.sent} records sent{deletes} in {self.batches} batches,"
            f" {self.unchanged} unchanged since the last sync, {self.retries} retries"
            f" in {self.seconds:.1f}s"
        )


def digest(record: dict) -> str:
    """A stable fingerprint of a record's content."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: HMAC-SHA256 over "<timestamp>.<body>"."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Webhook:
    """Posts signed batches, retrying with exponential backoff and honouring Retry-After."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 8,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] = lambda message: None,
    ):
        self.url, self.secret, self.timeout = url, secret, timeout
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.sleep = sleep
        self.on_retry = on_retry
        self.session = requests.Session()
        self.retries = 0

    def close(self) -> None:
        """Close the HTTP connections."""
        self.session.close()

    def delay(self, attempt: int, response: requests.Response | None) -> float:
        """How long to wait before the next attempt."""
        if response is not None:
            wait = retry_after(response.headers.get("Retry-After"))
            if wait is not None:
                return min(wait, 3600.0)
        return min(self.max_backoff, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)

    def post(self, body: bytes, idempotency_key: str) -> None:
        """Deliver one batch or raise SyncError."""
        for attempt in range(self.max_retries + 1):
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            }
            response, problem = None, ""
            try:
                response = self.session.post(
                    self.url, data=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                problem = type(exc).__name__
            else:
                if 200 <= response.status_code < 300:
                    return
                if response.status_code not in RETRY_STATUS:
                    raise SyncError(
                        f"{self.url} answered {response.status_code}; nothing more sent"
                    )
                problem = f"HTTP {response.status_code}"
            if attempt == self.max_retries:
                raise SyncError(f"{self.url}: {problem} after {attempt + 1} attempts")
            self.retries += 1
            wait = self.delay(attempt, response)
            self.on_retry(f"{problem}; retry {attempt + 1} of {self.max_retries} in {wait:.1f} s")
            self.sleep(wait)


def sync_webhook(
    store: Store,
    settings: Settings,
    hook: Webhook,
    *,
    batch_size: int = 100,
    progress: Callable[..., Iterable] = lambda items, **kw: items,
) -> SyncReport:
    """Send every record the target has not yet accepted in this version, then a delete event
    for every erased record it has not yet acknowledged, batch by batch."""
    target = f"webhook:{hook.url}"
    report = SyncReport(target)
    started = time.perf_counter()
    try:
        # A snapshot to read from while the ledger is written alongside.
        with store.snapshot() as conn:
            ctx = metrics.ShowContext.build(settings, history.editions(conn))
            exhibitors = exhibitor_sql.by_id(conn)
            ledger = sync.sent_digests(conn, target)
            known = next(ledger, None)
            batch: list[tuple[int, str, dict]] = []
            total = reports.count_people(conn)
            for person in progress(iter_people(conn), total=total, desc="sync", unit="person"):
                if person.row["status"] == "erased":
                    continue  # a delete event below, never the blanked record
                while known is not None and known["attendee_id"] < person.id:
                    known = next(ledger, None)
                record = build(person, settings, ctx, exhibitors)
                fingerprint = digest(record)
                same = known is not None and known["attendee_id"] == person.id
                if same and known["digest"] == fingerprint:
                    report.unchanged += 1
                    continue
                batch.append((person.id, fingerprint, record))
                if len(batch) >= batch_size:
                    _deliver(store, settings, hook, target, batch, report)
                    batch = []
            for row in sync.erasures(conn):
                done = sync.sent(conn, target, row["attendee_id"])
                if done is not None and done["digest"] == DELETED:
                    report.unchanged += 1
                    continue
                batch.append((row["attendee_id"], DELETED, deletions.entry(row, settings)))
                if len(batch) >= batch_size:
                    _deliver(store, settings, hook, target, batch, report)
                    batch = []
            if batch:
                _deliver(store, settings, hook, target, batch, report)
    finally:
        report.retries = hook.retries
        report.seconds = time.perf_counter() - started
    return report


def _deliver(store, settings, hook, target, batch, report) -> None:
    keys = [f"{settings.event_id}:{aid}:{fp[:24]}" for aid, fp, _ in batch]
    batch_key = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]
    body = json.dumps(
        {
            "event": settings.event_id,
            "batch": batch_key,
            "records": [
                {
                    "action": "delete" if fingerprint == DELETED else "upsert",
                    "idempotency_key": key,
                    "record": record,
                }
                for key, (_, fingerprint, record) in zip(keys, batch, strict=True)
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    hook.post(body, batch_key)
    with store.write() as conn:
        for attendee_id, fingerprint, _ in batch:
            sync.mark_sent(conn, target, attendee_id, fingerprint)
    report.sent += len(batch)
    report.deleted += sum(fingerprint == DELETED for _, fingerprint, _ in batch)
    report.batches += 1
