"""Device pages on the show floor: the session door scanner and the exit-survey kiosk."""

from __future__ import annotations

from flask import Blueprint, render_template

from kiosk.survey.answers import PURPOSES
from kiosk.web import services

bp = Blueprint("floor", __name__)


def _show() -> dict:
    settings = services().settings
    return {
        "name": settings.event_name,
        "languages": settings.languages,
        "default_language": settings.default_language,
    }


@bp.get("/door")
def door():
    """Door staff scan badges into a session (kiosk token or a signed-in staff phone)."""
    settings = services().settings
    sessions = [
        {"id": s.id, "name": s.name, "room": s.room, "capacity": s.capacity}
        for s in settings.sessions.values()
    ]
    return render_template("floor/door.html", show=_show(), sessions=sessions)


@bp.get("/exit")
def exit_survey():
    """The exit-survey kiosk (zh and en, touch)."""
    return render_template("floor/exit.html", show=_show(), purposes=PURPOSES)
