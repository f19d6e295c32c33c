"""SQL read by the CRM export, the history import, erasure and the sync ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from kiosk.storage import dumps, utcnow

# Every per-person cursor is ordered by attendee id so that the export can walk them side by
# side (a merge join) and never hold more than one person in memory.
PEOPLE_SQL = "SELECT * FROM attendees WHERE merged_into IS NULL ORDER BY id"
CHILD_SQL = {
    "consents": "SELECT * FROM consents ORDER BY attendee_id, at, id",
    "interactions": (
        "SELECT * FROM interactions WHERE attendee_id IS NOT NULL ORDER BY attendee_id, at, id"
    ),
    "leads": "SELECT * FROM leads ORDER BY attendee_id, exhibitor_id",
    "surveys": (
        "SELECT * FROM survey_responses WHERE attendee_id IS NOT NULL ORDER BY attendee_id, at, id"
    ),
    "history": (
        "SELECT * FROM history WHERE attendee_id IS NOT NULL ORDER BY attendee_id, year, edition"
    ),
}


def people(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every person (merged duplicates left out), by id, from a cursor."""
    return conn.execute(PEOPLE_SQL)


def children(conn: sqlite3.Connection, kind: str) -> Iterator[sqlite3.Row]:
    """Rows of one per-person table ordered by attendee id, from a cursor."""
    return conn.execute(CHILD_SQL[kind])


def count_people(conn: sqlite3.Connection) -> int:
    """How many person records an export writes."""
    return conn.execute("SELECT count(*) FROM attendees WHERE merged_into IS NULL").fetchone()[0]


def exhibitors(conn: sqlite3.Connection) -> dict[int, sqlite3.Row]:
    """Every exhibitor by id (a show has hundreds, not millions)."""
    return {row["id"]: row for row in conn.execute("SELECT * FROM exhibitors ORDER BY id")}


