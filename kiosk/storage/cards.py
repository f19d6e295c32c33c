"""SQL for business cards read at a booth and their photos."""

from __future__ import annotations

import sqlite3

from kiosk.storage import dumps


def by_ref(conn: sqlite3.Connection, device_id: int, client_ref: str) -> sqlite3.Row | None:
    """The card a device already sent with this client_ref."""
    return conn.execute(
        "SELECT * FROM cards WHERE device_id = :device_id AND client_ref = :client_ref",
        {"device_id": device_id, "client_ref": client_ref},
    ).fetchone()


def get(conn: sqlite3.Connection, card_id: int) -> sqlite3.Row | None:
    """One card by id."""
    return conn.execute("SELECT * FROM cards WHERE id = :id", {"id": card_id}).fetchone()


def insert(
    conn: sqlite3.Connection,
    *,
    exhibitor_id: int,
    device_id: int,
    client_ref: str | None,
    taken_at: str,
    read_at: str,
    fields: dict,
    lines: list,
    attendee_id: int | None,
) -> int:
    """Store a card as read; return its id."""
    return conn.execute(
        "INSERT INTO cards (exhibitor_id, device_id, client_ref, taken_at, read_at, fields, lines,"
        " attendee_id) VALUES (:exhibitor_id, :device_id, :client_ref, :taken_at, :read_at,"
        " :fields, :lines, :attendee_id) RETURNING id",
        {
            "exhibitor_id": exhibitor_id,
            "device_id": device_id,
            "client_ref": client_ref,
            "taken_at": taken_at,
            "read_at": read_at,
            "fields": dumps(fields),
            "lines": dumps(lines),
            "attendee_id": attendee_id,
        },
    ).fetchone()[0]


def insert_image(
    conn: sqlite3.Connection, card_id: int, side: int, media_type: str, data: bytes
) -> None:
    """Keep one photo of a card (side 0 the front, 1 the back)."""
    conn.execute(
        "INSERT INTO card_images (card_id, side, media_type, data)"
        " VALUES (:card_id, :side, :media_type, :data)",
        {"card_id": card_id, "side": side, "media_type": media_type, "data": data},
    )


def image(conn: sqlite3.Connection, card_id: int, side: int) -> sqlite3.Row | None:
    """One photo of a card: media_type and data."""
    return conn.execute(
        "SELECT media_type, data FROM card_images WHERE card_id = :card_id AND side = :side",
        {"card_id": card_id, "side": side},
    ).fetchone()


def sides(conn: sqlite3.Connection, card_id: int) -> list[int]:
    """Which sides of a card have a photo."""
    rows = conn.execute(
        "SELECT side FROM card_images WHERE card_id = :card_id ORDER BY side",
        {"card_id": card_id},
    ).fetchall()
    return [r["side"] for r in rows]


def link(conn: sqlite3.Connection, card_id: int, lead_id: int, attendee_id: int | None) -> None:
    """The card became (part of) a lead, of this registered visitor or of nobody registered."""
    conn.execute(
        "UPDATE cards SET lead_id = :lead_id, attendee_id = :attendee_id WHERE id = :id",
        {"lead_id": lead_id, "attendee_id": attendee_id, "id": card_id},
    )


def of_person(conn: sqlite3.Connection, attendee_id: int) -> list[int]:
    """Ids of the cards matched to a person or kept with one of their leads."""
    rows = conn.execute(
        "SELECT id FROM cards WHERE attendee_id = :attendee_id"
        " UNION SELECT c.id FROM cards c JOIN leads l ON l.id = c.lead_id"
        " WHERE l.attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    ).fetchall()
    return [r["id"] for r in rows]


def live(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every card not erased, with its fields (to find a person's cards by e-mail or phone)."""
    return conn.execute("SELECT id, fields FROM cards WHERE erased_at IS NULL").fetchall()


def erase(conn: sqlite3.Connection, card_ids: list[int], now: str) -> int:
    """Delete the photos and blank the fields and text of these cards; return how many."""
    done = 0
    for card_id in card_ids:
        conn.execute("DELETE FROM card_images WHERE card_id = :id", {"id": card_id})
        done += conn.execute(
            "UPDATE cards SET fields = '{}', lines = '[]', erased_at = coalesce(erased_at, :now)"
            " WHERE id = :id",
            {"now": now, "id": card_id},
        ).rowcount
    return done
