"""Invitations to earlier editions' people, by segment, with the organiser's registration link.

The audience is everyone the imported history shows at an earlier edition: people of this show
matched to their history, and people known only from the history (with the CRM's columns).
Left out, and only counted: the erased, anyone without the marketing consent, anyone without an
address. `kiosk invitations` lists the rest with the reasons each is in.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import Settings
from kiosk.crm import audience, metrics
from kiosk.crm.files import Output
from kiosk.crm.people import Person, iter_people
from kiosk.mailing import messages, setup
from kiosk.mailing.ebadge import language_of, show_dates
from kiosk.mailing.outbox import Outgoing, address_digest
from kiosk.storage import Store
from kiosk.storage import history as history_sql

KIND = "invitation"
COLUMNS = [
    "external_id",
    "attendee_id",
    "full_name",
    "company",
    "email",
    "language",
    "segments",
    "reasons",
    "earlier_editions",
    "registered",
]


@dataclass
class Invitee:
    """One person an invitation may go to, and why."""

    person: Person
    standing: audience.Standing
    email: str

    @property
    def attendee_id(self) -> int | None:
        """The person's id in this show, or None when known only from the history."""
        return self.person.row["id"]


@dataclass
class Selection:
    """The people of a segment, and how many were left out for which reason."""

    segment: str
    invitees: list[Invitee] = field(default_factory=list)
    erased: int = 0
    no_consent: int = 0
    no_address: int = 0
    other_segments: int = 0

    def line(self) -> str:
        """What was selected and what was left out, in counts."""
        return (
            f"invitations {self.segment}: {len(self.invitees)} people;"
            f" left out: {self.no_consent} without the marketing consent,"
            f" {self.erased} erased, {self.no_address} without an address,"
            f" {self.other_segments} in other segments"
        )


def _history_people(conn, settings: Settings) -> Iterator[Person]:
    group: list = []
    key = None
    for row in history_sql.unmatched(conn):
        row_key = row["external_id"] or f"email:{row['email_key']}"
        if group and row_key != key:
            yield audience.from_history(group, settings)
            group = []
        key = row_key
        group.append(row)
    if group:
        yield audience.from_history(group, settings)


def select(store: Store, settings: Settings, segment: str) -> Selection:
    """Everyone with an earlier edition in the segment ('all': any), erased and unconsenting out."""
    selection = Selection(segment)
    with store.snapshot() as conn:
        ctx = metrics.ShowContext.build(settings, history_sql.editions(conn))
        known = (p for p in iter_people(conn) if p.history)
        for person in itertools.chain(known, _history_people(conn, settings)):
            where = audience.standing(person, ctx)
            if not where.editions:
                continue
            if segment != "all" and segment not in where.segments:
                selection.other_segments += 1
                continue
            if audience.erased(person):
                selection.erased += 1
            elif not audience.may_invite(person, settings):
                selection.no_consent += 1
            elif not (person.row["email"] or "").strip():
                selection.no_address += 1
            else:
                email = person.row["email"].strip()
                selection.invitees.append(Invitee(person, where, email))
    return selection


@dataclass
class InvitationExport:
    """What `kiosk invitations` wrote."""

    selection: Selection
    seconds: float = 0.0

    def line(self) -> str:
        """The end-of-run summary printed by the CLI."""
        return f"{self.selection.line()}; invitations.csv in {self.seconds:.1f}s"


def export(store: Store, settings: Settings, segment: str, out_dir: Path) -> InvitationExport:
    """invitations.csv (UTF-8 with BOM): who the segment's invitation goes to and why."""
    started = time.perf_counter()
    selection = select(store, settings, segment)
    output = Output(out_dir)
    try:
        table = output.csv("invitations.csv", COLUMNS, bom=True)
        for invitee in selection.invitees:
            row = invitee.person.row
            table.write(
                {
                    "external_id": row["external_id"] or "",
                    "attendee_id": row["id"] if row["id"] is not None else "",
                    "full_name": row["full_name"],
                    "company": row["company"],
                    "email": invitee.email.lower(),
                    "language": language_of(row, settings),
                    "segments": " ".join(invitee.standing.segments) or "earlier-visitor",
                    "reasons": "; ".join(invitee.standing.reasons)
                    or f"attended {', '.join(invitee.standing.editions)}",
                    "earlier_editions": " ".join(invitee.standing.editions),
                    "registered": "yes" if row["id"] is not None else "no",
                }
            )
        table.close()
        output.commit()
    except BaseException:
        output.discard()
        raise
    return InvitationExport(selection, time.perf_counter() - started)


def recipients(
    store: Store, settings: Settings, segment: str, templates: messages.Templates, sender: str
) -> list[Outgoing]:
    """One invitation per person of the segment, once per person (by address) and show."""
    url = setup.registration_url(settings)
    selection = select(store, settings, segment)
    return [
        _outgoing(invitee, n, settings, segment, url, templates, sender)
        for n, invitee in enumerate(selection.invitees, 1)
    ]


def _outgoing(invitee, n, settings, segment, url, templates, sender) -> Outgoing:
    recipient = f"email:{address_digest(invitee.email)}"
    ref = settings.event_id
    row = invitee.person.row

    def build():
        lang = templates.language(KIND, language_of(row, settings))
        shown = segment if segment != "all" else next(iter(invitee.standing.segments), "all")
        subject, text, html = templates.render(
            KIND,
            lang,
            {
                "full_name": row["full_name"],
                "company": row["company"],
                "event_name": settings.event_name.get(lang, ""),
                "event_name_en": settings.event_name.get("en", settings.event_name.get(lang, "")),
                "dates": show_dates(settings, lang),
                "registration_url": url,
                "segment": shown,
                "language": lang,
            },
        )
        return messages.compose(
            sender=sender,
            to_name=row["full_name"],
            to_address=invitee.email,
            subject=subject,
            text=text,
            html=html,
            msg_id=messages.message_id(KIND, recipient, ref, sender),
            language=lang,
        )

    if row["id"] is not None:
        label = f"attendee {row['id']}"
    else:
        label = (
            f"history external id {row['external_id']}" if row["external_id"] else f"invitee {n}"
        )
    return Outgoing(
        recipient=recipient,
        ref=ref,
        address=invitee.email,
        name=f"{KIND}-{n}",
        label=label,
        build=build,
        attendee_id=row["id"],
    )
