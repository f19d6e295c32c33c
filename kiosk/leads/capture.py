"""Capturing and qualifying leads: each change in one transaction with its interaction row."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk import events
from kiosk.attendees import registry
from kiosk.checkin import scans
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound
from kiosk.leads import contact as contacts
from kiosk.leads.answers import clean_answers, clean_follow_up
from kiosk.leads.views import lead_view
from kiosk.secrets import Keys
from kiosk.storage import Store, from_iso, to_iso, utcnow
from kiosk.storage import exhibitors as exhibitor_sql
from kiosk.storage import leads as sql
from kiosk.storage.interactions import append

RATINGS = ("", "hot", "warm", "cold")
MAX_REF = 100
MAX_NOTES = 4000
# A phone's clock may run ahead; a scan "from the future" beyond this is refused.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Captured:
    """A scan recorded: the lead as it is now, whether it is new, whether the scan was a resend."""

    created: bool
    lead: dict
    duplicate: bool = False


def questions_of(conn, exhibitor_id: int) -> list[dict]:
    """The exhibitor's qualifying questions."""
    row = exhibitor_sql.exhibitor(conn, exhibitor_id)
    return json.loads(row["questions"]) if row else []


def clean_fields(body: dict, questions: list[dict]) -> dict:
    """rating, notes, answers, follow_up as sent; a missing or null field is left out (kept)."""
    errors, fields = {}, {}
    if body.get("rating") is not None:
        if body["rating"] not in RATINGS:
            errors["rating"] = "one of hot, warm, cold (or '' to clear)"
        else:
            fields["rating"] = body["rating"]
    if body.get("notes") is not None:
        if not isinstance(body["notes"], str) or len(body["notes"]) > MAX_NOTES:
            errors["notes"] = f"a text of at most {MAX_NOTES} characters"
        else:
            fields["notes"] = body["notes"].strip()
    for key, clean in (
        ("answers", lambda v: clean_answers(v, questions)),
        ("follow_up", clean_follow_up),
    ):
        if body.get(key) is not None:
            try:
                fields[key] = clean(body[key])
            except FieldErrors as exc:
                errors.update(exc.fields)
    if errors:
        raise FieldErrors(errors)
    return fields


