"""How far the mailings got, for the staff console: sent, failed and pending per kind."""

from __future__ import annotations

import sqlite3

from kiosk.storage import mailings as mail_sql


def summary(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Per kind: sent, failed (refused or failed), in doubt, and pending.

    Confirmations pending: people with a live badge and an address whose current code has not
    gone out (a reprint makes its person pending again). Invitations pending: selected by a
    `kiosk mail invitations` run that has not sent them yet."""
    counts = mail_sql.counts(conn)
    out = {}
    for kind in ("confirmation", "invitation"):
        states = counts.get(kind, {})
        out[kind] = {
            "sent": states.get("sent", 0),
            "failed": states.get("refused", 0) + states.get("failed", 0),
            "in_doubt": states.get("sending", 0),
            "pending": states.get("pending", 0),
        }
    out["confirmation"]["pending"] = mail_sql.confirmations_due(conn)
    return out
