"""Exhibitors: created from the CLI or the console, renamed, moved, given questions; all audited."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from kiosk.devices import DeviceError
from kiosk.errors import NotFound
from kiosk.exhibitors.questions import clean_questions
from kiosk.storage import Store
from kiosk.storage import exhibitors as sql
from kiosk.storage.interactions import audit


def create_exhibitor(store: Store, *, name: str, booth: str, actor: str = "cli") -> int:
    """Create an exhibitor; return its id."""
    name, booth = (name or "").strip(), (booth or "").strip()
    if not name:
        raise DeviceError("name", "an exhibitor needs a name")
    if not booth:
        raise DeviceError("booth", "an exhibitor needs a booth")
    with store.write() as conn:
        exhibitor_id = sql.insert_exhibitor(conn, name=name, booth=booth)
        audit(
            conn,
            actor,
            "exhibitor.create",
            f"exhibitor:{exhibitor_id}",
            after={"name": name, "booth": booth},
        )
    return exhibitor_id


def update_exhibitor(store: Store, exhibitor_id: int, *, name: str, booth: str, actor: str) -> None:
    """Rename an exhibitor or move it to another booth."""
    name, booth = " ".join((name or "").split()), " ".join((booth or "").split())
    if not name:
        raise DeviceError("name", "an exhibitor needs a name")
    if not booth:
        raise DeviceError("booth", "an exhibitor needs a booth")
    with store.write() as conn:
        row = _exhibitor(conn, exhibitor_id)
        if (row["name"], row["booth"]) == (name, booth):
            return
        sql.update_exhibitor(conn, exhibitor_id, name=name, booth=booth)
        audit(
            conn,
            actor,
            "exhibitor.update",
            f"exhibitor:{exhibitor_id}",
            before={"name": row["name"], "booth": row["booth"]},
            after={"name": name, "booth": booth},
        )


def questions_of(store: Store, exhibitor_id: int) -> list[dict]:
    """An exhibitor's qualifying questions, in the schema of kiosk/exhibitors/questions.py."""
    return json.loads(_exhibitor(store.conn, exhibitor_id)["questions"])


def set_questions(
    store: Store,
    exhibitor_id: int,
    questions: list[dict],
    *,
    actor: str,
    languages: Sequence[str],
) -> list[dict]:
    """Replace an exhibitor's qualifying questions: validated, written and audited together.

    A plain-text label is taken for every one of `languages`. Setting the questions the
    exhibitor already has changes nothing and logs nothing. Returns the questions as stored.
    """
    clean = clean_questions(questions, languages)
    with store.write() as conn:
        before = json.loads(_exhibitor(conn, exhibitor_id)["questions"])
        if before != clean:
            sql.set_questions(conn, exhibitor_id, clean)
            audit(
                conn,
                actor,
                "exhibitor.questions",
                f"exhibitor:{exhibitor_id}",
                before={"questions": before},
                after={"questions": clean},
            )
    return clean


def _exhibitor(conn: sqlite3.Connection, exhibitor_id: int) -> sqlite3.Row:
    row = sql.exhibitor(conn, exhibitor_id)
    if row is None:
        raise NotFound(f"no exhibitor {exhibitor_id}")
    return row
