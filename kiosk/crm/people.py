"""One person at a time with everything recorded about them, streamed from the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from kiosk.storage import reports

KINDS = ("consents", "interactions", "leads", "surveys", "history")
PASSAGES = frozenset(("checked_in", "checked_out"))
# The interactions the metrics read: passages and sessions (kiosk.crm.metrics.engagement).
METRIC_TYPES = ("checked_in", "checked_out", "session_attended")


@dataclass
class Person:
    """A person's static record (a dict of its columns) and the rows hanging off it.

    `interactions` is the whole log (voided check-ins and their `checkin_voided` rows included);
    `passages` holds only the valid check-ins and check-outs, the ones every figure counts.
    """

    row: dict
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
    """Rows ordered by attendee_id, read one person's rows at a time.

    itertools.groupby walks the rows in C; only one group at a time is turned into a list.
    """

    def __init__(self, rows: Iterator):
        self.groups = groupby(rows, key=itemgetter("attendee_id"))
        self.head = next(self.groups, None)

    def take(self, attendee_id: int) -> list:
        head = self.head
        while head is not None and head[0] < attendee_id:
            head = next(self.groups, None)
        if head is None or head[0] != attendee_id:
            self.head = head
            return []
        rows = list(head[1])
        self.head = next(self.groups, None)
        return rows


def iter_people(conn: sqlite3.Connection, *, whole_log: bool = True) -> Iterator[Person]:
    """Every person with their consents, timeline, leads, surveys and history, by id.

    Without whole_log, `interactions` holds only the kinds the metrics read (METRIC_TYPES):
    files that carry no timeline beyond the passages read a fraction of the log.
    """
    voided = reports.voided_passages(conn)
    consents, interactions, leads, surveys, history = (
        _Group(
            reports.person_rows(conn, kind)
            if whole_log or kind != "interactions"
            else reports.person_interactions_of(conn, METRIC_TYPES)
        )
        for kind in KINDS
    )
    for row in reports.people(conn):
        attendee_id = row["id"]
        timeline = interactions.take(attendee_id)
        yield Person(
            row,
            consents.take(attendee_id),
            timeline,
            # the same rows, in the same order, as checkins.VALID_PASSAGES gives them
            [i for i in timeline if i["type"] in PASSAGES and i["id"] not in voided],
            leads.take(attendee_id),
            surveys.take(attendee_id),
            history.take(attendee_id),
        )
