"""SQL for attendees (people), their badges and consents."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from itertools import islice

from kiosk.storage import dialect, dumps, marks, utcnow

# Columns a caller may write: the person's fields (kiosk.attendees.fields) and their lookup keys.
SET_BY_STORE = frozenset({"id", "status", "merged_into", "flags", "created_at", "updated_at"})
COLUMN = re.compile(r"[a-z_]+")


def _columns(values: dict) -> list[str]:
    columns = [c for c in values if c not in SET_BY_STORE]
    bad = [c for c in columns if not COLUMN.fullmatch(c)]
    if bad:
        raise ValueError(f"not a column name: {bad[0]!r}")
    return columns


def _value(person: dict, column: str):
    value = person.get(column)
    if column == "interests":
        return dumps(value or [])
    if column == "external_id":
        return value or None
    return "" if value is None else value


def insert(conn: sqlite3.Connection, person: dict) -> int:
    """Insert a person from their column values; return the new id."""
    now = utcnow()
    written = _columns(person)
    columns = [*written, "created_at", "updated_at"]
    values = {c: _value(person, c) for c in written} | {"created_at": now, "updated_at": now}
    placeholders = ", ".join(f":{c}" for c in columns)
    sql = f"INSERT INTO attendees ({', '.join(columns)}) VALUES ({placeholders}) RETURNING id"
    return conn.execute(sql, values).fetchone()[0]


def update(conn: sqlite3.Connection, attendee_id: int, changes: dict) -> None:
    """Write the given columns of one person."""
    columns = _columns(changes)
    if not columns:
        return
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    conn.execute(
        f"UPDATE attendees SET {assignments}, updated_at = :updated_at WHERE id = :id",
        {c: _value(changes, c) for c in columns} | {"updated_at": utcnow(), "id": attendee_id},
    )


def get(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row | None:
    """One person by id."""
    return conn.execute("SELECT * FROM attendees WHERE id = :id", {"id": attendee_id}).fetchone()


def by_external_id(conn: sqlite3.Connection, external_id: str) -> sqlite3.Row | None:
    """The person imported with this ticketing id."""
    return conn.execute(
        "SELECT * FROM attendees WHERE external_id = :external_id", {"external_id": external_id}
    ).fetchone()


def by_email_key(conn: sqlite3.Connection, email_key: str) -> sqlite3.Row | None:
    """The active person with this lower-cased email."""
    return conn.execute(
        "SELECT * FROM attendees WHERE email_key = :email_key AND email_key != ''"
        " AND status = 'active' ORDER BY id LIMIT 1",
        {"email_key": email_key},
    ).fetchone()


def _contains(folded: str) -> str:
    return "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def candidates(conn: sqlite3.Connection, folded: str, limit: int = 400) -> list[sqlite3.Row]:
    """Active people whose search keys contain the folded query."""
    return conn.execute(
        "SELECT * FROM attendees WHERE status = 'active'"
        " AND search_keys LIKE :pattern ESCAPE '\\' LIMIT :limit",
        {"pattern": _contains(folded), "limit": limit},
    ).fetchall()


def candidates_where(
    conn: sqlite3.Connection, folded: str, keep: Callable[[sqlite3.Row], bool], limit: int
) -> list[sqlite3.Row]:
    """Up to `limit` active people whose search keys contain the folded query and that `keep`."""
    rows = conn.execute(
        "SELECT * FROM attendees WHERE status = 'active' AND search_keys LIKE :pattern ESCAPE '\\'",
        {"pattern": _contains(folded)},
    )
    try:
        return list(islice(filter(keep, rows), limit))
    finally:
        rows.close()


def by_phone(conn: sqlite3.Connection, phone: str, limit: int) -> list[sqlite3.Row]:
    """Active people with exactly this (E.164) phone number."""
    return conn.execute(
        "SELECT * FROM attendees WHERE phone = :phone AND phone != '' AND status = 'active'"
        " ORDER BY id LIMIT :limit",
        {"phone": phone, "limit": limit},
    ).fetchall()


def insert_badge(conn: sqlite3.Connection, code_id: str, attendee_id: int, version: int) -> None:
    """Record a newly issued badge code."""
    conn.execute(
        "INSERT INTO badges (code_id, attendee_id, version, issued_at)"
        " VALUES (:code_id, :attendee_id, :version, :issued_at)",
        {
            "code_id": code_id,
            "attendee_id": attendee_id,
            "version": version,
            "issued_at": utcnow(),
        },
    )


def badge(conn: sqlite3.Connection, code_id: str) -> sqlite3.Row | None:
    """A badge row by code id."""
    return conn.execute(
        "SELECT * FROM badges WHERE code_id = :code_id", {"code_id": code_id}
    ).fetchone()


def live_badge(conn: sqlite3.Connection, attendee_id: int) -> sqlite3.Row | None:
    """The badge a person holds now (the newest not revoked)."""
    # Two badges issued in the same millisecond: SQLite's rowid says which came last.
    tie = "rowid" if dialect(conn) == "sqlite" else "code_id"
    return conn.execute(
        "SELECT * FROM badges WHERE attendee_id = :attendee_id AND revoked_at IS NULL"
        f" ORDER BY issued_at DESC, {tie} DESC LIMIT 1",
        {"attendee_id": attendee_id},
    ).fetchone()


def revoke_badges(conn: sqlite3.Connection, attendee_id: int, reason: str) -> int:
    """Revoke every live badge of a person; return how many."""
    return conn.execute(
        "UPDATE badges SET revoked_at = :at, revoked_reason = :reason"
        " WHERE attendee_id = :attendee_id AND revoked_at IS NULL",
        {"at": utcnow(), "reason": reason, "attendee_id": attendee_id},
    ).rowcount


def insert_consent(
    conn: sqlite3.Connection,
    *,
    attendee_id: int,
    consent: str,
    granted: bool,
    version: str,
    text: str,
    language: str = "",
    exhibitor_id: int | None = None,
    device_id: int | None = None,
    at: str | None = None,
    source: str = "",
) -> None:
    """Record a consent given or withdrawn (never overwritten: the latest row wins)."""
    conn.execute(
        "INSERT INTO consents (attendee_id, consent, granted, version, text, language,"
        " exhibitor_id, device_id, at, source) VALUES (:attendee_id, :consent, :granted,"
        " :version, :text, :language, :exhibitor_id, :device_id, :at, :source)",
        {
            "attendee_id": attendee_id,
            "consent": consent,
            "granted": int(granted),
            "version": version,
            "text": text,
            "language": language,
            "exhibitor_id": exhibitor_id,
            "device_id": device_id,
            "at": at or utcnow(),
            "source": source,
        },
    )


def consents(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """Every consent answer of a person, oldest first."""
    return conn.execute(
        "SELECT * FROM consents WHERE attendee_id = :attendee_id ORDER BY at, id",
        {"attendee_id": attendee_id},
    ).fetchall()


def current_consents(conn: sqlite3.Connection, attendee_id: int) -> dict[str, bool]:
    """The latest state of each show-wide consent of a person."""
    rows = conn.execute(
        "SELECT consent, granted FROM consents WHERE attendee_id = :attendee_id"
        " AND exhibitor_id IS NULL ORDER BY at, id",
        {"attendee_id": attendee_id},
    ).fetchall()
    return {row["consent"]: bool(row["granted"]) for row in rows}


# Any number; the key of the one PostgreSQL advisory lock that registrations take.
REGISTRATIONS_LOCK = 7264


def lock_registrations(conn) -> None:
    """Until the transaction ends, be the only registration of the show under way, so that the
    duplicate check and the insert after it are one step for all server nodes. SQLite needs
    nothing: its one writer already makes every write wait its turn."""
    if dialect(conn) == "postgresql":
        conn.execute("SELECT pg_advisory_xact_lock(:key)", {"key": REGISTRATIONS_LOCK})


def same_person(
    conn: sqlite3.Connection, *, email_key: str, phone: str, full_name: str, company: str
) -> tuple[sqlite3.Row, str] | None:
    """An active person with the same email (any case), phone, or name and company; and which."""
    # Each test names its partial index's condition (`!= ''`) so that SQLite uses the index.
    checks = (
        ("email", "email_key = :v AND email_key != ''", {"v": email_key}, bool(email_key)),
        ("phone", "phone = :v AND phone != ''", {"v": phone}, bool(phone)),
        (
            "name_company",
            "lower(full_name) = lower(:name) AND lower(company) = lower(:company)"
            " AND company != ''",
            {"name": full_name, "company": company},
            bool(full_name and company),
        ),
    )
    for matched_on, where, params, usable in checks:
        if not usable:
            continue
        row = conn.execute(
            f"SELECT * FROM attendees WHERE status = 'active' AND {where} ORDER BY id LIMIT 1",
            params,
        ).fetchone()
        if row is not None:
            return row, matched_on
    return None


def count(conn: sqlite3.Connection) -> int:
    """How many person records there are, whatever their status."""
    return conn.execute("SELECT count(*) FROM attendees").fetchone()[0]


def ids_except(conn: sqlite3.Connection, external_ids: tuple[str, ...]) -> list[int]:
    """Ids of the records imported with a ticketing id, but for these ids, by id."""
    ids, params = marks("e", external_ids)
    return [
        row[0]
        for row in conn.execute(
            f"SELECT id FROM attendees WHERE external_id NOT IN ({ids}) ORDER BY id", params
        )
    ]


def live_badges(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every badge not revoked."""
    return conn.execute("SELECT * FROM badges WHERE revoked_at IS NULL").fetchall()


