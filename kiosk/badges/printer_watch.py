"""The show's printers as CUPS sees them, polled by the server: their state and which badges came out.

A printer that runs out of paper is found here before the next visitor reaches it: staff get an
`alert` when a printer stops being ready, and its state is on the dashboard. The states live in
the shared state (kiosk.storage.shared): with several server nodes, one node polls at a time and every
node's console shows what it found.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk import events
from kiosk.badges import cups
from kiosk.badges.printing import known_printers
from kiosk.storage import Store, to_iso, utcnow
from kiosk.storage import print_jobs as sql
from kiosk.storage.shared import Local

POLL_EVERY_S = 5.0
# Jobs older than this are no longer looked for in CUPS's history.
JOB_HORIZON = timedelta(hours=12)


class PrinterWatch:
    """Polls every printer the show names; keeps their last state; marks finished jobs done."""

    def __init__(self, store: Store, settings, shared=None):
        self.store = store
        self.settings = settings
        self.shared = shared if shared is not None else Local()

    def poll(self) -> list[dict]:
        """Ask CUPS about each printer now; alert staff on one that stopped being ready."""
        for name in known_printers(self.settings, self.store):
            try:
                cups.check_ready(name)
                state, message = "ready", ""
            except cups.PrintError as exc:
                state, message = exc.reason, exc.message
            before = self.shared.printers().get(name, {}).get("state")
            # The alert goes out before the state is shown, so no dashboard sees a stopped
            # printer without its alert.
            if state != "ready" and state != before:
                events.publish(
                    self.store,
                    events.Alert(
                        kind="printer_trouble",
                        reason=state,
                        message=message,
                        printer=name,
                        at=utcnow(),
                    ),
                )
            self.shared.set_printer(
                name,
                {
                    "printer": name,
                    "state": state,
                    "ok": state == "ready",
                    "message": message,
                    "checked_at": utcnow(),
                },
            )
        self.complete_jobs()
        return self.states()

    def states(self) -> list[dict]:
        """The last known state of every polled printer, by name."""
        states = self.shared.printers()
        return [states[k] for k in sorted(states)]

    def complete_jobs(self) -> int:
        """Mark the queued badges that CUPS has finished as completed; return how many."""
        since = to_iso(datetime.now(UTC) - JOB_HORIZON)
        rows = sql.queued_since(self.store.conn, since)
        done: list[int] = []
        for printer in {r["printer"] for r in rows}:
            try:
                finished = cups.completed_jobs(printer)
            except cups.PrintError:
                continue
            done += [r["id"] for r in rows if r["printer"] == printer and r["cups_job"] in finished]
        if done:
            with self.store.write() as conn:
                for job_id in done:
                    sql.set_status(conn, job_id, "completed")
        return len(done)
