"""Ordered schema migrations. Append new ones at the end; never edit an applied one."""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from kiosk.storage import Store, dumps

migrations = Migrations("kiosk")


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Execute a script statement by statement (executescript would commit mid-migration)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""


@migrations(name="0001_foundation")
def foundation(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        CREATE TABLE attendees (
            id INTEGER PRIMARY KEY,
            external_id TEXT UNIQUE,
            full_name TEXT NOT NULL,
            company TEXT NOT NULL DEFAULT '',
            job_title TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            email_key TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            country TEXT NOT NULL DEFAULT '',
            city TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            industry TEXT NOT NULL DEFAULT '',
            main_business TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL,
            interests TEXT NOT NULL DEFAULT '[]',
            purchasing_role TEXT NOT NULL DEFAULT '',
            budget TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            crm_id TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            search_keys TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'active',
            merged_into INTEGER REFERENCES attendees(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX attendees_email_key ON attendees(email_key) WHERE email_key != '';
        CREATE INDEX attendees_phone ON attendees(phone) WHERE phone != '';
        CREATE INDEX attendees_category ON attendees(category);

        CREATE TABLE badges (
            code_id TEXT PRIMARY KEY,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            version INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT,
            revoked_reason TEXT
        );
        CREATE INDEX badges_attendee ON badges(attendee_id);

        CREATE TABLE presence (
            attendee_id INTEGER PRIMARY KEY REFERENCES attendees(id),
            state TEXT NOT NULL CHECK (state IN ('in', 'out')),
            gate TEXT NOT NULL,
            at TEXT NOT NULL,
            first_in_at TEXT NOT NULL,
            first_in_gate TEXT NOT NULL,
            entries INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX presence_state ON presence(state);

        CREATE TABLE exhibitors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            booth TEXT NOT NULL,
            questions TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );

        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('kiosk', 'exhibitor', 'staff')),
            token_hash TEXT NOT NULL UNIQUE,
            exhibitor_id INTEGER REFERENCES exhibitors(id),
            gate TEXT,
            printer TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            last_seen_at TEXT
        );

        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            type TEXT NOT NULL,
            attendee_id INTEGER REFERENCES attendees(id),
            exhibitor_id INTEGER REFERENCES exhibitors(id),
            device_id INTEGER REFERENCES devices(id),
            place TEXT NOT NULL DEFAULT '',
            direction TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX interactions_attendee ON interactions(attendee_id, at);
        CREATE INDEX interactions_type_at ON interactions(type, at);

        CREATE TABLE nonces (
            device_id INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            status INTEGER NOT NULL,
            response TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (device_id, nonce)
        ) WITHOUT ROWID;

        CREATE TABLE consents (
            id INTEGER PRIMARY KEY,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            consent TEXT NOT NULL,
            granted INTEGER NOT NULL,
            version TEXT NOT NULL,
            text TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '',
            exhibitor_id INTEGER REFERENCES exhibitors(id),
            device_id INTEGER REFERENCES devices(id),
            at TEXT NOT NULL
        );
        CREATE INDEX consents_attendee ON consents(attendee_id, consent, at);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_at ON audit_log(at);

        -- The interaction log is append-only: nothing in it is ever silently overwritten.
        CREATE TRIGGER interactions_no_update BEFORE UPDATE ON interactions
        BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
        CREATE TRIGGER interactions_no_delete BEFORE DELETE ON interactions
        BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;
        """,
    )


@migrations(name="0002_show_floor")
def show_floor(db: sqlite_utils.Database) -> None:
    """Tables shared by lead capture, the exit survey and the CRM history."""
    _run(
        db,
        """
        -- One lead per visitor per exhibitor; every scan of it is a `lead_captured` interaction.
        CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            exhibitor_id INTEGER NOT NULL REFERENCES exhibitors(id),
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            first_scanned_at TEXT NOT NULL,
            last_scanned_at TEXT NOT NULL,
            scans INTEGER NOT NULL DEFAULT 1,
            rating TEXT NOT NULL DEFAULT '' CHECK (rating IN ('', 'hot', 'warm', 'cold')),
            notes TEXT NOT NULL DEFAULT '',
            answers TEXT NOT NULL DEFAULT '{}',
            follow_up TEXT NOT NULL DEFAULT '[]',
            device_id INTEGER REFERENCES devices(id),
            updated_at TEXT NOT NULL,
            UNIQUE (exhibitor_id, attendee_id)
        );
        CREATE INDEX leads_attendee ON leads(attendee_id);

        -- A device's client_ref is remembered so that a resent scan records nothing new.
        CREATE TABLE lead_scans (
            device_id INTEGER NOT NULL REFERENCES devices(id),
            client_ref TEXT NOT NULL,
            lead_id INTEGER NOT NULL REFERENCES leads(id),
            scanned_at TEXT NOT NULL,
            PRIMARY KEY (device_id, client_ref)
        );

        -- Exit-survey answers; attendee_id is NULL for an anonymous answer.
        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            day TEXT NOT NULL,
            attendee_id INTEGER REFERENCES attendees(id),
            device_id INTEGER REFERENCES devices(id),
            satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
            recommend INTEGER NOT NULL CHECK (recommend BETWEEN 0 AND 10),
            return_intent INTEGER,
            purpose TEXT NOT NULL DEFAULT '[]',
            comment TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX survey_one_per_badge_day ON survey_responses(attendee_id, day)
            WHERE attendee_id IS NOT NULL;

        -- Earlier editions' attendance imported from the CRM.
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            attendee_id INTEGER REFERENCES attendees(id),
            external_id TEXT NOT NULL DEFAULT '',
            email_key TEXT NOT NULL DEFAULT '',
            edition TEXT NOT NULL,
            year INTEGER,
            attended INTEGER NOT NULL DEFAULT 1,
            category TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}',
            UNIQUE (external_id, email_key, edition)
        );
        CREATE INDEX history_attendee ON history(attendee_id);
        """,
    )


def migrate(store: Store) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(store.db)]
    migrations.apply(store.db)
    return pending


@migrations(name="i3_print_jobs")
def i3_print_jobs(db: sqlite_utils.Database) -> None:
    """Badges sent to a CUPS queue or to the kiosk's browser, and what became of them."""
    _run(
        db,
        """
        CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY,
            attendee_id INTEGER NOT NULL REFERENCES attendees(id),
            device_id INTEGER REFERENCES devices(id),
            printer TEXT NOT NULL DEFAULT '',
            template TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('browser', 'queued', 'completed', 'failed')),
            cups_job TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX print_jobs_attendee ON print_jobs(attendee_id);
        """,
    )


