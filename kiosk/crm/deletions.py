"""The deletion list: every record erased here, by the ids each CRM knows it by.

`kiosk erase` leaves no personal data to match on, so each list names a person only by what the
CRM already holds: the attendee id (HubSpot's `kiosk_attendee_id`, Salesforce's
`Kiosk_Attendee_Id__c`, the vCard UID, Tryton's identifier), the CRM's own record id (`crm_id`)
when it was known, and the ids sync targets gave the record. docs/crm-export.md says how each
CRM applies its list.
"""

from __future__ import annotations

import json
import sqlite3

from kiosk.config import Settings
from kiosk.crm import vcard
from kiosk.crm.files import Output
from kiosk.storage import sync

COLUMNS = ["id", "event", "erased_at", "crm_id", "remote_ids"]
HUBSPOT_COLUMNS = ["kiosk_attendee_id", "kiosk_event", "crm_id", "erased_at"]
SALESFORCE_COLUMNS = ["Kiosk_Attendee_Id__c", "Id", "Erased_At"]
VCARD_COLUMNS = ["uid", "attendee_id", "erased_at"]


def entry(row: sqlite3.Row, settings: Settings) -> dict:
    """One erased record as every list and the webhook's delete event name it."""
    return {
        "id": row["attendee_id"],
        "event": settings.event_id,
        "erased_at": row["erased_at"],
        "crm_id": row["crm_id"],
        "remote_ids": json.loads(row["remote_ids"] or "{}"),
    }


def _rows(entry: dict, fmt: str) -> dict:
    if fmt == "hubspot":
        return {
            "kiosk_attendee_id": entry["id"],
            "kiosk_event": entry["event"],
            "crm_id": entry["crm_id"],
            "erased_at": entry["erased_at"],
        }
    if fmt == "salesforce":
        return {
            "Kiosk_Attendee_Id__c": f"{entry['event']}:{entry['id']}",
            "Id": entry["crm_id"],
            "Erased_At": entry["erased_at"],
        }
    if fmt == "vcard":
        return {
            "uid": vcard.person_uid(entry["event"], entry["id"]),
            "attendee_id": entry["id"],
            "erased_at": entry["erased_at"],
        }
    return entry


# Format -> (file name, CSV columns or None for JSON Lines).
FILES = {
    "jsonl": ("deletions.jsonl", None),
    "csv": ("deletions.csv", COLUMNS),
    "hubspot": ("hubspot_deletions.csv", HUBSPOT_COLUMNS),
    "salesforce": ("salesforce_deletions.csv", SALESFORCE_COLUMNS),
    "vcard": ("vcard/deletions.csv", VCARD_COLUMNS),
}


def write(conn: sqlite3.Connection, settings: Settings, fmt: str, output: Output) -> None:
    """Write the format's deletion list (a header alone when nobody was erased)."""
    if fmt not in FILES:
        return
    name, columns = FILES[fmt]
    if columns is None:
        with output.open(name) as fh:
            for row in sync.erasures(conn):
                fh.write(json.dumps(entry(row, settings), separators=(",", ":")) + "\n")
                output.counts[name] += 1
        return
    table = output.csv(name, columns)
    for row in sync.erasures(conn):
        table.write(_rows(entry(row, settings), fmt))
    table.close()
