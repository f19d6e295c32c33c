"""Read models: what the live counts, the dashboard, the post-show report and the CRM export read.

Each one answers a screen or a report across tables. Passages are read through
`checkins.VALID_PASSAGES` (a voided check-in counts nowhere) and leads per exhibitor through
`leads_per_exhibitor`, so every figure of the show agrees with every other.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from itertools import repeat

from kiosk.storage import dialect, exhibitors, interactions, marks, stream
from kiosk.storage.checkins import VALID_PASSAGES, VOIDED_IDS
from kiosk.storage.leads import SHARED_SQL

# Leads per exhibitor ---------------------------------------------------------------------------


def leads_per_exhibitor(conn: sqlite3.Connection) -> list[dict]:
    """Leads, scans and hot leads of every exhibitor, by exhibitor id."""
    return [
        dict(row)
        for row in conn.execute(
            "SELECT e.id, e.name, e.booth, count(l.id) AS leads,"
            # PostgreSQL sums a BIGINT to a NUMERIC (a Decimal, which JSON cannot carry).
            " CAST(coalesce(sum(l.scans), 0) AS BIGINT) AS scans,"
            " count(l.id) FILTER (WHERE l.rating = 'hot') AS hot"
            " FROM exhibitors e LEFT JOIN leads l ON l.exhibitor_id = e.id"
            " GROUP BY e.id ORDER BY e.id"
        )
    ]


def busiest(per_exhibitor: list[dict], limit: int | None = None) -> list[dict]:
    """Exhibitors with at least one lead: most leads first, then most scans, then by id."""
    ranked = sorted(
        (row for row in per_exhibitor if row["leads"]),
        key=lambda row: (-row["leads"], -row["scans"], row["id"]),
    )
    return ranked[:limit]


def exhibitors_with_leads(conn: sqlite3.Connection) -> list[dict]:
    """Every exhibitor row, by name, with its lead count."""
    counts = {row["id"]: row["leads"] for row in leads_per_exhibitor(conn)}
    return [
        {**dict(row), "leads": counts.get(row["id"], 0)} for row in exhibitors.list_exhibitors(conn)
    ]


# Live counts (GET /api/v1/stats and the dashboard) ------------------------------------------


def live_counts(conn: sqlite3.Connection) -> dict:
    """The raw figures of the live counts; times in UTC, gates and categories as stored."""
    people = conn.execute(
        "SELECT (SELECT count(*) FROM attendees WHERE status = 'active') AS registered,"
        " (SELECT count(*) FROM presence) AS checked_in,"
        " (SELECT count(*) FROM presence WHERE state = 'in') AS inside_now,"
        " (SELECT count(*) FROM leads) AS leads"
    ).fetchone()
    return {
        **dict(people),
        "gates": passages_by_gate(conn),
        "inside_by_gate": {
            row["gate"]: row["n"]
            for row in conn.execute(
                "SELECT gate, count(*) AS n FROM presence WHERE state = 'in' GROUP BY gate"
            )
        },
        "categories": conn.execute(
            "SELECT a.category, count(*) AS registered, count(p.attendee_id) AS checked_in"
            " FROM attendees a LEFT JOIN presence p ON p.attendee_id = a.id"
            " WHERE a.status = 'active' GROUP BY a.category"
        ).fetchall(),
        "entries_by_hour": entries_by_hour(conn),
        "leads_per_exhibitor": leads_per_exhibitor(conn),
    }


def passages_by_gate(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Valid entries and exits per gate, most entries first."""
    return conn.execute(
        "SELECT place AS gate, count(*) FILTER (WHERE type = 'checked_in') AS entries,"
        f" count(*) FILTER (WHERE type = 'checked_out') AS exits FROM ({VALID_PASSAGES}) p"
        " GROUP BY place ORDER BY entries DESC, place"
    ).fetchall()