def merged_into(conn: sqlite3.Connection, survivor_id: int) -> list[sqlite3.Row]:
    """Records merged into this one."""
    return conn.execute(
        "SELECT * FROM attendees WHERE merged_into = :id AND status = 'merged' ORDER BY id",
        {"id": survivor_id},
    ).fetchall()


def set_status(
    conn: sqlite3.Connection, attendee_id: int, status: str, merged_into_id: int | None
) -> None:
    """Mark a record active or merged away."""
    conn.execute(
        "UPDATE attendees SET status = :status, merged_into = :merged_into, updated_at = :at"
        " WHERE id = :id",
        {"status": status, "merged_into": merged_into_id, "at": utcnow(), "id": attendee_id},
    )


def match_person(conn: sqlite3.Connection, external_id: str, email_key: str) -> int | None:
    """The person a CRM row belongs to: by external or CRM id first, then by lower-cased email."""
    if external_id:
        row = conn.execute(
            "SELECT id FROM attendees WHERE (external_id = :ref OR crm_id = :ref)"
            " AND merged_into IS NULL AND status != 'erased' ORDER BY id LIMIT 1",
            {"ref": external_id},
        ).fetchone()
        if row:
            return row["id"]
    if email_key:
        row = conn.execute(
            "SELECT id FROM attendees WHERE email_key = :email_key AND merged_into IS NULL"
            " AND status != 'erased' ORDER BY id LIMIT 1",
            {"email_key": email_key},
        ).fetchone()
        if row:
            return row["id"]
    return None


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


