"""SQL for mail sent to people: the ledger of confirmations and invitations, and who is due one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from kiosk.storage import dialect, stream, utcnow

STATES = ("pending", "sending", "sent", "refused", "failed")

# A person's live badge is their newest code not revoked (as storage.attendees.live_badge, whose
# tie-break is SQLite's rowid, and the code id on PostgreSQL).
CONFIRMATION_SQL = """
SELECT a.*, b.code_id AS badge_code_id, b.version AS badge_version
FROM attendees a
JOIN badges b ON b.{key} = (
    SELECT b2.{key} FROM badges b2 WHERE b2.attendee_id = a.id AND b2.revoked_at IS NULL
    ORDER BY b2.issued_at DESC, b2.{key} DESC LIMIT 1)
WHERE a.merged_into IS NULL AND a.status = 'active'
ORDER BY a.id
"""


def _confirmation_sql(conn) -> str:
    return CONFIRMATION_SQL.format(key="rowid" if dialect(conn) == "sqlite" else "code_id")


def with_live_badge(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every active person holding a live badge, with its code id and key version, by id."""
    return stream(conn, _confirmation_sql(conn))


def ledger(conn: sqlite3.Connection, kind: str) -> dict[tuple[str, str], sqlite3.Row]:
    """Every ledger row of one kind, by (recipient, ref)."""
    rows = conn.execute("SELECT * FROM mail_ledger WHERE kind = :kind", {"kind": kind})
    return {(row["recipient"], row["ref"]): row for row in rows}


def mark(
    conn: sqlite3.Connection,
    kind: str,
    recipient: str,
    ref: str,
    state: str,
    *,
    attendee_id: int | None = None,
    address_digest: str = "",
    detail: str = "",
) -> None:
    """Record where one message stands; a move to 'sending' counts an attempt."""
    conn.execute(
        "INSERT INTO mail_ledger (kind, recipient, ref, state, attendee_id, address_digest,"
        " attempts, detail, updated_at) VALUES (:kind, :recipient, :ref, :state, :attendee_id,"
        " :address_digest, :attempts, :detail, :at)"
        " ON CONFLICT (kind, recipient, ref) DO UPDATE SET state = excluded.state,"
        " attendee_id = coalesce(excluded.attendee_id, mail_ledger.attendee_id),"
        " address_digest = excluded.address_digest,"
        " attempts = mail_ledger.attempts + excluded.attempts, detail = excluded.detail,"
        " updated_at = excluded.updated_at",
        {
            "kind": kind,
            "recipient": recipient,
            "ref": ref,
            "state": state,
            "attendee_id": attendee_id,
            "address_digest": address_digest,
            "attempts": int(state == "sending"),
            "detail": detail,
            "at": utcnow(),
        },
    )


def mark_pending(conn: sqlite3.Connection, kind: str, items: Iterable[tuple]) -> None:
    """Record (recipient, ref, attendee_id, address_digest) as due, unless already recorded."""
    now = utcnow()
    conn.executemany(
        "INSERT INTO mail_ledger (kind, recipient, ref, state, attendee_id, address_digest,"
        " updated_at) VALUES (:kind, :recipient, :ref, 'pending', :attendee_id, :digest, :now)"
        " ON CONFLICT (kind, recipient, ref) DO NOTHING",
        (
            {"kind": kind, "recipient": r, "ref": ref, "attendee_id": a, "digest": d, "now": now}
            for r, ref, a, d in items
        ),
    )


def counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Messages per kind and state, as recorded in the ledger."""
    out: dict[str, dict[str, int]] = {}
    for row in conn.execute(
        "SELECT kind, state, count(*) AS n FROM mail_ledger GROUP BY kind, state"
    ):
        out.setdefault(row["kind"], {})[row["state"]] = row["n"]
    return out


def confirmations_due(conn: sqlite3.Connection) -> int:
    """People with a live badge and an address whose current code was neither sent nor refused."""
    return conn.execute(
        f"SELECT count(*) FROM ({_confirmation_sql(conn)}) p WHERE p.email != '' AND NOT EXISTS ("
        " SELECT 1 FROM mail_ledger m WHERE m.kind = 'confirmation'"
        " AND m.recipient = 'attendee:' || p.id AND m.ref = p.badge_code_id"
        " AND m.state IN ('sent', 'refused', 'sending'))"
    ).fetchone()[0]


def forget(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Drop what the ledger derived from an erased person's address; the counts stay."""
    conn.execute(
        "UPDATE mail_ledger SET address_digest = '',"
        " recipient = CASE WHEN recipient LIKE 'email:%' THEN 'erased:' || abs(random())"
        " ELSE recipient END WHERE attendee_id = :attendee_id",
        {"attendee_id": attendee_id},
    )