@migrations(name="i5_crm_sync")
def i5_crm_sync(db: sqlite_utils.Database) -> None:
    """What each CRM sync target has acknowledged: the resume point of `kiosk sync`."""
    _run(
        db,
        """
        -- One row per person per target: the digest of the record the target last accepted.
        CREATE TABLE crm_sync_sent (
            target TEXT NOT NULL,
            attendee_id INTEGER NOT NULL,
            digest TEXT NOT NULL,
            remote_id TEXT NOT NULL DEFAULT '',
            sent_at TEXT NOT NULL,
            PRIMARY KEY (target, attendee_id)
        ) WITHOUT ROWID;
        """,
    )


@migrations(name="i6_staff_console")
def i6_staff_console(db: sqlite_utils.Database) -> None:
    """Named staff accounts for the console; each acts through its own console device row."""
    _run(
        db,
        """
        CREATE TABLE staff_users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            device_id INTEGER NOT NULL REFERENCES devices(id),
            failed_count INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            last_sign_in_at TEXT,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        );
        CREATE INDEX interactions_place ON interactions(type, place, attendee_id);
        """,
    )


# A migration cannot see the show's configuration: a one-text label is stored under the demo
# show's languages, and every reader of a label falls back to the text it has.
_I9_LANGUAGES = ("zh", "en")


def _i9_label(text: str) -> dict:
    # ' / ' now separates a label's languages in the console; a single text keeps its slash.
    text = " ".join(str(text).split()).replace(" / ", "/")
    return {lang: text for lang in _I9_LANGUAGES}


def _i9_question(question: dict) -> dict:
    if "label" in question or "text" not in question:
        return question
    converted = {
        "id": question["id"],
        "type": question["type"],
        "label": _i9_label(question["text"]),
    }
    if question.get("options"):
        converted["options"] = [
            {"id": f"o{n}", "label": _i9_label(option)}
            for n, option in enumerate(question["options"], start=1)
        ]
    return converted


