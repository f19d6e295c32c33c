"""Business cards at a booth: read a photo, keep it with its exhibitor only, make it a lead.

Each change is one transaction with its interaction row: `card_read` when a photo is read and
kept, `lead_captured` (source business_card) when staff confirm its fields as a lead, and the
erasure of a person's cards is part of `kiosk erase` (kiosk/crm/erase.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk import events
from kiosk.cards import read_card
from kiosk.config import Settings
from kiosk.devices import Device
from kiosk.errors import FieldErrors, NotFound
from kiosk.leads import capture
from kiosk.leads import contact as contacts
from kiosk.leads.views import card_image_url
from kiosk.storage import Store, to_iso, utcnow
from kiosk.storage import attendees as people_sql
from kiosk.storage import cards as sql
from kiosk.storage import leads as leads_sql
from kiosk.storage.interactions import append

MAX_IMAGE = 10 * 1024 * 1024  # bytes per side
MAX_SIDES = 2
SIDES = ("front", "back")
# What a JPEG or a PNG file starts with.
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


@dataclass(frozen=True)
class CardRead:
    """A card as kept: its answer, and whether it was a resend of one read before."""

    card: dict
    duplicate: bool = False


def media_type(data: bytes) -> str | None:
    """image/jpeg or image/png from a file's first bytes; None for anything else."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def check_images(images: list[bytes]) -> list[str]:
    """The media type of each photo; FieldErrors for none, too many, empty, too large, not one."""
    if not images:
        raise FieldErrors({"image": "a photo of the card is required (JPEG or PNG)"}, "no image")
    if len(images) > MAX_SIDES:
        raise FieldErrors({"image": "at most two photos: the front and the back"}, "too many")
    errors, kinds = {}, []
    for side, data in zip(SIDES, images, strict=False):
        where = "image" if side == "front" else "image[back]"
        if len(data) > MAX_IMAGE:
            errors[where] = f"the {side} photo is larger than {MAX_IMAGE // 2**20} MB"
        elif not data:
            errors[where] = f"the {side} photo is empty"
        elif media_type(data) is None:
            errors[where] = f"the {side} photo is not a JPEG or PNG image"
        kinds.append(media_type(data) or "")
    if errors:
        raise FieldErrors(errors, "the photo cannot be read as a card")
    return kinds


