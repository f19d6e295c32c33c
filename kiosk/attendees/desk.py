"""The registration desk: correct, reprint, void a check-in, merge, unmerge, and dismiss a likely
duplicate.

Each change is one transaction with its interaction row and an audit row (who, when, before, after).
"""

from __future__ import annotations

import json
import sqlite3

from kiosk import events
from kiosk.attendees import registry
from kiosk.attendees.fields import clean_person
from kiosk.config import Settings
from kiosk.errors import Conflict, FieldErrors, NotFound
from kiosk.secrets import Keys
from kiosk.storage import Store
from kiosk.storage import attendees as attendee_sql
from kiosk.storage import checkins as sql
from kiosk.storage.interactions import append, audit, interaction


class DeskError(Conflict):
    """A desk action clashes with the record's state; the message says why, the code what."""

    code = "desk_refused"


def _person(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row:
    row = attendee_sql.get(conn, attendee_id)
    if row is None:
        raise NotFound(f"no person with id {attendee_id}")
    return row


def _record(row: sqlite3.Row) -> dict:
    data = dict(row)
    data.pop("search_keys", None)
    return data


def correct(
    store: Store, settings: Settings, attendee_id: int, raw: dict, *, actor: str, device_id: int
) -> dict:
    """Correct a person's fields; return the changed fields (empty when nothing changed)."""
    with store.write() as conn:
        row = _person(conn, attendee_id)
        current = _record(row)
        current["interests"] = json.loads(row["interests"])
        person = clean_person({**current, **raw}, settings)
        changes = registry.changes_between(row, person)
        if not changes:
            return {}
        if "email" in changes and person["email_key"]:
            other = attendee_sql.by_email_key(conn, person["email_key"])
            if other is not None and other["id"] != attendee_id:
                raise FieldErrors({"email": f"already used by person {other['id']}"})
        before = {k: current[k] for k in changes}
        registry.apply_update(conn, row, changes, reason="desk", device_id=device_id, actor=actor)
        audit(conn, actor, "person.update", f"attendee:{attendee_id}", before=before, after=changes)
    events.publish(store, events.PeopleChanged(action="update", attendee_id=attendee_id))
    return changes


def reprint(store: Store, keys: Keys, attendee_id: int, *, actor: str, device_id: int) -> str:
    """Revoke the person's badge code and issue a new one; return the new code."""
    with store.write() as conn:
        row = _person(conn, attendee_id)
        if row["status"] != "active":
            raise DeskError("this record was merged into another one", code="not_active")
        old = attendee_sql.live_badge(conn, attendee_id)
        revoked = attendee_sql.revoke_badges(conn, attendee_id, "reprinted")
        code = registry.issue_badge(conn, keys, attendee_id)
        new = attendee_sql.live_badge(conn, attendee_id)
        append(
            conn,
            "badge_reprinted",
            attendee_id=attendee_id,
            device_id=device_id,
            data={"actor": actor, "revoked": revoked, "version": new["version"]},
        )
        audit(
            conn,
            actor,
            "badge.reprint",
            f"attendee:{attendee_id}",
            before={"code_id": old["code_id"] if old else None},
            after={"code_id": new["code_id"]},
        )
    events.publish(store, events.PeopleChanged(action="reprint", attendee_id=attendee_id))
    return code


def _rebuild_presence(conn: sqlite3.Connection, attendee_id: int) -> None:
    passages = sql.passages(conn, attendee_id)
    entries = [p for p in passages if p["type"] == "checked_in"]
    if not entries:
        sql.replace_presence(conn, attendee_id, None)
        return
    last = passages[-1]
    inside = last["type"] == "checked_in" and not sql.day_closed_since(
        conn, attendee_id, last["at"]
    )
    sql.replace_presence(
        conn,
        attendee_id,
        {
            "state": "in" if inside else "out",
            "gate": last["place"],
            "at": last["at"],
            "first_in_at": entries[0]["at"],
            "first_in_gate": entries[0]["place"],
            "entries": len(entries),
        },
    )


def void_checkin(
    store: Store,
    attendee_id: int,
    interaction_id: int,
    reason: str,
    *,
    actor: str,
    device_id: int,
) -> int:
    """Cancel a check-in or out by appending `checkin_voided` (the log keeps the original)."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise FieldErrors({"reason": "say why the check-in is voided"})
    with store.write() as conn:
        row = interaction(conn, interaction_id)
        if (
            row is None
            or row["type"] not in ("checked_in", "checked_out")
            or row["attendee_id"] != attendee_id
        ):
            raise DeskError(
                "only this person's check-in or check-out can be voided", code="not_a_passage"
            )
        if interaction_id in sql.voided_ids(conn, [attendee_id]):
            raise DeskError("this check-in is already voided", code="already_voided")
        before = sql.presence(conn, attendee_id)
        append(
            conn,
            "checkin_voided",
            attendee_id=attendee_id,
            device_id=device_id,
            place=row["place"],
            direction=row["direction"],
            data={"interaction_id": interaction_id, "reason": reason, "actor": actor},
        )
        _rebuild_presence(conn, attendee_id)
        after = sql.presence(conn, attendee_id)
        audit(
            conn,
            actor,
            "checkin.void",
            f"interaction:{interaction_id}",
            before={"presence": dict(before) if before else None},
            after={"presence": dict(after) if after else None, "reason": reason},
        )
    events.publish(store, events.PeopleChanged(action="void", attendee_id=attendee_id))
    return attendee_id


def merge(store: Store, survivor_id: int, other_id: int, *, actor: str, device_id: int) -> None:
    """Merge a double registration into the survivor; both histories stay, the other points to it."""
    if survivor_id == other_id:
        raise DeskError("a record cannot be merged into itself", code="same_record")
    with store.write() as conn:
        survivor, other = _person(conn, survivor_id), _person(conn, other_id)
        if survivor["status"] != "active" or other["status"] != "active":
            raise DeskError("both records must be active", code="not_active")
        revoked = attendee_sql.revoke_badges(conn, other_id, "merged")
        attendee_sql.set_status(conn, other_id, "merged", survivor_id)
        moved_presence = False
        if sql.presence(conn, survivor_id) is None and sql.presence(conn, other_id) is not None:
            sql.move_presence(conn, other_id, survivor_id)
            moved_presence = True
        data = {
            "survivor_id": survivor_id,
            "merged_id": other_id,
            "actor": actor,
            "badges_revoked": revoked,
            "presence_moved": moved_presence,
        }
        for attendee_id in (survivor_id, other_id):
            append(conn, "merged", attendee_id=attendee_id, device_id=device_id, data=data)
        audit(
            conn,
            actor,
            "person.merge",
            f"attendee:{survivor_id}",
            before={"survivor": _record(survivor), "merged": _record(other)},
            after=data,
        )
    events.publish(store, events.PeopleChanged(action="merge", attendee_id=survivor_id))


def unmerge(store: Store, keys: Keys, other_id: int, *, actor: str, device_id: int) -> str:
    """Undo a merge from the log: the record is active again with a fresh badge code."""
    with store.write() as conn:
        other = _person(conn, other_id)
        if other["status"] != "merged" or other["merged_into"] is None:
            raise DeskError("this record is not merged", code="not_merged")
        survivor_id = other["merged_into"]
        attendee_sql.set_status(conn, other_id, "active", None)
        code = registry.issue_badge(conn, keys, other_id)
        data = {"survivor_id": survivor_id, "merged_id": other_id, "actor": actor, "undo": True}
        for attendee_id in (survivor_id, other_id):
            append(conn, "merged", attendee_id=attendee_id, device_id=device_id, data=data)
        audit(
            conn,
            actor,
            "person.unmerge",
            f"attendee:{other_id}",
            before={"merged_into": survivor_id},
            after={"merged_into": None},
        )
    events.publish(store, events.PeopleChanged(action="unmerge", attendee_id=other_id))
    return code


def dismiss_duplicate(store: Store, first_id: int, second_id: int, *, actor: str) -> None:
    """Record that two records screening paired as likely duplicates are different people."""
    low, high = sorted((first_id, second_id))
    if low == high:
        raise DeskError("a record is not a duplicate of itself", code="same_record")
    with store.write() as conn:
        for attendee_id in (low, high):
            _person(conn, attendee_id)  # NotFound for an unknown id
        if not attendee_sql.dismiss_pair(conn, low, high, actor):
            raise DeskError("these two records were dismissed already", code="already_dismissed")
        audit(
            conn,
            actor,
            "person.duplicate_dismiss",
            f"attendee:{low}",
            before=None,
            after={"first_id": low, "second_id": high},
        )
    events.publish(store, events.PeopleChanged(action="dismiss", attendee_id=low))
