"""SQL for leads and their scans."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps, marks

SHARE = "share_with_exhibitors"

# Whether a visitor shares contact details with the exhibitor of lead `l` (person `a`): their
# latest answer given at that booth, else their latest show-wide answer to the sharing consent
# (the consent's key is the query parameter :share_consent). The booth page and the CRM export both use it.
SHARED_SQL = (
    "(SELECT c.granted FROM consents c WHERE c.attendee_id = a.id AND c.consent = :share_consent"
    " AND (c.exhibitor_id IS NULL OR c.exhibitor_id = l.exhibitor_id)"
    " ORDER BY c.exhibitor_id IS NOT NULL DESC, c.at DESC, c.id DESC LIMIT 1)"
)
_SELECT = (
    "SELECT l.*, a.full_name, a.company, a.job_title, a.email, a.phone, a.country, a.city,"
    f" a.category, {SHARED_SQL} AS shared, e.name AS exhibitor_name"
    " FROM leads l LEFT JOIN attendees a ON a.id = l.attendee_id"
    " JOIN exhibitors e ON e.id = l.exhibitor_id"
)
BADGE_SCAN, BUSINESS_CARD = "badge_scan", "business_card"


def scan_by_ref(conn: sqlite3.Connection, device_id: int, client_ref: str) -> sqlite3.Row | None:
    """The scan a device already sent with this client_ref."""
    return conn.execute(
        "SELECT * FROM lead_scans WHERE device_id = :device_id AND client_ref = :client_ref",
        {"device_id": device_id, "client_ref": client_ref},
    ).fetchone()


def raw(conn: sqlite3.Connection, lead_id: int) -> sqlite3.Row | None:
    """One lead row without its person."""
    return conn.execute("SELECT * FROM leads WHERE id = :id", {"id": lead_id}).fetchone()


def by_pair(conn: sqlite3.Connection, exhibitor_id: int, attendee_id: int) -> sqlite3.Row | None:
    """The lead of one visitor at one exhibitor."""
    return conn.execute(
        "SELECT * FROM leads WHERE exhibitor_id = :exhibitor_id AND attendee_id = :attendee_id",
        {"exhibitor_id": exhibitor_id, "attendee_id": attendee_id},
    ).fetchone()


def insert(
    conn: sqlite3.Connection,
    *,
    exhibitor_id,
    attendee_id,
    scanned_at,
    device_id,
    now,
    fields,
    source: str = BADGE_SCAN,
    card_id: int | None = None,
    contact: dict | None = None,
) -> int:
    """Create a lead from its first scan (or card); return its id."""
    return conn.execute(
        "INSERT INTO leads (exhibitor_id, attendee_id, first_scanned_at, last_scanned_at, scans,"
        " rating, notes, answers, follow_up, device_id, updated_at, source, card_id, contact)"
        " VALUES (:exhibitor_id, :attendee_id, :scanned_at, :scanned_at, 1, :rating, :notes,"
        " :answers, :follow_up, :device_id, :now, :source, :card_id, :contact) RETURNING id",
        {
            "exhibitor_id": exhibitor_id,
            "attendee_id": attendee_id,
            "scanned_at": scanned_at,
            "rating": fields.get("rating") or "",
            "notes": fields.get("notes") or "",
            "answers": dumps(fields.get("answers") or {}),
            "follow_up": dumps(fields.get("follow_up") or []),
            "device_id": device_id,
            "now": now,
            "source": source,
            "card_id": card_id,
            "contact": dumps(contact or {}),
        },
    ).fetchone()[0]


def set_card(conn: sqlite3.Connection, lead_id: int, card_id: int, contact: dict) -> None:
    """Keep the latest card given at the booth, and its confirmed fields, with a lead."""
    conn.execute(
        "UPDATE leads SET card_id = :card_id, contact = :contact WHERE id = :id",
        {"card_id": card_id, "contact": dumps(contact), "id": lead_id},
    )


def contact_only(conn: sqlite3.Connection, exhibitor_id: int) -> list[sqlite3.Row]:
    """An exhibitor's leads made from cards of people who are not registered."""
    return conn.execute(
        "SELECT * FROM leads WHERE exhibitor_id = :exhibitor_id AND attendee_id IS NULL"
        " ORDER BY id",
        {"exhibitor_id": exhibitor_id},
    ).fetchall()


