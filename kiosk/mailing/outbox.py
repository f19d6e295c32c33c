"""Sending: an SMTP connection (or .eml files for a dry run), the rate limit and the ledger.

Each message is marked `sending` in the ledger (committed) before it goes to the server and
`sent`, `refused` or `failed` after, so a rerun never sends a `sent` message again and a
crash leaves at most the one message in flight `sending`: it is reported as in doubt and not
sent again unless asked (`--resend-in-doubt`), because the server may have taken it. Nothing
here logs; the report carries counts, and the refused addresses for the operator.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from kiosk.errors import Unavailable
from kiosk.mailing.setup import MailSettings
from kiosk.storage import Store
from kiosk.storage import mailings as ledger_sql
from kiosk.storage.interactions import append, audit

RETRIES = 3  # a dropped connection or a 4xx answer: tries per message before it counts failed
GIVE_UP_AFTER = 5  # messages failed in a row: the server is down, stop the run


class MailError(Unavailable):
    """The mail server cannot be used (connection, TLS, sign-in); the message says why."""

    def __init__(self, message: str):
        super().__init__(message, code="mail_unavailable")


class Refused(Exception):
    """The server refused this recipient or message for good (5xx)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class Transient(Exception):
    """This message could not go now (4xx, a dropped connection); another run may send it."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def address_digest(address: str) -> str:
    """What the ledger keeps of an address: enough to see that it changed, not the address."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