@migrations(name="i9_question_schema")
def i9_question_schema(db: sqlite_utils.Database) -> None:
    """Questions saved by the console as `{id, type, text, options: [str]}` take the one schema.

    `{id, type, label: {lang: text}, options: [{id, label}]}`, as the API stores them. Question
    ids are kept, so answers already given keep their meaning; options get `o1`, `o2`... (no
    answer to a console-made choice could be stored before: it was refused).
    """
    for exhibitor_id, raw in db.execute("SELECT id, questions FROM exhibitors").fetchall():
        questions = json.loads(raw or "[]")
        converted = [_i9_question(q) for q in questions]
        if converted != questions:
            db.execute(
                "UPDATE exhibitors SET questions = ? WHERE id = ?",
                (dumps(converted), exhibitor_id),
            )


@migrations(name="i9_nonce_outcomes")
def i9_nonce_outcomes(db: sqlite_utils.Database) -> None:
    """A nonce keeps the scan's outcome (ok or refused, reason, person, details), not an HTTP
    answer; answers kept so far are converted."""
    _run(
        db,
        """
        CREATE TABLE nonces_new (
            device_id INTEGER NOT NULL,
            nonce TEXT NOT NULL,
            outcome TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (device_id, nonce)
        ) WITHOUT ROWID;
        """,
    )
    rows = db.execute("SELECT device_id, nonce, response, at FROM nonces").fetchall()
    for device_id, nonce, response, at in rows:
        body = json.loads(response)
        ok = body.pop("status", None) == "ok"
        outcome = {
            "ok": ok,
            "reason": body.pop("reason", None),
            "message": body.pop("message", ""),
            "attendee": body.pop("attendee", None),
            "details": body,
        }
        db.execute(
            "INSERT INTO nonces_new (device_id, nonce, outcome, at) VALUES (?, ?, ?, ?)",
            (device_id, nonce, dumps(outcome), at),
        )
    _run(db, "DROP TABLE nonces;\nALTER TABLE nonces_new RENAME TO nonces;\n")


@migrations(name="i9_person_lookup")
def i9_person_lookup(db: sqlite_utils.Database) -> None:
    """The duplicate check's name-and-company test reads an index instead of the whole table."""
    _run(
        db,
        """
        CREATE INDEX attendees_name_company ON attendees(lower(full_name), lower(company))
            WHERE company != '';
        """,
    )


@migrations(name="i10_staff_sign_ins")
def i10_staff_sign_ins(db: sqlite_utils.Database) -> None:
    """Each console sign-in is kept until it signs out, so that its cookie opens nothing after."""
    _run(
        db,
        """
        CREATE TABLE staff_sign_ins (
            key TEXT PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff_users(id),
            started_at TEXT NOT NULL
        );
        """,
    )


@migrations(name="i13_duplicate_reviews")
def i13_duplicate_reviews(db: sqlite_utils.Database) -> None:
    """Pairs of records staff reviewed as different people (ids only, no personal data)."""
    _run(
        db,
        """
        CREATE TABLE duplicate_reviews (
            first_id INTEGER NOT NULL REFERENCES attendees(id),
            second_id INTEGER NOT NULL REFERENCES attendees(id),
            decision TEXT NOT NULL CHECK (decision IN ('dismissed')),
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (first_id, second_id),
            CHECK (first_id < second_id)
        );
        """,
    )


@migrations(name="i13_erasure")
def i13_erasure(db: sqlite_utils.Database) -> None:
    """What complete erasure needs: nonces keep no person, an interaction's free text can be
    redacted (nothing else of it changes), and erased people wait in a deletion list for the CRMs.
    """
    _run(
        db,
        """
        -- A kept scan outcome names the person by id only; a replay reads them afresh.
        UPDATE nonces SET outcome = json_set(outcome, '$.attendee',
            json_object('id', json_extract(outcome, '$.attendee.id')))
        WHERE json_extract(outcome, '$.attendee.id') IS NOT NULL;

        -- Still append-only, but for erasure: a row's data may be rewritten once it carries
        -- "redacted": true, and none of its other columns may change.
        DROP TRIGGER interactions_no_update;
        CREATE TRIGGER interactions_no_update BEFORE UPDATE ON interactions
        WHEN NOT (NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.type = OLD.type
            AND NEW.attendee_id IS OLD.attendee_id AND NEW.exhibitor_id IS OLD.exhibitor_id
            AND NEW.device_id IS OLD.device_id AND NEW.place = OLD.place
            AND NEW.direction = OLD.direction AND json_extract(NEW.data, '$.redacted') = 1)
        BEGIN SELECT RAISE(ABORT, 'interactions are append-only'); END;

        -- One row per erased record: the ids a CRM knows it by, never a value the person gave.
        CREATE TABLE crm_erasures (
            attendee_id INTEGER PRIMARY KEY REFERENCES attendees(id),
            erased_at TEXT NOT NULL,
            crm_id TEXT NOT NULL DEFAULT '',
            remote_ids TEXT NOT NULL DEFAULT '{}'
        );

        -- Keyed fingerprints (kiosk.secrets.pseudonym) of an erased person's ticket id and
        -- e-mail, so that importing the ticketing file again does not bring them back.
        CREATE TABLE erased_keys (
            key TEXT PRIMARY KEY
        ) WITHOUT ROWID;
        """,
    )


