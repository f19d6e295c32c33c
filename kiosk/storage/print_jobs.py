"""SQL for print jobs: every badge sent to a printer or to the kiosk's browser."""

from __future__ import annotations

import sqlite3

from kiosk.storage import utcnow


def insert(
    conn: sqlite3.Connection,
    *,
    attendee_id: int,
    device_id: int | None,
    printer: str,
    template: str,
    status: str,
    cups_job: str = "",
    reason: str = "",
) -> int:
    """Record a print job; return its id."""
    now = utcnow()
    return conn.execute(
        "INSERT INTO print_jobs (attendee_id, device_id, printer, template, status, cups_job,"
        " reason, created_at, updated_at) VALUES (:attendee_id, :device_id, :printer, :template,"
        " :status, :cups_job, :reason, :now, :now) RETURNING id",
        {
            "attendee_id": attendee_id,
            "device_id": device_id,
            "printer": printer,
            "template": template,
            "status": status,
            "cups_job": cups_job,
            "reason": reason,
            "now": now,
        },
    ).fetchone()[0]


def set_status(conn: sqlite3.Connection, job_id: int, status: str) -> None:
    """Update a job's state (queued -> completed)."""
    conn.execute(
        "UPDATE print_jobs SET status = :status, updated_at = :at WHERE id = :id",
        {"status": status, "at": utcnow(), "id": job_id},
    )


def get(conn: sqlite3.Connection, job_id: int) -> sqlite3.Row | None:
    """One job."""
    return conn.execute("SELECT * FROM print_jobs WHERE id = :id", {"id": job_id}).fetchone()


def for_attendee(conn: sqlite3.Connection, attendee_id: int) -> list[sqlite3.Row]:
    """A person's print jobs, oldest first."""
    return conn.execute(
        "SELECT * FROM print_jobs WHERE attendee_id = :attendee_id ORDER BY id",
        {"attendee_id": attendee_id},
    ).fetchall()


def queued_since(conn: sqlite3.Connection, since: str) -> list[sqlite3.Row]:
    """Jobs handed to CUPS since a moment and not known to be finished."""
    return conn.execute(
        "SELECT id, printer, cups_job FROM print_jobs"
        " WHERE status = 'queued' AND cups_job != '' AND created_at >= :since",
        {"since": since},
    ).fetchall()


def last_per_device(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Each device's latest print job."""
    return conn.execute(
        "SELECT * FROM print_jobs WHERE id IN"
        " (SELECT max(id) FROM print_jobs WHERE device_id IS NOT NULL GROUP BY device_id)"
    ).fetchall()
