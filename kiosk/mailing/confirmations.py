"""Confirmations: each person with a live badge gets their code as a QR and a PDF e-badge.

`export` writes them for the ticketing system's own mailer; `recipients` feeds `kiosk mail
confirmations`. A person's live badge is their newest code not revoked, so after a reprint the
new code replaces the old one in both, and the ledger (keyed by person and code id) sends the
new code once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.checkin import codes
from kiosk.config import Settings
from kiosk.crm.files import Output
from kiosk.mailing import messages
from kiosk.mailing.ebadge import EBadges, gate_lines, language_of, qr_png, show_dates
from kiosk.mailing.outbox import Outgoing
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage import mailings as mail_sql

KIND = "confirmation"
COLUMNS = [
    "external_id",
    "full_name",
    "email",
    "language",
    "category",
    "badge_code",
    "qr_file",
    "pdf_file",
]
FOLDERS = ("qr", "pdf")

Progress = Callable[..., Iterable]


@dataclass
class ConfirmationExport:
    """What `kiosk export --format confirmations` wrote."""

    people: int = 0
    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    warning: str = ""

    def line(self) -> str:
        """The end-of-run summary printed by the CLI."""
        files = ", ".join(f"{name} {n}" for name, n in sorted(self.files.items()))
        return (
            f"export confirmations: {self.people} people with a live badge; {files}"
            f" in {self.seconds:.1f}s"
        )


def people(store: Store) -> list:
    """Every active person holding a live badge, with its code id, from one snapshot."""
    with store.snapshot() as conn:
        return list(mail_sql.with_live_badge(conn))


def code_of(keys: Keys, row) -> str:
    """The full badge code of a person's live badge."""
    return codes.code_for(keys, row["badge_code_id"], row["badge_version"])


def files_of(row) -> tuple[str, str]:
    """(QR file, PDF file) of a person, relative to the export folder (ids, never names)."""
    return f"qr/{row['id']}.png", f"pdf/{row['id']}.pdf"


def export(
    store: Store,
    settings: Settings,
    keys: Keys,
    out_dir: Path,
    *,
    progress: Progress = lambda items, **kw: items,
) -> ConfirmationExport:
    """confirmations.csv (UTF-8 with BOM), qr/ID.png and pdf/ID.pdf for every live badge.

    Files of people who no longer hold a live badge (erased, merged) from an earlier export
    into the same folder are removed, so the folder always matches the CSV."""
    started = time.perf_counter()
    rows = people(store)
    summary = ConfirmationExport()
    ebadges = EBadges(settings)
    summary.warning = ebadges.warning
    output = Output(out_dir)
    try:
        ebadges.prepare(t for row in rows for t in (row["full_name"], row["company"]))
        table = output.csv("confirmations.csv", COLUMNS, bom=True)
        for row in progress(rows, total=len(rows), desc="confirmations", unit="person"):
            code = code_of(keys, row)
            qr_file, pdf_file = files_of(row)
            png = qr_png(code)
            output.write_bytes(qr_file, png)
            output.write_bytes(pdf_file, ebadges.pdf(row, code, png))
            table.write(
                {
                    "external_id": row["external_id"] or "",
                    "full_name": row["full_name"],
                    "email": (row["email"] or "").strip().lower(),
                    "language": language_of(row, settings),
                    "category": row["category"],
                    "badge_code": code,
                    "qr_file": qr_file,
                    "pdf_file": pdf_file,
                }
            )
            summary.people += 1
        table.close()
        output.commit()
    except BaseException:
        output.discard()
        raise
    finally:
        ebadges.close()
    keep = {name for row in rows for name in files_of(row)}
    for folder in FOLDERS:
        for path in (Path(out_dir) / folder).glob("*"):
            if f"{folder}/{path.name}" not in keep and path.is_file():
                path.unlink()
    summary.files = dict(output.counts)
    summary.seconds = time.perf_counter() - started
    return summary


def context(row, settings: Settings, lang: str, code: str) -> dict:
    """What a confirmation template may use: this person's data and the show's, nobody else's."""
    category = settings.categories.get(row["category"])
    return {
        "full_name": row["full_name"],
        "company": row["company"] or "",
        "job_title": row["job_title"] or "",
        "category": row["category"],
        "category_name": category.name.get(lang, row["category"]) if category else "",
        "category_color": category.color if category else "#455A64",
        "event_name": settings.event_name.get(lang, ""),
        "event_name_en": settings.event_name.get("en", settings.event_name.get(lang, "")),
        "dates": show_dates(settings, lang),
        "gates": gate_lines(settings, lang, row["category"]),
        "code": code,
        "qr_cid": "badge-qr",
        "language": lang,
    }


def recipients(
    store: Store,
    settings: Settings,
    keys: Keys,
    templates: messages.Templates,
    ebadges: EBadges,
    sender: str,
) -> list[Outgoing]:
    """One message per person with a live badge, built only when its turn comes."""
    rows = people(store)
    ebadges.expect(t for row in rows for t in (row["full_name"], row["company"]))
    return [_outgoing(row, settings, keys, templates, ebadges, sender) for row in rows]


def _outgoing(row, settings, keys, templates, ebadges, sender) -> Outgoing:
    recipient = f"attendee:{row['id']}"
    ref = row["badge_code_id"]
    address = (row["email"] or "").strip()

    def build():
        code = code_of(keys, row)
        lang = templates.language(KIND, language_of(row, settings))
        png = qr_png(code)
        subject, text, html = templates.render(KIND, lang, context(row, settings, lang, code))
        return messages.compose(
            sender=sender,
            to_name=row["full_name"],
            to_address=address,
            subject=subject,
            text=text,
            html=html,
            msg_id=messages.message_id(KIND, recipient, ref, sender),
            language=lang,
            inline=("badge-qr", png),
            attachment=(f"e-badge-{row['id']}.pdf", ebadges.pdf(row, code, png)),
        )

    return Outgoing(
        recipient=recipient,
        ref=ref,
        address=address,
        name=f"{KIND}-{row['id']}",
        label=f"attendee {row['id']}"
        + (f" (external id {row['external_id']})" if row["external_id"] else ""),
        build=build,
        attendee_id=row["id"],
    )