@migrations(name="i13_consent_source")
def i13_consent_source(db: sqlite_utils.Database) -> None:
    """Each consent answer says where it was given: walk-up, staff, import or booth. Answers
    kept so far take the booth they were given at, else the way their person came on file."""
    _run(
        db,
        """
        ALTER TABLE consents ADD COLUMN source TEXT NOT NULL DEFAULT '';
        UPDATE consents SET source = CASE WHEN exhibitor_id IS NOT NULL THEN 'booth'
            ELSE (SELECT a.source FROM attendees a WHERE a.id = consents.attendee_id) END;
        """,
    )


@migrations(name="i10_device_quotas")
def i10_device_quotas(db: sqlite_utils.Database) -> None:
    """What each kiosk used of its rate-limited searches and identity answers, per window."""
    _run(
        db,
        """
        CREATE TABLE device_quotas (
            device_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            window_start TEXT NOT NULL,
            used INTEGER NOT NULL,
            PRIMARY KEY (device_id, kind)
        ) WITHOUT ROWID;
        """,
    )


@migrations(name="i16_mail_ledger")
def i16_mail_ledger(db: sqlite_utils.Database) -> None:
    """Which confirmation and invitation each person was mailed: mail goes out once."""
    _run(
        db,
        """
        -- One row per message: kind (confirmation, invitation), recipient (attendee:ID, or a
        -- digest of the address for an invitation), ref (the badge code id, or the show id).
        -- A row in 'sending' is a message cut off by a crash: not sent again unless asked.
        CREATE TABLE mail_ledger (
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL,
            ref TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('pending', 'sending', 'sent', 'refused', 'failed')),
            attendee_id INTEGER REFERENCES attendees(id),
            address_digest TEXT NOT NULL DEFAULT '',
            attempts INTEGER NOT NULL DEFAULT 0,
            detail TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, recipient, ref)
        ) WITHOUT ROWID;
        CREATE INDEX mail_ledger_state ON mail_ledger(kind, state);
        """,
    )


