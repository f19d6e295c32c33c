"""Rows of a show floor written the way lead capture, sessions and surveys write them."""

from __future__ import annotations

from kiosk.storage import dumps
from kiosk.storage.attendees import insert_consent
from kiosk.storage.interactions import append


def check_in(conn, attendee_id: int, at: str, gate: str = "north") -> None:
    """A check-in at a gate with its presence row."""
    append(conn, "checked_in", attendee_id=attendee_id, place=gate, direction="in", at=at)
    conn.execute(
        "INSERT INTO presence (attendee_id, state, gate, at, first_in_at, first_in_gate)"
        " VALUES (:attendee_id, 'in', :gate, :at, :at, :gate)"
        " ON CONFLICT (attendee_id) DO UPDATE SET state = 'in',"
        " gate = excluded.gate, at = excluded.at, entries = presence.entries + 1",
        {"attendee_id": attendee_id, "gate": gate, "at": at},
    )


def check_out(conn, attendee_id: int, at: str, gate: str = "north") -> None:
    """A check-out at a gate."""
    append(conn, "checked_out", attendee_id=attendee_id, place=gate, direction="out", at=at)
    conn.execute(
        "UPDATE presence SET state = 'out', at = :at WHERE attendee_id = :attendee_id",
        {"at": at, "attendee_id": attendee_id},
    )


def lead(conn, exhibitor_id: int, attendee_id: int, at: str, rating: str = "", **kw) -> int:
    """A lead at a booth with its lead_captured interaction."""
    lead_id = conn.execute(
        "INSERT INTO leads (exhibitor_id, attendee_id, first_scanned_at, last_scanned_at, scans,"
        " rating, notes, answers, follow_up, updated_at) VALUES (:exhibitor_id, :attendee_id,"
        " :at, :at, :scans, :rating, :notes, :answers, :follow_up, :at) RETURNING id",
        {
            "exhibitor_id": exhibitor_id,
            "attendee_id": attendee_id,
            "at": at,
            "scans": kw.get("scans", 1),
            "rating": rating,
            "notes": kw.get("notes", ""),
            "answers": dumps(kw.get("answers", {})),
            "follow_up": dumps(kw.get("follow_up", [])),
        },
    ).fetchone()[0]
    append(
        conn,
        "lead_captured",
        attendee_id=attendee_id,
        exhibitor_id=exhibitor_id,
        data={"lead_id": lead_id, "client_ref": f"ref-{lead_id}", "rating": rating},
        at=at,
    )
    return lead_id


def session(conn, attendee_id: int, session_id: str, at: str) -> None:
    """Attendance at a seminar."""
    append(conn, "session_attended", attendee_id=attendee_id, place=session_id, at=at)


def survey(
    conn,
    attendee_id,
    at: str,
    satisfaction: int,
    recommend: int,
    return_intent=None,
    comment: str = "",
) -> None:
    """An exit-survey answer (anonymous when attendee_id is None)."""
    conn.execute(
        "INSERT INTO survey_responses (at, day, attendee_id, satisfaction, recommend,"
        " return_intent, comment) VALUES (:at, :day, :attendee_id, :satisfaction, :recommend,"
        " :return_intent, :comment)",
        {
            "at": at,
            "day": at[:10],
            "attendee_id": attendee_id,
            "satisfaction": satisfaction,
            "recommend": recommend,
            "return_intent": None if return_intent is None else int(return_intent),
            "comment": comment,
        },
    )
    if attendee_id is not None:
        append(conn, "survey_answered", attendee_id=attendee_id, at=at)


def history(
    conn, attendee_id, edition: str, year: int | None, attended: bool = True, email_key: str = ""
) -> None:
    """An earlier edition on record for a person."""
    conn.execute(
        "INSERT INTO history (attendee_id, external_id, email_key, edition, year, attended)"
        " VALUES (:attendee_id, '', :email_key, :edition, :year, :attended)",
        {
            "attendee_id": attendee_id,
            "email_key": email_key or f"id{attendee_id}@history",
            "edition": edition,
            "year": year,
            "attended": int(attended),
        },
    )


def consent(conn, attendee_id: int, key: str, granted: bool, exhibitor_id=None, at=None) -> None:
    """A consent answer, show-wide or given at one booth."""
    insert_consent(
        conn,
        attendee_id=attendee_id,
        consent=key,
        granted=granted,
        version="2026-1",
        text=f"text of {key}",
        exhibitor_id=exhibitor_id,
        at=at,
    )
    append(
        conn,
        "consent_given" if granted else "consent_withdrawn",
        attendee_id=attendee_id,
        exhibitor_id=exhibitor_id,
        place=key,
        data={"consent": key},
        at=at,
    )
