"""The show's badge layouts, loaded once at start, and rendering a person's badge."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kiosk.badges.fonts import FontMissing
from kiosk.badges.render import badge_data, pdf_bytes, png_bytes, render
from kiosk.badges.templates import BadgeTemplate, load_all
from kiosk.checkin import codes
from kiosk.config import ConfigError, Settings
from kiosk.errors import NotFound, Unavailable
from kiosk.secrets import Keys
from kiosk.storage import attendees as attendee_sql

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = "badge-4x3"


class NoBadge(NotFound):
    """The person does not exist or holds no live badge."""

    def __init__(self, attendee_id: int):
        super().__init__(f"no attendee {attendee_id} with a live badge")
        self.attendee_id = attendee_id


class BadgesUnavailable(Unavailable):
    """Badges cannot be drawn on this machine (a font the layouts name is missing)."""

    code = "badges_unavailable"

    def __init__(self, problem: str):
        super().__init__(f"badges cannot be printed: {problem}", reason="font_missing")


def templates_dir(settings: Settings) -> Path:
    """Where the layouts are: [badges].templates_dir, relative to the config file or the project."""
    configured = Path(str(settings.extra.get("badges", {}).get("templates_dir", "badge_templates")))
    if configured.is_absolute():
        return configured
    for base in (settings.config_path.parent, settings.config_path.parent.parent, PROJECT_ROOT):
        if (base / configured).is_dir():
            return base / configured
    return PROJECT_ROOT / configured


@dataclass
class Badges:
    """Every layout of the show and which one each kiosk prints."""

    settings: Settings
    templates: dict[str, BadgeTemplate]
    default: str
    # Why no badge can be drawn (a missing font), or "" when they can.
    problem: str = ""

    def template_for(
        self, device_name: str | None = None, template_id: str | None = None
    ) -> BadgeTemplate:
        """The layout asked for, else the kiosk's own, else the show's default."""
        if self.problem:
            raise BadgesUnavailable(self.problem)
        if template_id:
            return self.templates[template_id]
        kiosk = self.settings.kiosks.get(device_name or "")
        if kiosk is not None and kiosk.badge_template:
            return self.templates[kiosk.badge_template]
        return self.templates[self.default]

    def render_person(self, person: dict, code: str, tpl: BadgeTemplate) -> Image.Image:
        """The badge image of a person with a given code."""
        image, _ = render(tpl, badge_data(person, self.settings, code))
        return image

    def for_attendee(
        self, conn: sqlite3.Connection, keys: Keys, attendee_id: int, tpl: BadgeTemplate
    ) -> tuple[Image.Image, str]:
        """The badge of a stored person with their live code: (image, code)."""
        row = attendee_sql.get(conn, attendee_id)
        live = attendee_sql.live_badge(conn, attendee_id) if row is not None else None
        if row is None or live is None or row["status"] != "active":
            raise NoBadge(attendee_id)
        code = codes.code_for(keys, live["code_id"], live["version"])
        return self.render_person(dict(row), code, tpl), code

    def png(self, image: Image.Image, tpl: BadgeTemplate) -> bytes:
        """PNG bytes at the layout's resolution."""
        return png_bytes(image, tpl.dpi)

    def pdf(self, image: Image.Image, tpl: BadgeTemplate) -> bytes:
        """PDF bytes, page sized to the badge."""
        return pdf_bytes(image, tpl.dpi)


def load(settings: Settings) -> Badges:
    """Load and check every layout and the configured choices; ConfigError if anything is wrong.

    A font missing on this machine is not fatal: the show starts, check-ins go on, and every
    attempt to draw a badge answers `badges_unavailable` naming the font (see `problem`).
    """
    section = settings.extra.get("badges", {})
    if not isinstance(section, dict):
        raise ConfigError("badges: expected a table")
    fonts = section.get("fonts", {})
    if not isinstance(fonts, dict):
        raise ConfigError("badges.fonts: expected a table of name = font")
    gate_printers = section.get("gate_printers", {})
    if not isinstance(gate_printers, dict):
        raise ConfigError("badges.gate_printers: expected a table of gate = printer")
    for gate in gate_printers:
        if gate not in settings.gates:
            raise ConfigError(f"badges.gate_printers.{gate}: unknown gate")
    default = str(section.get("template", DEFAULT_TEMPLATE))
    try:
        templates = load_all(templates_dir(settings), fonts)
    except FontMissing as exc:
        return Badges(settings, {}, default, problem=str(exc))
    if default not in templates:
        raise ConfigError(
            f"badges.template: no template '{default}' (have: {', '.join(templates)})"
        )
    for name, kiosk in settings.kiosks.items():
        if kiosk.badge_template and kiosk.badge_template not in templates:
            raise ConfigError(
                f"kiosks.{name}.badge_template: no template '{kiosk.badge_template}'"
                f" (have: {', '.join(templates)})"
            )
    return Badges(settings, templates, default)
