"""`kiosk sync tryton`: people become Tryton parties, hot leads become sale opportunities.

Talks to a running trytond over XML-RPC with proteus. Each party carries an identifier
"kiosk:<event>:<attendee id>" and each opportunity the reference "kiosk:<event>:lead:<id>", so a
rerun finds what it made before and writes only what differs (nothing, when nothing changed).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urlsplit, urlunsplit

from kiosk.config import Settings
from kiosk.crm import metrics
from kiosk.crm.people import iter_people
from kiosk.crm.records import build
from kiosk.storage import Store, history, reports, sync
from kiosk.storage import exhibitors as exhibitor_sql

PHONE_TYPES = ("mobile", "phone")


class TrytonError(RuntimeError):
    """Tryton is unreachable, not set up for opportunities, or refused a record."""


@dataclass
class TrytonReport:
    target: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    opportunities: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """The end-of-run summary."""
        return (
            f"sync {self.target}: parties {self.created} created, {self.updated} updated,"
            f" {self.unchanged} unchanged; {self.opportunities} opportunities created;"
            f" {self.skipped} people left out (no consent) in {self.seconds:.1f}s"
        )


def public_url(url: str) -> str:
    """The URL without its password, as kept in the sync ledger and printed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def party_payload(record: dict, event_id: str) -> dict:
    """What the party should hold for this person."""
    hot = [lead for lead in record["leads"] if lead["rating"] == "hot"]
    return {
        "code": f"kiosk:{event_id}:{record['id']}",
        "name": record["full_name"],
        "email": record["email"],
        "phone": record["phone"],
        "street": record["address"],
        "city": record["city"],
        "hot_leads": [
            {
                "reference": f"kiosk:{event_id}:lead:{record['id']}:{lead['exhibitor_id']}",
                "exhibitor": lead["exhibitor"],
                "booth": lead["booth"],
                "date": lead["first_scanned_at"][:10],
            }
            for lead in hot
        ],
    }


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


class Tryton:
    """The models of one trytond database, through proteus."""

    def __init__(self, config, url: str):
        from proteus import Model

        company_id = config.context.get("company")
        if not company_id:
            raise TrytonError(
                f"{public_url(url)}: the Tryton user has no company; set one up in Tryton first"
            )
        self.Party = Model.get("party.party")
        self.Opportunity = Model.get("sale.opportunity")
        self.company = Model.get("company.company")(company_id)

    @classmethod
    @contextmanager
    def connect(cls, url: str) -> Iterator[Tryton]:
        """Log in once (a session, not a password check per call) and log out at the end."""
        try:
            from proteus import config
        except ImportError as exc:
            raise TrytonError("proteus is not installed: pip install 'proteus>=7.0,<7.1'") from exc
        parts = urlsplit(url)
        if not parts.username or parts.password is None:
            raise TrytonError(
                "--url must carry the Tryton user and password: http://user:pw@host/db/"
            )
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        plain = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        try:
            session = config.set_xmlrpc_session(
                plain, unquote(parts.username), unquote(parts.password)
            )
            cfg = session.__enter__()
        except Exception as exc:  # proteus raises whatever the transport raised
            raise TrytonError(f"cannot log in to {public_url(url)}: {exc}") from exc
        try:
            yield cls(cfg, url)
        finally:
            with suppress(Exception):
                session.__exit__(None, None, None)

    def find_party(self, code: str, remote_id: str):
        """The party made for this person before, by remembered id or by identifier."""
        if remote_id:
            found = self.Party.find([("id", "=", int(remote_id)), ("identifiers.code", "=", code)])
            if found:
                return found[0]
        found = self.Party.find([("identifiers.code", "=", code)])
        return found[0] if found else None

    def apply_party(self, party, payload: dict) -> tuple[object, bool]:
        """Create or update the party; returns (party, whether anything was written)."""
        created = party is None
        if created:
            party = self.Party(name=payload["name"])
            party.identifiers.new(code=payload["code"])
        changed = created
        if party.name != payload["name"]:
            party.name = payload["name"]
            changed = True
        mechanisms = list(party.contact_mechanisms)
        if payload["email"] and not any(
            m.type == "email" and (m.value or "").lower() == payload["email"] for m in mechanisms
        ):
            party.contact_mechanisms.new(type="email", value=payload["email"])
            changed = True
        if payload["phone"] and not any(
            m.type in PHONE_TYPES and _digits(m.value) == _digits(payload["phone"])
            for m in mechanisms
        ):
            party.contact_mechanisms.new(type="mobile", value=payload["phone"])
            changed = True
        if payload["street"] or payload["city"]:
            address = party.addresses[0] if party.addresses else party.addresses.new()
            if (address.street or "") != payload["street"]:
                address.street = payload["street"]
                changed = True
            if (address.city or "") != payload["city"]:
                address.city = payload["city"]
                changed = True
        if changed:
            party.save()
        return party, changed

    def ensure_opportunity(self, party, lead: dict, event_id: str) -> bool:
        """Create the opportunity of a hot lead unless it exists; True when created."""
        if self.Opportunity.find([("reference", "=", lead["reference"])]):
            return False
        opportunity = self.Opportunity()
        opportunity.reference = lead["reference"]
        opportunity.party = party
        opportunity.company = self.company
        opportunity.currency = self.company.currency
        opportunity.start_date = date.fromisoformat(lead["date"])
        opportunity.description = f"{event_id}: hot lead at {lead['booth']} {lead['exhibitor']}"[
            :200
        ]
        opportunity.save()
        return True


def sync_tryton(
    store: Store,
    settings: Settings,
    url: str,
    *,
    progress: Callable[..., Iterable] = lambda items, **kw: items,
) -> TrytonReport:
    """Bring Tryton in line with the show; people whose record did not change are not touched."""
    target = f"tryton:{public_url(url)}"
    report = TrytonReport(public_url(url))
    started = time.perf_counter()
    with Tryton.connect(url) as tryton:
        _sync(store, settings, tryton, target, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _sync(store, settings, tryton, target, report, progress) -> None:
    # The ledger is read in the snapshot too: each person's row is written after it is read.
    with store.snapshot() as conn:
        ctx = metrics.ShowContext.build(settings, history.editions(conn))
        exhibitors = exhibitor_sql.by_id(conn)
        total = reports.count_people(conn)
        for person in progress(iter_people(conn), total=total, desc="tryton", unit="person"):
            record = build(person, settings, ctx, exhibitors)
            if record["status"] != "active" or record["contact_withheld"]:
                report.skipped += 1
                continue
            payload = party_payload(record, settings.event_id)
            fingerprint = hashlib.sha256(
                json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()
            known = sync.sent(conn, target, person.id)
            if known is not None and known["digest"] == fingerprint:
                report.unchanged += 1
                continue
            try:
                party = tryton.find_party(payload["code"], known["remote_id"] if known else "")
                existed = party is not None
                party, changed = tryton.apply_party(party, payload)
                for lead in payload["hot_leads"]:
                    report.opportunities += tryton.ensure_opportunity(
                        party, lead, settings.event_id
                    )
            except TrytonError:
                raise
            except Exception as exc:  # proteus surfaces server faults as various types
                raise TrytonError(f"Tryton refused attendee {person.id}: {exc}") from exc
            if not existed:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
            with store.write() as wconn:
                sync.mark_sent(wconn, target, person.id, fingerprint, str(party.id))
