"""`kiosk sync tryton`: people and exhibitors become Tryton parties, with the organiser's
opportunities: key accounts to follow up and exhibitors to re-book.

Talks to a running trytond over XML-RPC (a proteus session) and writes in batches: one call
finds a batch's parties, a few read what they hold, one creates the new ones and one writes
every change. Each person's party carries the identifier "kiosk:<person key>" (see
identity.py), so the next edition finds and updates the party this one made; each exhibitor's
"kiosk:exhibitor:<name>". A rerun writes only what differs (nothing, when nothing changed).
With workers, several batches are in Tryton at once, each over its own session. Last, the
parties of people erased here are anonymised (Tryton's own party erasure).
"""

from __future__ import annotations

import hashlib
import json
import queue
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote, urlsplit, urlunsplit

import phonenumbers

from kiosk.config import Settings
from kiosk.crm import identity, metrics
from kiosk.crm.mapping import slug
from kiosk.crm.people import iter_people
from kiosk.crm.records import build
from kiosk.storage import Store, history, reports, sync
from kiosk.storage import exhibitors as exhibitor_sql

PHONE_TYPES = ("mobile", "phone")
ERASED = "erased"  # the ledger's digest of an erased person whose party Tryton has erased
BATCH = 500
ROOT_CATEGORY = "Kiosk"
LANGUAGES = {"zh": "zh_CN", "en": "en"}  # the show's language -> Tryton's ir.lang code


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
    erased: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        """The end-of-run summary."""
        return (
            f"sync {self.target}: parties {self.created} created, {self.updated} updated,"
            f" {self.unchanged} unchanged; {self.opportunities} opportunities created;"
            f" {self.erased} parties of erased people anonymised;"
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


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def party_code(identifier: str) -> str:
    """The code of a party the sync creates: from its identifier, without personal data.

    Tryton would otherwise draw a number from its party sequence, a locked write per party
    (on SQLite, concurrent batches would even draw the same number)."""
    return "kiosk-" + hashlib.sha256(identifier.encode()).hexdigest()[:16]


def phone_mechanism(phone: str) -> dict:
    """A mobile number as Tryton keeps it (international format, E.164 compact value), so
    that Tryton has nothing to reformat and writes the mechanism once instead of twice."""
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return {"type": "mobile", "value": phone}
    if not phonenumbers.is_valid_number(number):
        return {"type": "mobile", "value": phone}
    return {
        "type": "mobile",
        "value": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        "value_compact": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    }


def categories(record: dict) -> list[str]:
    """The person's categories under "Kiosk" in Tryton: what they are, as of this edition."""
    m = record["metrics"]
    names = [
        f"category: {record['category']}",
        f"lifecycle: {m['lifecycle_stage']}",
        f"purchasing role: {m['segment']['purchasing_role']}",
    ]
    if m["satisfaction"]["nps_group"]:
        names.append(f"NPS: {m['satisfaction']['nps_group']}")
    if m["key_account"]:
        names.append("key account")
    return sorted(names)


def metrics_note(record: dict, event_id: str) -> str:
    """The note one edition leaves on the party: the person's figures of that edition."""
    m = record["metrics"]
    lines = [
        f"[{event_id}] kiosk",
        f"attended: {'yes' if m['attended'] else 'no'} ({m['contribution']['days_attended']} days)",
        f"segment: {m['segment']['key']}",
        f"lifecycle stage: {m['lifecycle_stage']}",
        f"booths visited: {m['contribution']['booths_visited']},"
        f" sessions: {m['contribution']['sessions_attended']},"
        f" leads: {m['contribution']['leads']}, hot leads: {m['contribution']['hot_leads']}",
        f"contribution score: {m['contribution']['score']}",
        f"editions attended: {m['loyalty']['editions_attended']},"
        f" loyalty score: {m['loyalty']['score']}",
    ]
    s = m["satisfaction"]
    if s["satisfaction"] is not None or s["recommend"] is not None:
        lines.append(
            f"satisfaction: {s['satisfaction']}, recommend: {s['recommend']}"
            f" ({s['nps_group'] or '-'})"
        )
    if m["key_account"]:
        lines.append(f"key account: {m['key_account_reason']}")
    return "\n".join(lines)


def party_payload(record: dict, event_id: str, default_language: str = "") -> dict:
    """What the person's party should hold after this edition (language: the person's, else
    the show's default)."""
    m = record["metrics"]
    language = record["language"] or default_language
    name = record["full_name"]
    label = f"{name}, {record['job_title']}" if record["job_title"] else ""
    payload = {
        "code": f"kiosk:{record['person_key']}",
        "name": name,
        "lang": LANGUAGES.get(language, language),
        "email": record["email"],
        "phone": record["phone"],
        "address": {
            "party_name": label,
            "name": record["company"],
            "street": record["address"],
            "city": record["city"],
            "country": (record["country"] or "").upper(),
        },
        "categories": categories(record),
        "note": metrics_note(record, event_id),
        "opportunity": None,
    }
    if m["key_account"]:
        hot = [lead for lead in record["leads"] if lead["rating"] == "hot"]
        payload["opportunity"] = {
            "reference": f"kiosk:{event_id}:key-account:{record['person_key']}",
            "date": (m["first_check_in"] or record["created_at"])[:10],
            "description": f"{event_id}: key account {name}"
            f"{', ' + record['company'] if record['company'] else ''}"[:200],
            "comment": f"{m['key_account_reason']}\n"
            + "".join(f"hot lead at {lead['booth']} {lead['exhibitor']}\n" for lead in hot),
        }
    return payload


def exhibitor_payload(row, leads: int, hot: int, event_id: str) -> dict:
    """An exhibitor as a party, with the opportunity to re-book it for the next edition."""
    key = slug(row["name"]) or str(row["id"])
    return {
        "code": f"kiosk:exhibitor:{key}",
        "name": row["name"],
        "lang": "",
        "email": "",
        "phone": "",
        "address": None,
        "categories": ["exhibitor"],
        "note": f"[{event_id}] kiosk\nbooth: {row['booth']}\nleads: {leads}, hot leads: {hot}",
        "opportunity": {
            "reference": f"kiosk:{event_id}:rebook:{key}",
            "date": (row["created_at"] or "")[:10] or date.today().isoformat(),
            "description": f"{event_id}: re-book {row['name']} (booth {row['booth']})"[:200],
            "comment": f"{leads} leads, {hot} hot, at booth {row['booth']} in {event_id}",
        },
    }


def fingerprint(payload: dict) -> str:
    """A digest of what the party should hold."""
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class Tryton:
    """The models of one trytond database, called over XML-RPC in batches."""

    def __init__(self, config, url: str):
        self.context = dict(config.context)
        company_id = self.context.get("company")
        if not company_id:
            raise TrytonError(
                f"{public_url(url)}: the Tryton user has no company; set one up in Tryton first"
            )
        self.config = config
        self.company = company_id
        self.currency = self.call("company.company", "read", [company_id], ["currency"])[0][
            "currency"
        ]
        self.langs = {
            r["code"]: r["id"]
            for r in self.call(
                "ir.lang",
                "search_read",
                [("code", "in", sorted(set(LANGUAGES.values()))), ("active", "in", [True, False])],
                0,
                None,
                None,
                ["code"],
            )
        }
        self.countries = {
            r["code"]: r["id"]
            for r in self.call("country.country", "search_read", [], 0, None, None, ["code"])
        }
        self.category_ids: dict[str, int] = {}
        self.root = self._root_category()

    def call(self, model: str, method: str, *args):
        """One RPC call with the user's context."""
        proxy = self.config.get_proxy(model)
        return getattr(proxy, method)(*args, self.context)

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

    # categories ---------------------------------------------------------------------------

    def _root_category(self) -> int:
        found = self.call(
            "party.category",
            "search",
            [("name", "=", ROOT_CATEGORY), ("parent", "=", None)],
        )
        if found:
            root = found[0]
        else:
            root = self.call("party.category", "create", [{"name": ROOT_CATEGORY}])[0]
        for row in self.call(
            "party.category", "search_read", [("parent", "=", root)], 0, None, None, ["name"]
        ):
            self.category_ids[row["name"]] = row["id"]
        return root

    def ensure_categories(self, names: Iterable[str]) -> None:
        """Create the categories under "Kiosk" that do not exist yet."""
        missing = sorted(set(names) - set(self.category_ids))
        if missing:
            ids = self.call(
                "party.category", "create", [{"name": n, "parent": self.root} for n in missing]
            )
            self.category_ids.update(zip(missing, ids, strict=True))

    # parties ------------------------------------------------------------------------------

    def find(self, payloads: list[dict], remote_ids: list[str]) -> list[int | None]:
        """The party of each payload: by identifier, else by the id the ledger remembers."""
        codes = [p["code"] for p in payloads]
        by_code = {
            r["code"]: r["party"]
            for r in self.call(
                "party.identifier",
                "search_read",
                [("code", "in", codes)],
                0,
                None,
                None,
                ["code", "party"],
            )
        }
        wanted = {int(r) for r, c in zip(remote_ids, codes, strict=True) if r and c not in by_code}
        alive = set()
        if wanted:
            alive = set(self.call("party.party", "search", [("id", "in", sorted(wanted))]))
        found = []
        for payload, remote in zip(payloads, remote_ids, strict=True):
            party = by_code.get(payload["code"])
            if party is None and remote and int(remote) in alive:
                party = int(remote)
            found.append(party)
        return found

    def _current(self, ids: list[int]) -> dict[int, dict]:
        """What the parties hold now: name, language, categories, mechanisms, address, notes."""
        if not ids:
            return {}
        state = {
            r["id"]: {**r, "codes": set(), "mechanisms": [], "address": None, "notes": []}
            for r in self.call("party.party", "read", ids, ["name", "lang", "categories"])
        }
        domain = [("party", "in", ids)]
        for r in self.call(
            "party.identifier", "search_read", domain, 0, None, None, ["party", "code"]
        ):
            state[r["party"]]["codes"].add(r["code"])
        for r in self.call(
            "party.contact_mechanism",
            "search_read",
            domain,
            0,
            None,
            None,
            ["party", "type", "value"],
        ):
            state[r["party"]]["mechanisms"].append(r)
        for r in self.call(
            "party.address",
            "search_read",
            domain,
            0,
            None,
            [("sequence", "ASC"), ("id", "ASC")],
            ["party", "party_name", "name", "street", "city", "country"],
        ):
            if state[r["party"]]["address"] is None:
                state[r["party"]]["address"] = r
        resources = [f"party.party,{i}" for i in ids]
        for r in self.call(
            "ir.note",
            "search_read",
            [("resource", "in", resources)],
            0,
            None,
            None,
            ["resource", "message"],
        ):
            state[int(r["resource"].split(",")[1])]["notes"].append(r)
        return state

    def _address_values(self, wanted: dict) -> dict:
        values = {k: wanted[k] for k in ("party_name", "name", "street", "city")}
        values["country"] = self.countries.get(wanted["country"])
        return values

    def _new_party(self, payload: dict) -> dict:
        values = {
            "code": party_code(payload["code"]),
            "name": payload["name"],
            "identifiers": [["create", [{"code": payload["code"]}]]],
            "categories": [["add", [self.category_ids[c] for c in payload["categories"]]]],
        }
        if payload["lang"] in self.langs:
            values["lang"] = self.langs[payload["lang"]]
        # The address first: Tryton sets a party's lists in the order given, and checks a
        # phone number against the countries of the party's addresses before it looks up the
        # company's (a few reads per number, three times per number).
        if payload["address"] and any(payload["address"].values()):
            values["addresses"] = [["create", [self._address_values(payload["address"])]]]
        mechanisms = []
        if payload["email"]:
            mechanisms.append({"type": "email", "value": payload["email"]})
        if payload["phone"]:
            mechanisms.append(phone_mechanism(payload["phone"]))
        if mechanisms:
            values["contact_mechanisms"] = [["create", mechanisms]]
        return values

    def _changes(self, payload: dict, now: dict) -> dict:
        values: dict = {}
        if now["name"] != payload["name"]:
            values["name"] = payload["name"]
        if payload["code"] not in now["codes"]:
            values["identifiers"] = [["create", [{"code": payload["code"]}]]]
        lang = self.langs.get(payload["lang"])
        if lang and now["lang"] != lang:
            values["lang"] = lang
        managed = set(self.category_ids.values())
        want = {self.category_ids[c] for c in payload["categories"]}
        have = set(now["categories"]) & managed
        if want != have:
            values["categories"] = [["add", sorted(want - have)], ["remove", sorted(have - want)]]
        wanted = payload["address"]  # before the phone, as in _new_party
        if wanted and any(wanted.values()):
            target = self._address_values(wanted)
            address = now["address"]
            if address is None:
                values["addresses"] = [["create", [target]]]
            else:
                differ = {k: v for k, v in target.items() if (address[k] or None) != (v or None)}
                if differ:
                    values["addresses"] = [["write", [address["id"]], differ]]
        mechanisms = []
        emails = {(m["value"] or "").lower() for m in now["mechanisms"] if m["type"] == "email"}
        if payload["email"] and payload["email"] not in emails:
            mechanisms.append({"type": "email", "value": payload["email"]})
        phones = {_digits(m["value"]) for m in now["mechanisms"] if m["type"] in PHONE_TYPES}
        if payload["phone"] and _digits(payload["phone"]) not in phones:
            mechanisms.append(phone_mechanism(payload["phone"]))
        if mechanisms:
            values["contact_mechanisms"] = [["create", mechanisms]]
        return values

    def apply(self, payloads: list[dict], parties: list[int | None]) -> tuple[list[int], list]:
        """Create or update the parties; returns their ids and, per payload, 'created',
        'updated' or 'unchanged'."""
        self.ensure_categories(c for p in payloads for c in p["categories"])
        current = self._current([p for p in parties if p is not None])
        creates, writes, outcome = [], [], []
        for payload, party in zip(payloads, parties, strict=True):
            if party is None:
                creates.append(self._new_party(payload))
                outcome.append("created")
                continue
            values = self._changes(payload, current[party])
            if values:
                writes += [[party], values]
            outcome.append("updated" if values else "unchanged")
        new_ids = iter(self.call("party.party", "create", creates) if creates else [])
        if writes:
            self.call("party.party", "write", *writes)
        ids = [party if party is not None else next(new_ids) for party in parties]
        self._notes(payloads, ids, current, outcome)
        return ids, outcome

    def _notes(self, payloads, ids, current, outcome) -> None:
        """One note per party and edition with that edition's figures."""
        creates, writes = [], []
        for k, (payload, party) in enumerate(zip(payloads, ids, strict=True)):
            head = payload["note"].split("\n", 1)[0]
            notes = current.get(party, {}).get("notes", [])
            same = [n for n in notes if (n["message"] or "").split("\n", 1)[0] == head]
            if not same:
                creates.append({"resource": f"party.party,{party}", "message": payload["note"]})
            elif same[0]["message"] != payload["note"]:
                writes += [[same[0]["id"]], {"message": payload["note"]}]
            else:
                continue
            if outcome[k] == "unchanged":
                outcome[k] = "updated"
        if creates:
            self.call("ir.note", "create", creates)
        if writes:
            self.call("ir.note", "write", *writes)

    def ensure_opportunities(self, payloads: list[dict], ids: list[int]) -> int:
        """Create each payload's opportunity unless its reference exists; returns how many."""
        wanted = [(p["opportunity"], party) for p, party in zip(payloads, ids, strict=True)]
        wanted = [(o, party) for o, party in wanted if o]
        if not wanted:
            return 0
        exists = {
            r["reference"]
            for r in self.call(
                "sale.opportunity",
                "search_read",
                [("reference", "in", [o["reference"] for o, _ in wanted])],
                0,
                None,
                None,
                ["reference"],
            )
        }
        creates = [
            {
                "reference": o["reference"],
                "party": party,
                "company": self.company,
                "currency": self.currency,
                "start_date": date.fromisoformat(o["date"]),
                "description": o["description"],
                "comment": o["comment"],
            }
            for o, party in wanted
            if o["reference"] not in exists
        ]
        if creates:
            self.call("sale.opportunity", "create", creates)
        return len(creates)

    # erasure -------------------------------------------------------------------------------

    def erased_parties(self, codes: list[str], ids: list[int]) -> list[int]:
        """The parties, active or not, with one of these identifiers or ids."""
        found = set()
        if codes:
            found |= {
                r["party"]
                for r in self.call(
                    "party.identifier",
                    "search_read",
                    [("code", "in", codes)],
                    0,
                    None,
                    None,
                    ["party"],
                )
            }
        if ids:
            found |= set(
                self.call(
                    "party.party",
                    "search",
                    [("id", "in", sorted(ids)), ("active", "in", [True, False])],
                )
            )
        return sorted(found)

    def erase(self, party: int) -> None:
        """Anonymise a party: its kiosk opportunities cancelled and blanked, the address line
        with the person's name blanked, the party deactivated (a code the sync gave it, a
        digest of the person key, replaced), then Tryton's own party erasure
        (name, identifiers, addresses, contact mechanisms, notes and attachments)."""
        opportunities = self.call(
            "sale.opportunity",
            "search_read",
            [("party", "=", party), ("reference", "like", "kiosk:%")],
            0,
            None,
            None,
            ["state"],
        )
        if opportunities:
            open_ = [o["id"] for o in opportunities if o["state"] in ("lead", "opportunity")]
            if open_:
                self.call("sale.opportunity", "cancel", open_)
            writes = []
            for o in opportunities:
                blank = {"reference": f"kiosk:erased:{o['id']}", "description": "[erased]"}
                writes += [[o["id"]], {**blank, "comment": None}]
            self.call("sale.opportunity", "write", *writes)
        addresses = self.call("party.address", "search", [("party", "=", party)])
        if addresses:
            self.call("party.address", "write", addresses, {"party_name": None})
        values: dict = {"active": False}
        (current,) = self.call("party.party", "read", [party], ["code"])
        if (current["code"] or "").startswith("kiosk-"):  # a digest of the person key
            values["code"] = f"kiosk-erased-{party}"
        self.call("party.party", "write", [party], values)
        session, start, _ = self.wizard("party.erase", "create", self.context)
        context = {
            **self.context,
            "active_id": party,
            "active_ids": [party],
            "active_model": "party.party",
        }
        try:
            self.wizard("party.erase", "execute", session, {}, start, context)
            self.wizard(
                "party.erase", "execute", session, {start: {"party": party}}, "erase", context
            )
        finally:
            with suppress(Exception):
                self.wizard("party.erase", "delete", session, self.context)

    def wizard(self, name: str, method: str, *args):
        """One RPC call to a wizard (create, execute or delete a session)."""
        proxy = self.config.get_proxy(name, type="wizard")
        return getattr(proxy, method)(*args)


def sync_tryton(
    store: Store,
    settings: Settings,
    url: str,
    *,
    progress: Callable[..., Iterable] = lambda items, **kw: items,
    batch_size: int = BATCH,
    workers: int = 1,
) -> TrytonReport:
    """Bring Tryton in line with the show; people whose record did not change are not touched.

    With workers > 1, that many batches are in Tryton at once, each over its own session: a
    trytond with several worker processes (and PostgreSQL) then works on them side by side.
    """
    target = f"tryton:{public_url(url)}"
    report = TrytonReport(public_url(url))
    started = time.perf_counter()
    with ExitStack() as stack:
        # With workers, one more session: the calling thread's own (categories, erasure).
        count = 1 if workers <= 1 else workers + 1
        sessions = [stack.enter_context(Tryton.connect(url)) for _ in range(count)]
        _sync(store, settings, sessions, target, report, progress, batch_size)
    report.seconds = time.perf_counter() - started
    return report


def _send(tryton: Tryton, batch: list[tuple], tally: Counter) -> list[tuple[int, str, str]]:
    """Apply one batch; on a refusal, find the record at fault and name it."""
    payloads = [b[1] for b in batch]
    try:
        parties = tryton.find(payloads, [b[3] for b in batch])
        ids, outcome = tryton.apply(payloads, parties)
        opportunities = tryton.ensure_opportunities(payloads, ids)
    except TrytonError:
        raise
    except Exception as exc:  # proteus surfaces server faults as various types
        if len(batch) > 1:
            marks = []
            for one in batch:
                marks += _send(tryton, [one], tally)
            return marks
        raise TrytonError(f"Tryton refused {batch[0][4]}: {exc}") from exc
    tally.update(outcome)
    tally["opportunities"] += opportunities
    return [(b[0], b[2], str(i)) for b, i in zip(batch, ids, strict=True) if b[0] is not None]


class _Batches:
    """Batches sent to Tryton over a pool of sessions, a few in flight at a time; the ledger
    is written here, in the calling thread, as each batch comes back."""

    def __init__(self, store: Store, sessions: list[Tryton], target: str, report: TrytonReport):
        self.store, self.sessions, self.target, self.report = store, sessions, target, report
        self.free: queue.SimpleQueue[Tryton] = queue.SimpleQueue()
        for session in sessions[1:] or sessions:
            self.free.put(session)
        workers = len(sessions) - 1
        self.pool = ThreadPoolExecutor(max_workers=workers) if workers else None
        self.flying: deque[Future] = deque()

    def _run(self, batch: list[tuple], categories: dict[str, int]):
        session = self.free.get()
        try:
            session.category_ids = dict(categories)  # created by the caller beforehand
            tally: Counter = Counter()
            return _send(session, batch, tally), tally
        finally:
            self.free.put(session)

    def _done(self, marks, tally: Counter) -> None:
        with self.store.write() as wconn:
            for attendee_id, digest, remote_id in marks:
                sync.mark_sent(wconn, self.target, attendee_id, digest, remote_id)
        for state in ("created", "updated", "unchanged", "opportunities"):
            setattr(self.report, state, getattr(self.report, state) + tally[state])

    def send(self, batch: list[tuple]) -> None:
        """Send one batch (its categories are made first, so that no two sessions race)."""
        main = self.sessions[0]
        main.ensure_categories(c for b in batch for c in b[1]["categories"])
        if self.pool is None:
            self._done(*self._run(batch, main.category_ids))
            return
        while len(self.flying) >= 2 * (len(self.sessions) - 1):
            self._done(*self.flying.popleft().result())
        self.flying.append(self.pool.submit(self._run, batch, dict(main.category_ids)))

    def finish(self) -> None:
        """Wait for every batch in flight (the first failure stops the sync)."""
        try:
            while self.flying:
                self._done(*self.flying.popleft().result())
        finally:
            if self.pool is not None:
                for future in self.flying:
                    future.cancel()
                self.pool.shutdown(wait=True)


def _sync(store, settings, sessions, target, report, progress, batch_size) -> None:
    # The ledger is read in the snapshot too: each batch's rows are written after it is applied.
    batches = _Batches(store, sessions, target, report)
    with store.snapshot() as conn:
        ctx = metrics.ShowContext.build(settings, history.editions(conn))
        exhibitors = exhibitor_sql.by_id(conn)
        total = reports.count_people(conn)
        batch: list[tuple] = []

        def ready():
            for person in progress(iter_people(conn), total=total, desc="tryton", unit="person"):
                record = build(person, settings, ctx, exhibitors, detail=False)
                if record["status"] != "active" or record["contact_withheld"]:
                    report.skipped += 1
                    continue
                yield record

        try:
            candidates = reports.people_sharing_an_identity(conn)
            for record in identity.one_per_key(ready(), lambda r: r["person_key"], candidates):
                payload = party_payload(record, settings.event_id, settings.default_language)
                digest = fingerprint(payload)
                known = sync.sent(conn, target, record["id"])
                if known is not None and known["digest"] == digest:
                    report.unchanged += 1
                    continue
                remote = known["remote_id"] if known else ""
                batch.append((record["id"], payload, digest, remote, f"attendee {record['id']}"))
                if len(batch) >= batch_size:
                    batches.send(batch)
                    batch = []
            leads: dict[int, list[int]] = {}
            for row in reports.all_leads(conn, "", ""):
                counts = leads.setdefault(row["exhibitor_id"], [0, 0])
                counts[0] += 1
                counts[1] += row["rating"] == "hot"
            seen = set()
            for exhibitor_id, row in exhibitors.items():
                n, hot = leads.get(exhibitor_id, [0, 0])
                payload = exhibitor_payload(row, n, hot, settings.event_id)
                if payload["code"] in seen:  # two stands of one company: one party
                    continue
                seen.add(payload["code"])
                batch.append((None, payload, "", "", f"exhibitor {exhibitor_id}"))
                if len(batch) >= batch_size:
                    batches.send(batch)
                    batch = []
            if batch:
                batches.send(batch)
        finally:
            batches.finish()
        _erase(store, conn, sessions[0], target, report)


def _erase(store, conn, tryton: Tryton, target: str, report: TrytonReport) -> None:
    """Anonymise the party of every person erased here that Tryton has not had erased yet."""
    for row in sync.erasures(conn):
        done = sync.sent(conn, target, row["attendee_id"])
        if done is not None and done["digest"] == ERASED:
            continue
        remote = json.loads(row["remote_ids"] or "{}").get(target, "")
        codes = [f"kiosk:crm:{row['crm_id']}"] if row["crm_id"] else []
        parties = tryton.erased_parties(codes, [int(remote)] if remote else [])
        try:
            for party in parties:
                tryton.erase(party)
        except Exception as exc:  # proteus surfaces server faults as various types
            raise TrytonError(
                f"Tryton refused to erase the party of attendee {row['attendee_id']}: {exc}"
            ) from exc
        with store.write() as wconn:
            sync.mark_sent(wconn, target, row["attendee_id"], ERASED, remote)
        report.erased += len(parties)