def all_interactions(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """The whole interaction log in id order, from a cursor."""
    return conn.execute("SELECT * FROM interactions ORDER BY id")


def all_leads(
    conn: sqlite3.Connection, share_consent: str, contact_consent: str
) -> Iterator[sqlite3.Row]:
    """Every lead with its person, whether the person shares contact details with that
    exhibitor (a booth answer beats the show-wide one; the latest wins) and whether they
    withdrew the contact consent altogether, ordered by exhibitor."""
    return conn.execute(
        "SELECT l.*, a.full_name, a.company, a.job_title, a.email, a.phone, a.country,"
        " a.city, a.address, a.status AS person_status, a.language,"
        " (SELECT c.granted FROM consents c WHERE c.attendee_id = l.attendee_id"
        "  AND c.consent = ? AND (c.exhibitor_id IS NULL OR c.exhibitor_id = l.exhibitor_id)"
        "  ORDER BY c.exhibitor_id IS NOT NULL DESC, c.at DESC, c.id DESC LIMIT 1) AS shared,"
        " (SELECT c.granted = 0 FROM consents c WHERE c.attendee_id = l.attendee_id"
        "  AND c.consent = ? AND c.exhibitor_id IS NULL ORDER BY c.at DESC, c.id DESC LIMIT 1)"
        "  AS withheld"
        " FROM leads l JOIN attendees a ON a.id = l.attendee_id"
        " ORDER BY l.exhibitor_id, l.attendee_id",
        (share_consent, contact_consent),
    )


def editions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The editions on record in the history, oldest first."""
    return conn.execute(
        "SELECT edition, max(year) AS year FROM history GROUP BY edition"
        " ORDER BY coalesce(max(year), 0), edition"
    ).fetchall()


# History import


def match_person(conn: sqlite3.Connection, external_id: str, email_key: str) -> int | None:
    """The person a CRM row belongs to: by external or CRM id first, then by lower-cased email."""
    if external_id:
        row = conn.execute(
            "SELECT id FROM attendees WHERE (external_id = ? OR crm_id = ?)"
            " AND merged_into IS NULL AND status != 'erased' ORDER BY id LIMIT 1",
            (external_id, external_id),
        ).fetchone()
        if row:
            return row["id"]
    if email_key:
        row = conn.execute(
            "SELECT id FROM attendees WHERE email_key = ? AND merged_into IS NULL"
            " AND status != 'erased' ORDER BY id LIMIT 1",
            (email_key,),
        ).fetchone()
        if row:
            return row["id"]
    return None


def upsert_history(conn: sqlite3.Connection, row: dict) -> str:
    """Insert or refresh one earlier-edition row; return created, updated or unchanged."""
    existing = conn.execute(
        "SELECT * FROM history WHERE external_id = ? AND email_key = ? AND edition = ?",
        (row["external_id"], row["email_key"], row["edition"]),
    ).fetchone()
    values = (row["attendee_id"], row["year"], int(row["attended"]), row["category"])
    data = dumps(row["data"])
    if existing is None:
        conn.execute(
            "INSERT INTO history (attendee_id, external_id, email_key, edition, year, attended,"
            " category, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row["attendee_id"],
                row["external_id"],
                row["email_key"],
                row["edition"],
                row["year"],
                int(row["attended"]),
                row["category"],
                data,
            ),
        )
        return "created"
    old = (existing["attendee_id"], existing["year"], existing["attended"], existing["category"])
    if old == values and existing["data"] == data:
        return "unchanged"
    conn.execute(
        "UPDATE history SET attendee_id = ?, year = ?, attended = ?, category = ?, data = ?"
        " WHERE id = ?",
        (*values, data, existing["id"]),
    )
    return "updated"


# Erasure

ERASED_TEXT = (
    "company",
    "job_title",
    "email",
    "email_key",
    "phone",
    "city",
    "address",
    "main_business",
    "purchasing_role",
    "budget",
    "crm_id",
    "search_keys",
)


def anonymise(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Blank a person's personal data everywhere it is kept, leaving the countable facts."""
    blanks = ", ".join(f"{c} = ''" for c in ERASED_TEXT)
    conn.execute(
        f"UPDATE attendees SET full_name = ?, external_id = NULL, {blanks}, interests = '[]',"
        " flags = '[]', status = 'erased', updated_at = ? WHERE id = ?",
        (f"erased #{attendee_id}", utcnow(), attendee_id),
    )
    conn.execute(
        "UPDATE leads SET notes = '', answers = '{}' WHERE attendee_id = ?", (attendee_id,)
    )
    conn.execute("UPDATE survey_responses SET comment = '' WHERE attendee_id = ?", (attendee_id,))
    conn.execute(
        "UPDATE history SET external_id = '', email_key = 'erased:' || id, data = '{}'"
        " WHERE attendee_id = ?",
        (attendee_id,),
    )
    conn.execute("DELETE FROM crm_sync_sent WHERE attendee_id = ?", (attendee_id,))


# Sync ledger


def sent_digests(conn: sqlite3.Connection, target: str) -> Iterator[sqlite3.Row]:
    """What a target has acknowledged, by attendee id, from a cursor."""
    return conn.execute(
        "SELECT attendee_id, digest, remote_id FROM crm_sync_sent WHERE target = ?"
        " ORDER BY attendee_id",
        (target,),
    )


def sent(conn: sqlite3.Connection, target: str, attendee_id: int) -> sqlite3.Row | None:
    """The ledger row of one person for a target."""
    return conn.execute(
        "SELECT * FROM crm_sync_sent WHERE target = ? AND attendee_id = ?", (target, attendee_id)
    ).fetchone()


def mark_sent(
    conn: sqlite3.Connection, target: str, attendee_id: int, digest: str, remote_id: str = ""
) -> None:
    """Remember that a target accepted this version of a person's record."""
    conn.execute(
        "INSERT INTO crm_sync_sent (target, attendee_id, digest, remote_id, sent_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, attendee_id) DO UPDATE SET"
        " digest = excluded.digest, remote_id = excluded.remote_id, sent_at = excluded.sent_at",
        (target, attendee_id, digest, remote_id, utcnow()),
    )


# Post-show report


def checkins_by_hour(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Check-ins per UTC hour (YYYY-MM-DDTHH)."""
    return conn.execute(
        "SELECT substr(at, 1, 13) AS hour, count(*) AS n FROM interactions"
        " WHERE type = 'checked_in' GROUP BY hour ORDER BY hour"
    ).fetchall()


def gate_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Entries and exits per gate."""
    return conn.execute(
        "SELECT place AS gate, sum(type = 'checked_in') AS entries,"
        " sum(type = 'checked_out') AS exits FROM interactions"
        " WHERE type IN ('checked_in', 'checked_out') GROUP BY place ORDER BY entries DESC"
    ).fetchall()


def category_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """People registered and people who came, per category."""
    return conn.execute(
        "SELECT category, count(*) AS registered, sum(EXISTS (SELECT 1 FROM interactions i"
        " WHERE i.attendee_id = a.id AND i.type = 'checked_in')) AS attended"
        " FROM attendees a WHERE merged_into IS NULL GROUP BY category ORDER BY registered DESC"
    ).fetchall()


def booth_counts(conn: sqlite3.Connection, limit: int = 12) -> list[sqlite3.Row]:
    """The busiest booths by leads, with scans and hot leads."""
    return conn.execute(
        "SELECT e.id, e.name, e.booth, count(l.id) AS leads, coalesce(sum(l.scans), 0) AS scans,"
        " coalesce(sum(l.rating = 'hot'), 0) AS hot FROM exhibitors e"
        " LEFT JOIN leads l ON l.exhibitor_id = e.id GROUP BY e.id"
        " ORDER BY leads DESC, scans DESC, e.id LIMIT ?",
        (limit,),
    ).fetchall()


def rating_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Leads per rating ('' for not rated)."""
    return {
        r["rating"]: r["n"]
        for r in conn.execute("SELECT rating, count(*) AS n FROM leads GROUP BY rating")
    }


def survey_counts(conn: sqlite3.Connection) -> dict[str, dict]:
    """Survey answers per satisfaction score, per recommend score and per return intent."""
    out: dict[str, dict] = {"satisfaction": {}, "recommend": {}, "return_intent": {}}
    for column in out:
        for r in conn.execute(
            f"SELECT {column} AS v, count(*) AS n FROM survey_responses GROUP BY {column}"
        ):
            out[column][r["v"]] = r["n"]
    return out


def session_counts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """People per session."""
    return conn.execute(
        "SELECT place AS session, count(DISTINCT attendee_id) AS people FROM interactions"
        " WHERE type = 'session_attended' GROUP BY place ORDER BY people DESC"
    ).fetchall()