def scan_time(value, now: datetime, field: str = "scanned_at") -> str:
    """When a scan was made, as the device says (an offline queue keeps it); now if unsaid."""
    if value is None:
        return to_iso(now)
    try:
        moment = from_iso(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise FieldErrors({field: "an ISO 8601 time with a time zone"})
    if moment > now + CLOCK_SKEW:
        raise FieldErrors({field: "lies in the future"})
    return to_iso(moment)


def _merge(lead, fields: dict) -> dict:
    if "answers" in fields:
        answers = {**json.loads(lead["answers"]), **fields["answers"]}
        fields = {**fields, "answers": {k: v for k, v in answers.items() if v is not None}}
    return fields


@dataclass(frozen=True)
class Scan:
    """One capture ready to record: a badge's holder, or a business card and its contact."""

    ref: str
    scanned_at: str
    fields: dict
    attendee_id: int | None
    card_id: int | None = None
    contact: dict | None = None


def _prepare(store: Store, keys: Keys, device: Device, body, now: datetime) -> Scan:
    if not isinstance(body, dict):
        raise FieldErrors({"scan": "must be an object"})
    errors = {}
    code, ref = body.get("code"), body.get("client_ref")
    if not isinstance(code, str) or not code.strip():
        errors["code"] = "required"
    if not isinstance(ref, str) or not 0 < len(ref) <= MAX_REF:
        errors["client_ref"] = f"a string of 1 to {MAX_REF} characters"
    scanned_at = fields = None
    try:
        scanned_at = scan_time(body.get("scanned_at"), now)
    except FieldErrors as exc:
        errors.update(exc.fields)
    try:
        fields = clean_fields(body, questions_of(store.conn, device.exhibitor_id))
    except FieldErrors as exc:
        errors.update(exc.fields)
    if errors:
        raise FieldErrors(errors)
    holder = scans.identify(store.conn, keys, code)
    if holder is None or holder.revoked:
        raise NotFound(scans.INVALID, code="invalid_code")
    return Scan(ref, scanned_at, fields, holder.attendee["id"])


def record(conn, device: Device, scan: Scan, stamp: str) -> Captured:
    """Inside the caller's transaction: one scan (or card), its lead, its `lead_captured` row.

    A registered visitor has one lead per exhibitor however they were captured; a card of
    someone not registered joins the exhibitor's contact-only lead with the same e-mail or phone.
    """
    seen = sql.scan_by_ref(conn, device.id, scan.ref)
    if seen is not None:
        return Captured(False, lead_view(sql.full(conn, seen["lead_id"])), duplicate=True)
    if scan.attendee_id is not None:
        lead = sql.by_pair(conn, device.exhibitor_id, scan.attendee_id)
    else:
        lead = contacts.same_contact(sql.contact_only(conn, device.exhibitor_id), scan.contact)
    source = sql.BADGE_SCAN if scan.card_id is None else sql.BUSINESS_CARD
    if lead is None:
        lead_id = sql.insert(
            conn,
            exhibitor_id=device.exhibitor_id,
            attendee_id=scan.attendee_id,
            scanned_at=scan.scanned_at,
            device_id=device.id,
            now=stamp,
            fields=_merge({"answers": "{}"}, scan.fields),  # an answer sent as null is none
            source=source,
            card_id=scan.card_id,
            contact=scan.contact,
        )
        created = True
    else:
        lead_id = lead["id"]
        sql.add_scan(conn, lead, scan.scanned_at, stamp)
        sql.update_fields(conn, lead_id, _merge(lead, scan.fields), stamp)
        if scan.card_id is not None:
            sql.set_card(conn, lead_id, scan.card_id, scan.contact or {})
        created = False
    sql.insert_scan(
        conn, device_id=device.id, client_ref=scan.ref, lead_id=lead_id, scanned_at=scan.scanned_at
    )
    view = lead_view(sql.full(conn, lead_id))
    append(
        conn,
        "lead_captured",
        attendee_id=scan.attendee_id,
        exhibitor_id=device.exhibitor_id,
        device_id=device.id,
        at=scan.scanned_at,
        data={
            "lead_id": lead_id,
            "client_ref": scan.ref,
            "rating": view["rating"],
            **({"source": source, "card_id": scan.card_id} if scan.card_id else {}),
        },
    )
    return Captured(created, view)


def capture(store: Store, keys: Keys, device: Device, body: dict) -> Captured:
    """Record one badge scan at an exhibitor: create or update the lead, log `lead_captured`."""
    now = datetime.now(UTC)
    scan = _prepare(store, keys, device, body, now)
    with store.write() as conn:
        result = record(conn, device, scan, to_iso(now))
    if not result.duplicate:
        events.publish(store, event(result.lead, "captured"))
    return result


def capture_batch(
    store: Store, keys: Keys, device: Device, items: list
) -> list[tuple[str | None, Captured | DomainError]]:
    """A device's queued scans, in order, in one transaction: per scan its client_ref and what
    capture() would have returned or raised."""
    now = datetime.now(UTC)
    prepared: list[Scan | DomainError] = []
    for item in items:
        try:
            prepared.append(_prepare(store, keys, device, item, now))
        except DomainError as exc:
            prepared.append(exc)
    answers: list[tuple[str | None, Captured | DomainError]] = []
    fresh = []
    stamp = to_iso(now)
    with store.write() as conn:
        for item, scan in zip(items, prepared, strict=True):
            ref = item.get("client_ref") if isinstance(item, dict) else None
            if isinstance(scan, DomainError):
                answers.append((ref, scan))
                continue
            result = record(conn, device, scan, stamp)
            answers.append((ref, result))
            if not result.duplicate:
                fresh.append(result.lead)
    for view in fresh:
        events.publish(store, event(view, "captured"))
    return answers


def event(view: dict, change: str) -> events.LeadCaptured:
    """The live `lead` event of a lead as it is now."""
    # Live pushes carry no personal data beyond what the exhibitor may see anyway.
    return events.LeadCaptured(
        change=change,
        exhibitor_id=view["exhibitor_id"],
        lead={
            "id": view["id"],
            "rating": view["rating"],
            "scans": view["scans"],
            "last_scanned_at": view["last_scanned_at"],
            # Staff hear this too: a contact-only lead's company is its card's, the booth's own.
            "company": "" if view["contact_only"] else view["visitor"]["company"],
        },
    )


def own_lead(conn, device: Device, lead_id: int):
    """The lead row if this exhibitor device may touch it; NotFound, or Forbidden for another's."""
    lead = sql.raw(conn, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    if lead["exhibitor_id"] != device.exhibitor_id:
        raise Forbidden("this lead belongs to another exhibitor")
    return lead


def update(store: Store, device: Device, lead_id: int, body: dict) -> dict:
    """Change rating, notes, answers or follow-up of an own lead; log `lead_updated`."""
    own_lead(store.conn, device, lead_id)
    fields = clean_fields(body, questions_of(store.conn, device.exhibitor_id))
    if not fields:
        raise FieldErrors({"rating": "send at least one of rating, notes, answers, follow_up"})
    with store.write() as conn:
        lead = own_lead(conn, device, lead_id)
        sql.update_fields(conn, lead_id, _merge(lead, fields), utcnow())
        append(
            conn,
            "lead_updated",
            attendee_id=lead["attendee_id"],
            exhibitor_id=lead["exhibitor_id"],
            device_id=device.id,
            data={"lead_id": lead_id, "fields": sorted(fields)},
        )
        view = lead_view(sql.full(conn, lead_id))
    events.publish(store, event(view, "updated"))
    return view


def consent_on_the_spot(
    store: Store, settings: Settings, device: Device, lead_id: int, language: str
) -> dict:
    """The visitor tapped agree on the booth's device: store the sharing consent with its text."""
    if sql.SHARE not in settings.consents:
        raise Conflict("this show has no sharing consent", code="no_consent_configured")
    if language not in settings.languages:
        raise FieldErrors({"language": f"one of {', '.join(settings.languages)}"})
    with store.write() as conn:
        lead = own_lead(conn, device, lead_id)
        if lead["attendee_id"] is None:
            raise Conflict(
                "a contact from a business card has no registration to consent on",
                code="contact_only",
            )
        registry.record_consents(
            conn,
            settings,
            lead["attendee_id"],
            {sql.SHARE: True},
            language=language,
            device_id=device.id,
            exhibitor_id=device.exhibitor_id,
            source="booth",
        )
        view = lead_view(sql.full(conn, lead_id))
    events.publish(store, event(view, "consented"))
    return view
