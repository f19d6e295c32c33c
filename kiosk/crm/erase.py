"""`kiosk erase`: anonymise a person on request, keeping every count."""

from __future__ import annotations

from kiosk.errors import Conflict, NotFound
from kiosk.storage import Store, history, leads, surveys, sync
from kiosk.storage import attendees as people_sql
from kiosk.storage.interactions import append, audit


def erase(store: Store, attendee_id: int, *, actor: str, reason: str = "") -> None:
    """Blank the person's personal data, revoke their badge, log `erased` and audit it."""
    with store.write() as conn:
        row = people_sql.get(conn, attendee_id)
        if row is None:
            raise NotFound(f"attendee {attendee_id}: no such person")
        if row["status"] == "erased":
            raise Conflict(f"attendee {attendee_id}: already erased", code="already_erased")
        filled = sorted(k for k in people_sql.ERASED_TEXT if row[k] and k != "search_keys")
        people_sql.anonymise(conn, attendee_id)
        leads.blank_notes(conn, attendee_id)
        surveys.blank_comments(conn, attendee_id)
        history.anonymise(conn, attendee_id)
        sync.forget(conn, attendee_id)
        revoked = people_sql.revoke_badges(conn, attendee_id, "erased")
        append(conn, "erased", attendee_id=attendee_id, data={"actor": actor})
        # Field names only: the audit log must not keep what was just erased.
        audit(
            conn,
            actor,
            "attendee.erase",
            target=f"attendee:{attendee_id}",
            before={"status": row["status"], "fields": ["full_name", *filled]},
            after={"status": "erased", "badges_revoked": revoked, "reason": reason},
        )