@migrations(name="i14_business_cards", transactional=False)
def i14_business_cards(db: sqlite_utils.Database) -> None:
    """Business cards read at a booth, their photos, and leads that carry a card's contact.

    A lead made from a card of someone who is not registered has no attendee: `attendee_id`
    becomes optional, so `leads` is rebuilt (SQLite cannot drop a NOT NULL), with foreign keys
    off for the rebuild as SQLite's own procedure says, inside one transaction.
    """
    if "cards" in db.table_names():
        return  # rebuilt already; only the record of it was lost
    conn = db.conn
    if conn.in_transaction:
        conn.commit()
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        with db.atomic():
            _run(
                db,
                """
                -- One photo read at a booth (front, and back when it has one): as read, which
                -- registered visitor it matched, and the lead it became once staff confirmed it.
                CREATE TABLE cards (
                    id INTEGER PRIMARY KEY,
                    exhibitor_id INTEGER NOT NULL REFERENCES exhibitors(id),
                    device_id INTEGER REFERENCES devices(id),
                    client_ref TEXT,
                    taken_at TEXT NOT NULL,
                    read_at TEXT NOT NULL,
                    fields TEXT NOT NULL DEFAULT '{}',
                    lines TEXT NOT NULL DEFAULT '[]',
                    attendee_id INTEGER REFERENCES attendees(id),
                    lead_id INTEGER REFERENCES leads(id),
                    erased_at TEXT,
                    UNIQUE (device_id, client_ref)
                );
                CREATE INDEX cards_exhibitor ON cards(exhibitor_id);
                CREATE INDEX cards_attendee ON cards(attendee_id) WHERE attendee_id IS NOT NULL;
                CREATE INDEX cards_lead ON cards(lead_id) WHERE lead_id IS NOT NULL;

                -- The photos themselves: side 0 the front, 1 the back.
                CREATE TABLE card_images (
                    card_id INTEGER NOT NULL REFERENCES cards(id),
                    side INTEGER NOT NULL CHECK (side IN (0, 1)),
                    media_type TEXT NOT NULL,
                    data BLOB NOT NULL,
                    PRIMARY KEY (card_id, side)
                ) WITHOUT ROWID;

                -- source: how the lead was first captured. contact: the card's fields as staff
                -- confirmed them; a lead without attendee is a contact from a card only.
                CREATE TABLE leads_new (
                    id INTEGER PRIMARY KEY,
                    exhibitor_id INTEGER NOT NULL REFERENCES exhibitors(id),
                    attendee_id INTEGER REFERENCES attendees(id),
                    first_scanned_at TEXT NOT NULL,
                    last_scanned_at TEXT NOT NULL,
                    scans INTEGER NOT NULL DEFAULT 1,
                    rating TEXT NOT NULL DEFAULT '' CHECK (rating IN ('', 'hot', 'warm', 'cold')),
                    notes TEXT NOT NULL DEFAULT '',
                    answers TEXT NOT NULL DEFAULT '{}',
                    follow_up TEXT NOT NULL DEFAULT '[]',
                    device_id INTEGER REFERENCES devices(id),
                    updated_at TEXT NOT NULL,
                    source TEXT NOT NULL DEFAULT 'badge_scan'
                        CHECK (source IN ('badge_scan', 'business_card')),
                    card_id INTEGER REFERENCES cards(id),
                    contact TEXT NOT NULL DEFAULT '{}',
                    CHECK (attendee_id IS NOT NULL OR card_id IS NOT NULL),
                    UNIQUE (exhibitor_id, attendee_id)
                );
                INSERT INTO leads_new (id, exhibitor_id, attendee_id, first_scanned_at,
                    last_scanned_at, scans, rating, notes, answers, follow_up, device_id,
                    updated_at)
                SELECT id, exhibitor_id, attendee_id, first_scanned_at, last_scanned_at, scans,
                    rating, notes, answers, follow_up, device_id, updated_at FROM leads;
                DROP TABLE leads;
                ALTER TABLE leads_new RENAME TO leads;
                CREATE INDEX leads_attendee ON leads(attendee_id);
                CREATE INDEX leads_contact ON leads(exhibitor_id) WHERE attendee_id IS NULL;
                """,
            )
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"i14_business_cards: {len(broken)} broken references")
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


@migrations(name="i12_kiosk_modes")
def i12_kiosk_modes(db: sqlite_utils.Database) -> None:
    """Per kiosk: which way it checks people (in, out, both) and how it prints badges."""
    _run(
        db,
        """
        ALTER TABLE devices ADD COLUMN direction TEXT NOT NULL DEFAULT 'in'
            CHECK (direction IN ('in', 'out', 'both'));
        ALTER TABLE devices ADD COLUMN printing TEXT NOT NULL DEFAULT 'auto'
            CHECK (printing IN ('auto', 'browser', 'none'));
        """,
    )


@migrations(name="i15_offline_conflicts")
def i15_offline_conflicts(db: sqlite_utils.Database) -> None:
    """Admissions an offline kiosk made that the server would have refused (one per nonce)."""
    _run(
        db,
        """
        CREATE TABLE offline_conflicts (
            id INTEGER PRIMARY KEY,
            attendee_id INTEGER REFERENCES attendees(id),
            device_id INTEGER NOT NULL REFERENCES devices(id),
            nonce TEXT NOT NULL,
            gate TEXT NOT NULL,
            direction TEXT NOT NULL,
            admitted_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            standing TEXT NOT NULL DEFAULT '{}',
            recorded_at TEXT NOT NULL,
            UNIQUE (device_id, nonce)
        );
        CREATE INDEX offline_conflicts_attendee ON offline_conflicts(attendee_id);
        """,
    )