def with_cards(conn: sqlite3.Connection, card_ids: list[int]) -> list[sqlite3.Row]:
    """The leads that carry one of these cards."""
    ids, params = marks("c", card_ids)
    return conn.execute(f"SELECT * FROM leads WHERE card_id IN ({ids})", params).fetchall()


def blank_contact(conn: sqlite3.Connection, lead_ids: list[int]) -> None:
    """Drop the card contact, notes and answers of these leads, keeping ratings and scans."""
    for lead_id in lead_ids:
        conn.execute(
            "UPDATE leads SET contact = '{}', notes = '', answers = '{}' WHERE id = :id",
            {"id": lead_id},
        )


def add_scan(conn: sqlite3.Connection, lead: sqlite3.Row, scanned_at: str, now: str) -> None:
    """Count one more scan of a lead, keeping the earliest and latest scan times."""
    conn.execute(
        "UPDATE leads SET scans = scans + 1,"
        " first_scanned_at = CASE WHEN :at < first_scanned_at THEN :at"
        " ELSE first_scanned_at END,"
        " last_scanned_at = CASE WHEN :at > last_scanned_at THEN :at ELSE last_scanned_at END,"
        " updated_at = :now WHERE id = :id",
        {"at": scanned_at, "now": now, "id": lead["id"]},
    )


def update_fields(conn: sqlite3.Connection, lead_id: int, fields: dict, now: str) -> None:
    """Write rating, notes, answers or follow_up of a lead."""
    columns = [c for c in ("rating", "notes", "answers", "follow_up") if c in fields]
    if not columns:
        return
    values = {c: dumps(fields[c]) if c in ("answers", "follow_up") else fields[c] for c in columns}
    conn.execute(
        f"UPDATE leads SET {', '.join(f'{c} = :{c}' for c in columns)}, updated_at = :now"
        " WHERE id = :id",
        values | {"now": now, "id": lead_id},
    )


def insert_scan(conn, *, device_id: int, client_ref: str, lead_id: int, scanned_at: str) -> None:
    """Remember a device's client_ref so that a resend records nothing new."""
    conn.execute(
        "INSERT INTO lead_scans (device_id, client_ref, lead_id, scanned_at)"
        " VALUES (:device_id, :client_ref, :lead_id, :scanned_at)",
        {
            "device_id": device_id,
            "client_ref": client_ref,
            "lead_id": lead_id,
            "scanned_at": scanned_at,
        },
    )


def full(conn: sqlite3.Connection, lead_id: int) -> sqlite3.Row | None:
    """One lead with its person and the sharing consent."""
    return conn.execute(
        f"{_SELECT} WHERE l.id = :id", {"share_consent": SHARE, "id": lead_id}
    ).fetchone()


def listing(conn: sqlite3.Connection, exhibitor_id: int | None) -> list[sqlite3.Row]:
    """Leads of one exhibitor (or all), latest scan first."""
    if exhibitor_id is None:
        return conn.execute(
            f"{_SELECT} ORDER BY l.last_scanned_at DESC, l.id DESC", {"share_consent": SHARE}
        ).fetchall()
    return conn.execute(
        f"{_SELECT} WHERE l.exhibitor_id = :exhibitor_id"
        " ORDER BY l.last_scanned_at DESC, l.id DESC",
        {"share_consent": SHARE, "exhibitor_id": exhibitor_id},
    ).fetchall()


def blank_notes(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Drop the notes, answers and card contact of a person's leads, keeping ratings and scans
    (erasure)."""
    conn.execute(
        "UPDATE leads SET notes = '', answers = '{}', contact = '{}'"
        " WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