def _ref(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > capture.MAX_REF:
        raise FieldErrors({"client_ref": f"a string of 1 to {capture.MAX_REF} characters"})
    return value


def match(conn, contact: dict) -> int | None:
    """The registered visitor with one of the card's e-mails or phone numbers, if any."""
    emails, phones = contacts.keys(contact)
    row = people_sql.by_contact(conn, sorted(emails), sorted(phones))
    return row["id"] if row is not None else None


def view(conn, row) -> dict:
    """A card as its exhibitor sees it."""
    sides = sql.sides(conn, row["id"])
    return {
        "id": row["id"],
        "fields": json.loads(row["fields"]),
        "lines": json.loads(row["lines"]),
        "attendee_id": row["attendee_id"],
        "lead_id": row["lead_id"],
        "taken_at": row["taken_at"],
        "images": [f"{card_image_url(row['id'])}?side={SIDES[s]}" for s in sides],
    }


def read(
    store: Store,
    settings: Settings,
    device: Device,
    images: list[bytes],
    *,
    client_ref=None,
    taken_at=None,
) -> CardRead:
    """Read a card's photos at a booth and keep them for that exhibitor; log `card_read`.

    The same client_ref again answers the card read the first time, without reading it twice.
    Nothing is stored when the photos are refused or hold no text.
    """
    now = datetime.now(UTC)
    ref = _ref(client_ref)
    taken = capture.scan_time(taken_at, now, field="taken_at")
    if ref is not None:
        seen = sql.by_ref(store.conn, device.id, ref)
        if seen is not None:
            return CardRead(view(store.conn, seen), duplicate=True)
    kinds = check_images(images)
    reading = read_card(images, region=settings.default_region)
    fields = contacts.from_reading(reading.fields, settings.default_region)
    lines = [str(line) for line in reading.lines]
    with store.write() as conn:
        if ref is not None and (seen := sql.by_ref(conn, device.id, ref)) is not None:
            return CardRead(view(conn, seen), duplicate=True)
        card_id = sql.insert(
            conn,
            exhibitor_id=device.exhibitor_id,
            device_id=device.id,
            client_ref=ref,
            taken_at=taken,
            read_at=to_iso(now),
            fields=fields,
            lines=lines,
            attendee_id=match(conn, fields),
        )
        for side, (data, kind) in enumerate(zip(images, kinds, strict=True)):
            sql.insert_image(conn, card_id, side, kind, data)
        # No personal data in the log: the card's id, its sides and the device's reference.
        append(
            conn,
            "card_read",
            exhibitor_id=device.exhibitor_id,
            device_id=device.id,
            at=taken,
            data={"card_id": card_id, "client_ref": ref, "sides": len(images)},
        )
        return CardRead(view(conn, sql.get(conn, card_id)))


def own_card(conn, device: Device, card_id) -> dict:
    """The card row if it is this exhibitor's and not erased; NotFound otherwise (another
    exhibitor's card is not said to exist)."""
    row = sql.get(conn, card_id) if isinstance(card_id, int) and card_id > 0 else None
    if row is None or row["exhibitor_id"] != device.exhibitor_id or row["erased_at"] is not None:
        raise NotFound(f"no card {card_id}", code="no_such_card")
    return row


def card(store: Store, device: Device, card_id: int) -> dict:
    """One of the exhibitor's cards."""
    return view(store.conn, own_card(store.conn, device, card_id))


def image(store: Store, device: Device, card_id: int, side: str) -> tuple[str, bytes]:
    """A photo of one of the exhibitor's cards: media type and bytes."""
    if side not in SIDES:
        raise FieldErrors({"side": "front or back"})
    own_card(store.conn, device, card_id)
    row = sql.image(store.conn, card_id, SIDES.index(side))
    if row is None:
        raise NotFound(f"card {card_id} has no {side} photo", code="no_such_card")
    return row["media_type"], bytes(row["data"])


def capture_card(store: Store, settings: Settings, device: Device, body: dict) -> capture.Captured:
    """Make a read card a lead, with the fields as staff confirmed them; log `lead_captured`.

    A card whose e-mail or phone is a registered visitor's is that visitor's lead at this
    exhibitor, the same one a badge scan makes; any other card is a contact-only lead.
    """
    now = datetime.now(UTC)
    errors = {}
    card_id, ref = body.get("card_id"), body.get("client_ref")
    if not isinstance(card_id, int) or isinstance(card_id, bool) or card_id <= 0:
        errors["card_id"] = "the id of a card read at this booth"
    if not isinstance(ref, str) or not 0 < len(ref) <= capture.MAX_REF:
        errors["client_ref"] = f"a string of 1 to {capture.MAX_REF} characters"
    fields = contact = None
    try:
        fields = capture.clean_fields(body, capture.questions_of(store.conn, device.exhibitor_id))
    except FieldErrors as exc:
        errors.update(exc.fields)
    if errors:
        raise FieldErrors(errors)
    row = own_card(store.conn, device, card_id)
    raw = body.get("fields")
    if raw is None:
        contact = contacts.clean(json.loads(row["fields"]), settings.default_region, as_read=True)
    else:
        contact = contacts.clean(raw, settings.default_region)
    scanned_at = capture.scan_time(body.get("scanned_at") or row["taken_at"], now)
    with store.write() as conn:
        row = own_card(conn, device, card_id)
        attendee_id = match(conn, contact)
        scan = capture.Scan(ref, scanned_at, fields, attendee_id, card_id=card_id, contact=contact)
        result = capture.record(conn, device, scan, to_iso(now))
        if not result.duplicate:
            sql.link(conn, card_id, result.lead["id"], attendee_id)
    if not result.duplicate:
        events.publish(store, capture.event(result.lead, "captured"))
    return result


def erase_cards(conn, card_ids: list[int]) -> int:
    """Inside the caller's transaction: delete these cards' photos and blank their fields and
    the card contact of the leads that carry them; return how many cards."""
    if not card_ids:
        return 0
    leads_sql.blank_contact(conn, [r["id"] for r in leads_sql.with_cards(conn, card_ids)])
    return sql.erase(conn, card_ids, utcnow())


def cards_of(conn, attendee_id: int | None = None, *, email: str = "", phone: str = "") -> list:
    """Ids of the cards of one person: matched to them, kept with their leads, or bearing
    their e-mail or phone number."""
    found = set(sql.of_person(conn, attendee_id)) if attendee_id is not None else set()
    emails = {email.lower()} if email else set()
    phones = {phone} if phone else set()
    if emails or phones:
        for row in sql.live(conn):
            theirs_e, theirs_p = contacts.keys(json.loads(row["fields"] or "{}"))
            if emails & theirs_e or phones & theirs_p:
                found.add(row["id"])
    return sorted(found)
