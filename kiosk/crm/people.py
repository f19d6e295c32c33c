"""One person at a time with everything recorded about them, streamed from the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from kiosk.storage import reports

KINDS = ("consents", "interactions", "passages", "leads", "surveys", "history")


@dataclass
class Person:
    """A person's static record and the rows hanging off it.

    `interactions` is the whole log (voided check-ins and their `checkin_voided` rows included);
    `passages` holds only the valid check-ins and check-outs, the ones every figure counts.
    """

    row: sqlite3.Row
    consents: list[sqlite3.Row] = field(default_factory=list)
    interactions: list[sqlite3.Row] = field(default_factory=list)
    passages: list[sqlite3.Row] = field(default_factory=list)
    leads: list[sqlite3.Row] = field(default_factory=list)
    surveys: list[sqlite3.Row] = field(default_factory=list)
    history: list[sqlite3.Row] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The attendee id."""
        return self.row["id"]


class _Group:
    """A cursor ordered by attendee_id, read one person's rows at a time.

    itertools.groupby walks the cursor in C; only one group at a time is turned into a list.
    """

    def __init__(self, cursor: sqlite3.Cursor):
        names = [d[0] for d in cursor.description]
        self.groups = groupby(cursor, key=itemgetter(names.index("attendee_id")))
        self.head = next(self.groups, None)

    def take(self, attendee_id: int) -> list[sqlite3.Row]:
        while self.head is not None and self.head[0] < attendee_id:
            self.head = next(self.groups, None)
        if self.head is None or self.head[0] != attendee_id:
            return []
        rows = list(self.head[1])
        self.head = next(self.groups, None)
        return rows


def iter_people(conn: sqlite3.Connection) -> Iterator[Person]:
    """Every person with their consents, timeline, leads, surveys and history, by id."""
    groups = {kind: _Group(reports.person_rows(conn, kind)) for kind in KINDS}
    for row in reports.people(conn):
        person = Person(row)
        for kind, group in groups.items():
            setattr(person, kind, group.take(row["id"]))
        yield person