def _detail(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"[:200]


class SmtpTransport:
    """One SMTP connection, opened on first use and reopened after a drop."""

    def __init__(self, mail: MailSettings):
        self.mail = mail
        self.conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.mail.ca_file:
            context.load_verify_locations(self.mail.ca_file)
        return context

    def connect(self) -> None:
        """Open, secure and sign in; MailError when any step fails."""
        mail = self.mail
        where = f"{mail.host}:{mail.port}"
        try:
            if mail.security == "tls":
                conn = smtplib.SMTP_SSL(
                    mail.host, mail.port, timeout=mail.timeout, context=self._context()
                )
            else:
                conn = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
            try:
                conn.ehlo()
                if mail.security == "starttls":
                    conn.starttls(context=self._context())
                    conn.ehlo()
                if mail.username:
                    conn.login(mail.username, mail.password)
            except BaseException:
                conn.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"mail server {where} refused the sign-in of mail.username") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"mail server {where}: {exc}") from exc
        except ssl.SSLError as exc:
            raise MailError(f"mail server {where}: TLS failed ({exc.reason})") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"mail server {where}: cannot connect ({exc})") from exc
        self.conn = conn

    def send(self, msg: EmailMessage, address: str) -> None:
        """Hand one message to the server for one address; Refused or Transient if not taken."""
        if self.conn is None:
            self.connect()
        assert self.conn is not None
        try:
            self.conn.send_message(msg, to_addrs=[address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._after_refusal()
            if 400 <= code < 500:
                raise Transient(_detail(code, text)) from exc
            raise Refused(_detail(code, text)) from exc
        except smtplib.SMTPResponseException as exc:
            self._after_refusal()
            if 400 <= exc.smtp_code < 500:
                raise Transient(_detail(exc.smtp_code, exc.smtp_error)) from exc
            raise Refused(_detail(exc.smtp_code, exc.smtp_error)) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise Transient(f"connection lost ({exc.__class__.__name__})") from exc

    def _after_refusal(self) -> None:
        try:
            assert self.conn is not None
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        """Say goodbye (or just drop a broken connection)."""
        if self.conn is None:
            return
        try:
            self.conn.quit()
        except (smtplib.SMTPException, OSError):
            self.conn.close()
        self.conn = None


class DryRun:
    """Writes each message as an .eml file (0600) into a folder instead of sending it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written = 0

    def write(self, name: str, msg: EmailMessage) -> None:
        """One message as DIR/NAME.eml, written whole or not at all."""
        target = self.folder / f"{name}.eml"
        temp = target.with_name(f".{target.name}.partial")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(msg.as_bytes(policy=SMTP))
        os.replace(temp, target)
        self.written += 1


@dataclass
class Outgoing:
    """One message due: its ledger key, where it goes, and how to build it when its turn comes."""

    recipient: str
    ref: str
    address: str
    name: str  # the .eml file name of a dry run
    label: str  # who it is for, in the refusal report (ids, not names)
    build: Callable[[], EmailMessage]
    attendee_id: int | None = None


@dataclass
class MailReport:
    """What a run did, in counts, plus the refusals for the operator to fix."""

    kind: str
    dry_run: bool = False
    due: int = 0
    sent: int = 0
    written: int = 0
    refused: int = 0
    failed: int = 0
    already_sent: int = 0
    refused_before: int = 0
    in_doubt: int = 0
    no_address: int = 0
    refusals: list[tuple[str, str, str]] = field(default_factory=list)
    stopped: str = ""

    def counts(self) -> dict[str, int]:
        """The numbers alone (what the audit log keeps)."""
        return {
            k: getattr(self, k)
            for k in (
                "due",
                "sent",
                "written",
                "refused",
                "failed",
                "already_sent",
                "refused_before",
                "in_doubt",
                "no_address",
            )
        }

    def line(self) -> str:
        """The end-of-run summary."""
        if self.dry_run:
            head = f"{self.kind}s (dry run): {self.written} written"
        else:
            head = f"{self.kind}s: {self.sent} sent, {self.refused} refused, {self.failed} failed"
        tail = [f"{self.already_sent} already sent"]
        if self.refused_before:
            tail.append(f"{self.refused_before} refused before (same address)")
        if self.in_doubt:
            tail.append(
                f"{self.in_doubt} in doubt (cut off while sending; --resend-in-doubt sends them)"
            )
        if self.no_address:
            tail.append(f"{self.no_address} without an e-mail address")
        return f"{head}; {', '.join(tail)}"


class RateLimit:
    """At most `per_minute` messages a minute, evenly spaced."""

    def __init__(self, per_minute: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = 60.0 / per_minute
        self.clock, self.sleep = clock, sleep
        self.next_at = 0.0

    def wait(self) -> None:
        """Return when the next message may go."""
        now = self.clock()
        if now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval


def due(store: Store, kind: str, items: Iterable[Outgoing], report: MailReport, resend: bool):
    """The messages the ledger says are still to send; counts the others into the report."""
    seen = ledger_sql.ledger(store.conn, kind)
    todo = []
    for item in items:
        if not item.address:
            report.no_address += 1
            continue
        row = seen.get((item.recipient, item.ref))
        state = row["state"] if row is not None else None
        if state == "sent":
            report.already_sent += 1
        elif state == "sending" and not resend:
            report.in_doubt += 1
        elif state == "refused" and row["address_digest"] == address_digest(item.address):
            report.refused_before += 1
        else:
            todo.append(item)
    report.due = len(todo)
    return todo


def dry_run(
    store: Store,
    kind: str,
    items: Iterable[Outgoing],
    folder: Path,
    *,
    resend_in_doubt: bool = False,
    progress: Callable[..., Iterable] = lambda items, **kw: items,
) -> MailReport:
    """Write the messages a real run would send as .eml files; the ledger is left as it is."""
    report = MailReport(kind, dry_run=True)
    todo = due(store, kind, items, report, resend_in_doubt)
    out = DryRun(folder)
    for item in progress(todo, total=len(todo), desc=f"{kind}s", unit="message"):
        out.write(item.name, item.build())
    report.written = out.written
    return report


def deliver(
    store: Store,
    kind: str,
    items: Iterable[Outgoing],
    transport,
    *,
    rate_per_minute: float,
    actor: str,
    resend_in_doubt: bool = False,
    progress: Callable[..., Iterable] = lambda items, **kw: items,
    limiter: RateLimit | None = None,
) -> MailReport:
    """Send each message due once, recording every step in the ledger; returns the report."""
    report = MailReport(kind)
    todo = due(store, kind, items, report, resend_in_doubt)
    with store.write() as conn:
        ledger_sql.mark_pending(
            conn,
            kind,
            ((i.recipient, i.ref, i.attendee_id, address_digest(i.address)) for i in todo),
        )
    limiter = limiter or RateLimit(rate_per_minute)
    failed_in_row = 0
    if todo:
        transport.connect()  # a wrong host, TLS or password stops the run before anything
    try:
        for item in progress(todo, total=len(todo), desc=kind + "s", unit="message"):
            msg = item.build()
            digest = address_digest(item.address)
            limiter.wait()
            with store.write() as conn:
                ledger_sql.mark(
                    conn, kind, item.recipient, item.ref, "sending", address_digest=digest
                )
            try:
                state, detail = _send(transport, msg, item.address)
            except MailError:
                # The server could not even be reached again: this one never left.
                with store.write() as conn:
                    ledger_sql.mark(
                        conn, kind, item.recipient, item.ref, "failed", address_digest=digest
                    )
                report.failed += 1
                raise
            with store.write() as conn:
                ledger_sql.mark(
                    conn,
                    kind,
                    item.recipient,
                    item.ref,
                    state,
                    address_digest=digest,
                    detail=detail,
                )
                if state == "sent" and item.attendee_id is not None:
                    append(conn, f"{kind}_mailed", attendee_id=item.attendee_id)
            if state == "sent":
                report.sent += 1
                failed_in_row = 0
            elif state == "refused":
                report.refused += 1
                report.refusals.append((item.label, item.address, detail))
                failed_in_row = 0
            else:
                report.failed += 1
                failed_in_row += 1
                if failed_in_row >= GIVE_UP_AFTER:
                    report.stopped = f"stopped after {failed_in_row} failures in a row: {detail}"
                    break
    finally:
        transport.close()
        with store.write() as conn:
            audit(conn, actor, f"mail.{kind}s", after=report.counts())
    return report


def _send(transport, msg: EmailMessage, address: str) -> tuple[str, str]:
    detail = ""
    for attempt in range(RETRIES):
        try:
            transport.send(msg, address)
        except Refused as exc:
            return "refused", exc.detail
        except Transient as exc:
            detail = exc.detail
            if attempt + 1 < RETRIES:
                time.sleep(min(2**attempt, 10))
            continue
        return "sent", ""
    return "failed", detail