def entries_by_hour(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Valid check-ins per UTC hour (hour: YYYY-MM-DDTHH), oldest first."""
    return conn.execute(
        f"SELECT substr(at, 1, 13) AS hour, count(*) AS n FROM ({VALID_PASSAGES}) p"
        " WHERE type = 'checked_in' GROUP BY hour ORDER BY hour"
    ).fetchall()


# Dashboard ------------------------------------------------------------------------------------


def entry_times_since(conn: sqlite3.Connection, since_iso: str) -> list[str]:
    """Times of valid check-ins since a moment, oldest first."""
    return [
        row[0]
        for row in conn.execute(
            f"SELECT at FROM ({VALID_PASSAGES}) p WHERE type = 'checked_in' AND at >= :since"
            " ORDER BY at",
            {"since": since_iso},
        )
    ]


def passages_since(conn: sqlite3.Connection, since_iso: str) -> list[sqlite3.Row]:
    """Valid check-ins and check-outs per gate and direction since a moment."""
    return conn.execute(
        f"SELECT place, direction, count(*) AS n FROM ({VALID_PASSAGES}) p"
        " WHERE at >= :since GROUP BY place, direction",
        {"since": since_iso},
    ).fetchall()


def latest_passages(conn: sqlite3.Connection, limit: int = 15) -> list[sqlite3.Row]:
    """The latest valid check-ins and check-outs with the person's name, newest first."""
    return conn.execute(
        "SELECT i.id, i.at, i.type, i.place, i.direction, i.device_id, a.id AS attendee_id,"
        f" a.full_name, a.company, a.category FROM ({VALID_PASSAGES}) i"
        " JOIN attendees a ON a.id = i.attendee_id ORDER BY i.id DESC LIMIT :limit",
        {"limit": limit},
    ).fetchall()


def survey_answers(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The scores of every exit-survey answer."""
    return conn.execute(
        "SELECT satisfaction, recommend, return_intent, purpose FROM survey_responses"
    ).fetchall()


# Post-show report -----------------------------------------------------------------------------


def category_attendance(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """People on record and people with a valid check-in, per category, most registered first."""
    return conn.execute(
        "SELECT category, count(*) AS registered,"
        " count(*) FILTER (WHERE a.id IN (SELECT attendee_id FROM"
        f" ({VALID_PASSAGES}) p WHERE type = 'checked_in' AND attendee_id IS NOT NULL))"
        " AS attended FROM attendees a WHERE merged_into IS NULL"
        " GROUP BY category ORDER BY registered DESC"
    ).fetchall()


def rating_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Leads per rating ('' for not rated)."""
    return {
        r["rating"]: r["n"]
        for r in conn.execute("SELECT rating, count(*) AS n FROM leads GROUP BY rating")
    }


def survey_counts(conn: sqlite3.Connection) -> dict[str, dict]:
    """Survey answers per satisfaction score, per recommend score and per return intent."""
    rows = survey_answers(conn)
    return {
        column: dict(Counter(row[column] for row in rows))
        for column in ("satisfaction", "recommend", "return_intent")
    }


def session_counts(conn: sqlite3.Connection) -> list[dict]:
    """People per session, most first."""
    counts = interactions.session_attendance(conn)
    return [
        {"session": session, "people": people}
        for session, people in sorted(counts.items(), key=lambda item: -item[1])
    ]


def hot_leads(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every hot lead with its exhibitor and person (erased people left out), by booth, newest
    scan first."""
    return conn.execute(
        "SELECT e.id AS exhibitor_id, e.name AS exhibitor, e.booth, e.questions,"
        " a.id AS attendee_id,"
        " a.full_name, a.company, a.job_title, a.country, l.answers, l.last_scanned_at"
        " FROM leads l JOIN exhibitors e ON e.id = l.exhibitor_id"
        " JOIN attendees a ON a.id = l.attendee_id"
        " WHERE l.rating = 'hot' AND a.status != 'erased'"
        " ORDER BY e.booth, e.id, l.last_scanned_at DESC, l.id"
    ).fetchall()


def detractors(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Exit-survey answers recommending 0-6, with the person when known (erased people and
    anonymous answers have none), those with a comment first, newest first."""
    return conn.execute(
        "SELECT s.at, s.satisfaction, s.recommend, s.return_intent, s.comment,"
        " CASE WHEN a.status = 'erased' THEN NULL ELSE a.id END AS attendee_id,"
        " CASE WHEN a.status = 'erased' THEN '' ELSE a.full_name END AS full_name,"
        " CASE WHEN a.status = 'erased' THEN '' ELSE a.company END AS company,"
        " a.category FROM survey_responses s LEFT JOIN attendees a ON a.id = s.attendee_id"
        " WHERE s.recommend <= 6 ORDER BY s.comment = '', s.at DESC, s.id DESC"
    ).fetchall()


# CRM export: one person at a time ----------------------------------------------------------

# Every per-person cursor is ordered by attendee id so that the export can walk them side by
# side (a merge join) and never hold more than one person in memory. Valid passages are not a
# cursor of their own: they are the person's check-ins and check-outs minus `voided_passages`.
PEOPLE_SQL = "SELECT * FROM attendees WHERE merged_into IS NULL ORDER BY id"
PERSON_ROWS_SQL = {
    "consents": "SELECT * FROM consents ORDER BY attendee_id, at, id",
    "interactions": (
        "SELECT * FROM interactions WHERE attendee_id IS NOT NULL ORDER BY attendee_id, at, id"
    ),
    "leads": (
        "SELECT * FROM leads WHERE attendee_id IS NOT NULL ORDER BY attendee_id, exhibitor_id"
    ),
    "surveys": (
        "SELECT * FROM survey_responses WHERE attendee_id IS NOT NULL ORDER BY attendee_id, at, id"
    ),
    "history": (
        "SELECT * FROM history WHERE attendee_id IS NOT NULL ORDER BY attendee_id, year, edition"
    ),
}


def _records(conn: sqlite3.Connection, sql: str) -> Iterator[dict]:
    # Plain tuples zipped with the column names: a dict reads a column by name far faster
    # than a sqlite3.Row, and a million rows are made once each.
    if dialect(conn) == "postgresql":
        cursor = stream(conn, sql)
    else:
        cursor = conn.cursor()
        cursor.row_factory = None
        cursor.execute(sql)
    names = tuple(d[0] for d in cursor.description)
    return map(dict, map(zip, repeat(names), cursor))  # all in C, one row at a time


def people(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every person (merged duplicates left out), by id, streamed as dicts."""
    return _records(conn, PEOPLE_SQL)


def person_rows(conn: sqlite3.Connection, kind: str) -> Iterator[sqlite3.Row]:
    """Rows of one per-person kind (PERSON_ROWS_SQL) ordered by attendee id, from a cursor."""
    return stream(conn, PERSON_ROWS_SQL[kind])


def person_interactions_of(
    conn: sqlite3.Connection, types: tuple[str, ...]
) -> Iterator[sqlite3.Row]:
    """The interactions of those types, ordered like PERSON_ROWS_SQL["interactions"]."""
    ids, params = marks("t", types)
    return stream(
        conn,
        f"SELECT * FROM interactions WHERE attendee_id IS NOT NULL AND type IN ({ids})"
        " ORDER BY attendee_id, at, id",
        params,
    )


def voided_passages(conn: sqlite3.Connection) -> set[int]:
    """Ids of every check-in and check-out a `checkin_voided` row cancelled (few in a show)."""
    return {row[0] for row in conn.execute(VOIDED_IDS)}


SHARED_IDS_SQL = """
WITH live AS (
    SELECT id, crm_id, lower(trim(email)) AS email, phone FROM attendees
    WHERE merged_into IS NULL AND status != 'erased'
)
SELECT id FROM live WHERE
    (crm_id != '' AND crm_id IN (
        SELECT crm_id FROM live WHERE crm_id != '' GROUP BY crm_id HAVING count(*) > 1))
    OR (email != '' AND email IN (
        SELECT email FROM live WHERE email != '' GROUP BY email HAVING count(*) > 1))
    OR (phone != '' AND phone IN (
        SELECT phone FROM live WHERE phone != '' GROUP BY phone HAVING count(*) > 1))
"""


def people_sharing_an_identity(conn: sqlite3.Connection) -> set[int]:
    """Ids of people who share a CRM id, e-mail or phone with someone else in the show."""
    return {row[0] for row in conn.execute(SHARED_IDS_SQL)}


def count_people(conn: sqlite3.Connection) -> int:
    """How many person records an export writes."""
    return conn.execute("SELECT count(*) FROM attendees WHERE merged_into IS NULL").fetchone()[0]


def all_interactions(conn: sqlite3.Connection, columns: list[str]) -> Iterator[tuple]:
    """The whole interaction log in id order, those columns as plain tuples, from a cursor."""
    described = conn.execute("SELECT * FROM interactions LIMIT 0").description
    known = {column[0] for column in described}
    if not set(columns) <= known:
        raise ValueError(f"unknown interaction columns: {sorted(set(columns) - known)}")
    if dialect(conn) == "postgresql":
        return stream(conn, f"SELECT {', '.join(columns)} FROM interactions ORDER BY id")
    cursor = conn.cursor()
    cursor.row_factory = None  # tuples: a million rows go straight to the CSV writer
    return cursor.execute(f"SELECT {', '.join(columns)} FROM interactions ORDER BY id")


def all_leads(
    conn: sqlite3.Connection, share_consent: str, contact_consent: str
) -> Iterator[sqlite3.Row]:
    """Every lead with its person, whether the person shares contact details with that
    exhibitor (a booth answer beats the show-wide one; the latest wins) and whether they
    withdrew the contact consent altogether, ordered by exhibitor."""
    return stream(
        conn,
        "SELECT l.*, a.full_name, a.company, a.job_title, a.email, a.phone, a.country,"
        f" a.city, a.address, a.status AS person_status, a.language, {SHARED_SQL} AS shared,"
        " (SELECT c.granted = 0 FROM consents c WHERE c.attendee_id = l.attendee_id"
        "  AND c.consent = :contact_consent AND c.exhibitor_id IS NULL"
        "  ORDER BY c.at DESC, c.id DESC LIMIT 1) AS withheld"
        " FROM leads l LEFT JOIN attendees a ON a.id = l.attendee_id"
        " ORDER BY l.exhibitor_id, l.attendee_id IS NULL, l.attendee_id, l.id",
        {"share_consent": share_consent, "contact_consent": contact_consent},
    )
