"""Exhibitors: created from the CLI or the console, renamed, moved, given questions; all audited."""

from __future__ import annotations

import json

from kiosk.devices import DeviceError
from kiosk.exhibitors import questions as question_text
from kiosk.storage import Store, dumps
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


def update_exhibitor(
    store: Store, exhibitor_id: int, *, name: str, booth: str, questions: str, actor: str
) -> None:
    """Change an exhibitor's name, booth and qualifying questions."""
    name, booth = " ".join((name or "").split()), " ".join((booth or "").split())
    if not name:
        raise DeviceError("name", "an exhibitor needs a name")
    if not booth:
        raise DeviceError("booth", "an exhibitor needs a booth")
    parsed = question_text.parse(questions)
    with store.write() as conn:
        row = sql.exhibitor(conn, exhibitor_id)
        if row is None:
            raise DeviceError("exhibitor", f"no exhibitor {exhibitor_id}")
        sql.update_exhibitor(conn, exhibitor_id, name=name, booth=booth, questions=dumps(parsed))
        audit(
            conn,
            actor,
            "exhibitor.update",
            f"exhibitor:{exhibitor_id}",
            before={
                "name": row["name"],
                "booth": row["booth"],
                "questions": json.loads(row["questions"]),
            },
            after={"name": name, "booth": booth, "questions": parsed},
        )
