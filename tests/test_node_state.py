"""The show day's close from several server nodes at once, on both databases."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

from conftest import BOTH_DATABASES
from kiosk.checkin.dayclose import DayCloser
from kiosk.checkin.service import check_in
from kiosk.devices import create_device
from kiosk.services import open_services


@BOTH_DATABASES
def test_nodes_closing_the_day_at_once_check_each_person_out_once(settings, svc, make):
    device, _ = create_device(svc.store, settings, role="kiosk", name="k", gate="north")
    evening = datetime.fromisoformat("2026-11-24T18:00").replace(tzinfo=settings.timezone)
    people = []
    for _ in range(30):
        attendee_id, code = make.attendee()
        outcome = check_in(
            svc.store,
            settings,
            svc.keys,
            code=code,
            gate="north",
            direction="in",
            nonce=uuid.uuid4().hex,
            device=device,
            now=evening,
        )
        assert outcome.ok
        people.append(attendee_id)
    morning = datetime.fromisoformat("2026-11-25T08:00").replace(tzinfo=settings.timezone)
    # Two nodes, each with its own connections to the one database, close the day together.
    stores = [open_services(settings).store for _ in range(2)]
    start = threading.Barrier(len(stores))
    closed = [None] * len(stores)

    def close(i):
        start.wait()
        closed[i] = DayCloser(stores[i], settings).run_if_due(morning)

    threads = [threading.Thread(target=close, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for store in stores:
        store.close()
    assert sum(closed) == len(people)
    rows = svc.store.query(
        "SELECT attendee_id FROM interactions WHERE type = 'day_closed' ORDER BY attendee_id"
    )
    assert [r["attendee_id"] for r in rows] == people
    inside = svc.store.one("SELECT count(*) AS n FROM presence WHERE state = 'in'")
    assert inside["n"] == 0
