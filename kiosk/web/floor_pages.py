"""Device pages on the show floor: the session door scanner and the exit-survey kiosk."""

from __future__ import annotations

from flask import Blueprint, render_template

from kiosk.survey.answers import PURPOSES
from kiosk.web import services
from kiosk.web.pages import show_context

bp = Blueprint("floor", __name__)


@bp.get("/door")
def door():
    """Door staff scan badges into a session (kiosk token or a signed-in staff phone)."""
    settings = services().settings
    sessions = [
        {
            "id": s.id,
            "name": s.name,
            "room": s.room,
            "capacity": s.capacity,
            "starts": s.starts.isoformat() if s.starts else None,
            "ends": s.ends.isoformat() if s.ends else None,
        }
        for s in settings.sessions.values()
    ]
    return render_template(
        "floor/door.html",
        show=show_context(),
        sessions=sessions,
        timezone=settings.timezone.key,
    )


@bp.get("/exit")
def exit_survey():
    """The exit-survey kiosk (zh and en, touch)."""
    return render_template("floor/exit.html", show=show_context(), purposes=PURPOSES)