def merge_group(conn: sqlite3.Connection, attendee_id: int) -> list[int]:
    """A record and every record merged into it, directly or through another, by id."""
    return [
        row[0]
        for row in conn.execute(
            "WITH RECURSIVE grp(id) AS (SELECT CAST(:id AS BIGINT) UNION SELECT a.id"
            " FROM attendees a JOIN grp ON a.merged_into = grp.id AND a.status = 'merged')"
            " SELECT id FROM grp ORDER BY id",
            {"id": attendee_id},
        )
    ]


def anonymise(conn: sqlite3.Connection, attendee_id: int) -> None:
    """Blank a person's record, keeping its category, country and dates (the countable facts)."""
    blanks = ", ".join(f"{c} = ''" for c in ERASED_TEXT)
    conn.execute(
        f"UPDATE attendees SET full_name = :name, external_id = NULL, {blanks},"
        " interests = '[]', flags = '[]', status = 'erased', updated_at = :at WHERE id = :id",
        {"name": f"erased #{attendee_id}", "at": utcnow(), "id": attendee_id},
    )


# Screening -------------------------------------------------------------------------------------


def set_flags(conn: sqlite3.Connection, attendee_id: int, flags: list[dict]) -> None:
    """Write a person's screening flags (the row's updated_at is left alone)."""
    conn.execute(
        "UPDATE attendees SET flags = :flags WHERE id = :id",
        {"flags": dumps(flags), "id": attendee_id},
    )


