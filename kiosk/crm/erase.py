"""`kiosk erase`: a person's personal data gone from the whole database, every count kept.

The person's record and every duplicate merged into it are blanked; what others wrote about them
(booth notes and answers, survey comments, a voided check-in's reason, the audit log's before and
after values) is redacted; the sync ledger forgets them and the deletion list remembers, by the ids
the CRMs know, that the CRMs must delete them too. Freed space in the file is zeroed (the store's
`secure_delete`), and the WAL is checkpointed and truncated once the erasure is durable, so that
no earlier version of a page keeps what was erased.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.attendees.fields import normalise_email, normalise_phone
from kiosk.attendees.registry import erased_keys
from kiosk.cards.leads import cards_of, erase_cards
from kiosk.errors import Conflict, FieldErrors, NotFound
from kiosk.secrets import Keys
from kiosk.storage import Store, history, leads, mailings, surveys, sync, utcnow
from kiosk.storage import attendees as people_sql
from kiosk.storage import interactions as log_sql
from kiosk.storage.interactions import append, audit

ERASED = "[erased]"
# Interaction types whose data holds free text that staff typed about the person.
FREE_TEXT = {"checkin_voided": ("reason",)}


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the records blanked, and whether the WAL could be emptied now."""

    attendee_ids: list[int]
    wal_truncated: bool


def redacted(value):
    """The value with every text in it replaced by `[erased]` (keys, numbers and flags stay)."""
    if isinstance(value, dict):
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return ERASED if isinstance(value, str) else value


def _load(text):
    return None if text is None else json.loads(text)


def _redact_audit(conn, group: list[int], passages: list[int]) -> int:
    """Redact the audit rows about these records; return how many changed."""
    changed = 0
    own = {f"attendee:{i}" for i in group}
    for row in log_sql.audit_about(conn, group, passages):
        before, after = _load(row["before"]), _load(row["after"])
        if row["target"] in own:
            before, after = redacted(before), redacted(after)
        elif row["action"] == "person.merge":  # the survivor stays: only the merged part goes
            before = {**before, "merged": redacted(before.get("merged"))}
        else:  # a voided passage of theirs: the reason staff typed
            after = {**after, "reason": ERASED} if after and "reason" in after else after
        if (before, after) != (_load(row["before"]), _load(row["after"])):
            log_sql.rewrite_audit(conn, row["id"], before, after)
            changed += 1
    return changed


def erase(store: Store, keys: Keys, attendee_id: int, *, actor: str, reason: str = "") -> Erasure:
    """Erase a person and the duplicates merged into them; log `erased` and audit it.

    Their ticket id and e-mail are kept only as keyed fingerprints, so that a later import of the
    ticketing file skips them instead of registering them again.
    """
    at = utcnow()
    with store.write() as conn:
        row = people_sql.get(conn, attendee_id)
        if row is None:
            raise NotFound(f"attendee {attendee_id}: no such person")
        if row["status"] == "erased":
            raise Conflict(f"attendee {attendee_id}: already erased", code="already_erased")
        if row["status"] == "merged":
            raise Conflict(
                f"attendee {attendee_id} was merged into {row['merged_into']}:"
                f" erase {row['merged_into']} (its duplicates are erased with it)",
                code="merged",
            )
        group = people_sql.merge_group(conn, attendee_id)
        filled = sorted(k for k in people_sql.ERASED_TEXT if row[k] and k != "search_keys")
        revoked = cards = 0
        for member in group:
            person = people_sql.get(conn, member)
            # Their business cards: matched to them, kept with their leads, or bearing their
            # e-mail or phone (read before the person's fields are blanked).
            cards += erase_cards(
                conn, cards_of(conn, member, email=person["email"], phone=person["phone"])
            )
            sync.record_erasure(conn, member, person["crm_id"], sync.remote_ids(conn, member), at)
            people_sql.add_erased_keys(
                conn, erased_keys(keys, person["external_id"], person["email_key"])
            )
            people_sql.anonymise(conn, member)
            leads.blank_notes(conn, member)
            surveys.blank_comments(conn, member)
            history.anonymise(conn, member)
            sync.forget(conn, member)
            mailings.forget(conn, member)
            revoked += people_sql.revoke_badges(conn, member, "erased")
        for item in log_sql.of_types(conn, group, tuple(FREE_TEXT)):
            data = json.loads(item["data"])
            log_sql.redact(conn, item["id"], {**data, **dict.fromkeys(FREE_TEXT[item["type"]], "")})
        passages = [p["id"] for p in log_sql.of_types(conn, group, ("checked_in", "checked_out"))]
        redacted_rows = _redact_audit(conn, group, passages)
        for member in group:
            append(conn, "erased", attendee_id=member, data={"actor": actor}, at=at)
        # Field names only: the audit log must not keep what was just erased.
        audit(
            conn,
            actor,
            "attendee.erase",
            target=f"attendee:{attendee_id}",
            before={"status": row["status"], "fields": ["full_name", *filled]},
            after={
                "status": "erased",
                "badges_revoked": revoked,
                "cards_erased": cards,
                "reason": reason,
                "duplicates_erased": [m for m in group if m != attendee_id],
                "audit_rows_redacted": redacted_rows,
            },
        )
    return Erasure(group, store.checkpoint())


def erase_contact(store: Store, contact: str, *, region: str, actor: str, reason: str = "") -> int:
    """Erase the business cards bearing an e-mail or phone number (someone not registered):
    photos deleted, fields and the leads' card contact blanked, ratings and counts kept;
    log `cards_erased` and audit it. Returns how many cards."""
    try:
        if "@" in contact:
            email, phone = normalise_email(contact.strip()), ""
        else:
            email, phone = "", normalise_phone(contact, region)
    except ValueError:
        raise FieldErrors({"contact": "an e-mail address or a phone number"}) from None
    with store.write() as conn:
        ids = cards_of(conn, email=email, phone=phone)
        if not ids:
            raise NotFound("no business card bears this e-mail or phone number")
        count = erase_cards(conn, ids)
        append(conn, "cards_erased", data={"actor": actor, "cards": count})
        # The card ids only: the audit log must not keep the contact just erased.
        audit(
            conn,
            actor,
            "card.erase",
            target=",".join(f"card:{i}" for i in ids),
            after={"cards_erased": count, "reason": reason},
        )
    store.checkpoint()
    return count