def flagged(conn: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    """Active people with at least one screening flag, newest first."""
    return conn.execute(
        "SELECT * FROM attendees WHERE status = 'active' AND flags != '[]'"
        " ORDER BY id DESC LIMIT :limit",
        {"limit": limit},
    ).fetchall()


# The ids of a group joined by commas: SQLite's group_concat, PostgreSQL's string_agg.
_ID_LIST = {"sqlite": "group_concat(id)", "postgresql": "string_agg(CAST(id AS TEXT), ',')"}


def _groups(conn: sqlite3.Connection, sql: str) -> list[list[int]]:
    sql = sql.replace("ID_LIST", _ID_LIST[dialect(conn)])
    return [sorted(int(i) for i in row[0].split(",")) for row in conn.execute(sql)]


def shared_phone_groups(conn: sqlite3.Connection) -> list[list[int]]:
    """Ids of active people sharing one phone number, a list per number, oldest first."""
    return _groups(
        conn,
        "SELECT ID_LIST FROM (SELECT id, phone FROM attendees"
        " WHERE status = 'active' AND phone != '' ORDER BY id) p"
        " GROUP BY phone HAVING count(*) > 1 ORDER BY min(id)",
    )


def shared_name_company_groups(conn: sqlite3.Connection) -> list[list[int]]:
    """Ids of active people sharing a name and a company (any case), a list per pair."""
    return _groups(
        conn,
        "SELECT ID_LIST FROM (SELECT id, full_name, company FROM attendees"
        " WHERE status = 'active' AND company != '' ORDER BY id) p"
        " GROUP BY lower(full_name), lower(company) HAVING count(*) > 1 ORDER BY min(id)",
    )


def dismissed_pairs(conn: sqlite3.Connection) -> set[tuple[int, int]]:
    """(first_id, second_id) of every pair staff reviewed as different people."""
    return {(r[0], r[1]) for r in conn.execute("SELECT first_id, second_id FROM duplicate_reviews")}


def dismiss_pair(conn: sqlite3.Connection, first_id: int, second_id: int, actor: str) -> bool:
    """Record two records as different people; False when they were already."""
    return (
        conn.execute(
            "INSERT INTO duplicate_reviews (first_id, second_id, decision, actor, at)"
            " VALUES (:first_id, :second_id, 'dismissed', :actor, :at) ON CONFLICT DO NOTHING",
            {"first_id": first_id, "second_id": second_id, "actor": actor, "at": utcnow()},
        ).rowcount
        == 1
    )


def add_erased_keys(conn: sqlite3.Connection, keys: list[str]) -> None:
    """Remember the fingerprints of an erased person's identifiers."""
    conn.executemany(
        "INSERT INTO erased_keys (key) VALUES (:key) ON CONFLICT DO NOTHING",
        [{"key": k} for k in keys],
    )


def any_erased_key(conn: sqlite3.Connection, keys: list[str]) -> bool:
    """Whether any of these fingerprints belongs to an erased person."""
    if not keys:
        return False
    listed, params = marks("k", keys)
    found = conn.execute(f"SELECT 1 FROM erased_keys WHERE key IN ({listed}) LIMIT 1", params)
    return found.fetchone() is not None


def by_contact(conn: sqlite3.Connection, email_keys: list[str], phones: list[str]):
    """The first active person with one of these lower-cased e-mails or E.164 numbers."""
    for column, values in (("email_key", email_keys), ("phone", phones)):
        for value in values:
            if not value:
                continue
            row = conn.execute(
                f"SELECT * FROM attendees WHERE {column} = :value AND {column} != ''"
                " AND status = 'active' ORDER BY id LIMIT 1",
                {"value": value},
            ).fetchone()
            if row is not None:
                return row
    return None
