"""Badge layouts as data: TOML files in badge_templates/, validated when the show starts."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from kiosk.attendees.fields import PERSON
from kiosk.badges import fonts
from kiosk.config import ConfigError

MM_PER_IN = 25.4
ELEMENT_TYPES = ("text", "qr", "band", "image")
ALIGNS = ("left", "center", "right")
# What "{...}" in a template may name; see badge_data() in kiosk.badges.render.
PERSON_FIELDS = tuple(f.name for f in PERSON if f.badge)
FIELDS = (
    *PERSON_FIELDS,
    "category_color",
    "category_name",
    "category_name_zh",
    "category_name_en",
    "event_name",
    "event_name_zh",
    "event_name_en",
    "code",
)
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
REQUIRED_GLYPHS = "中文姓名Aa"


@dataclass(frozen=True)
class Element:
    type: str
    x: float
    y: float
    w: float
    h: float
    text: str = ""
    font: str = "regular"
    size_pt: float = 12.0
    min_size_pt: float = 8.0
    max_lines: int = 1
    align: str = "left"
    color: str = "#000000"
    image: Image.Image | None = None


@dataclass(frozen=True)
class BadgeTemplate:
    """One layout: size in mm, resolution, fonts and elements in drawing order."""

    id: str
    name: str
    width_mm: float
    height_mm: float
    dpi: int
    background: str
    fonts: dict[str, fonts.FontFile]
    elements: tuple[Element, ...] = field(default_factory=tuple)

    def px(self, mm: float) -> int:
        """A length in millimetres as printer dots."""
        return round(mm / MM_PER_IN * self.dpi)

    @property
    def size_px(self) -> tuple[int, int]:
        """The page in printer dots."""
        return self.px(self.width_mm), self.px(self.height_mm)


def length_mm(value, where: str) -> float:
    """A length: a number of mm, or a string ending in mm, in, cm or pt."""
    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a length like 12, '12mm' or '4in'")
    if isinstance(value, int | float):
        number, unit = float(value), "mm"
    else:
        match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|in|cm|pt)?\s*", str(value))
        if not match:
            raise ConfigError(f"{where}: '{value}' is not a length like 12, '12mm' or '4in'")
        number, unit = float(match[1]), match[2] or "mm"
    factor = {"mm": 1.0, "cm": 10.0, "in": MM_PER_IN, "pt": MM_PER_IN / 72}[unit]
    return number * factor


def _points(value, where: str) -> float:
    return length_mm(value if isinstance(value, str) else f"{value}pt", where) * 72 / MM_PER_IN


def _check_text(text, where: str) -> str:
    if not isinstance(text, str):
        raise ConfigError(f"{where}: expected text")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    for name in names:
        if name not in FIELDS:
            raise ConfigError(f"{where}: unknown field '{{{name}}}' (known: {', '.join(FIELDS)})")
    return text


def _color(value, where: str) -> str:
    value = str(value)
    if not COLOR_RE.match(value) and value != "{category_color}":
        raise ConfigError(f"{where}: '{value}' is not a colour like #1565C0 or {{category_color}}")
    return value


def _element(raw: dict, where: str, base: Path, font_names) -> Element:
    kind = raw.get("type")
    if kind not in ELEMENT_TYPES:
        raise ConfigError(f"{where}.type: expected one of {', '.join(ELEMENT_TYPES)}")
    for key in ("x", "y"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing")
    x, y = length_mm(raw["x"], f"{where}.x"), length_mm(raw["y"], f"{where}.y")
    if kind == "qr":
        size = length_mm(raw.get("size", 0), f"{where}.size")
        if size <= 0:
            raise ConfigError(f"{where}.size: missing")
        return Element(
            "qr", x, y, size, size, text=_check_text(raw.get("text", "{code}"), f"{where}.text")
        )
    for key in ("w", "h"):
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing")
    w, h = length_mm(raw["w"], f"{where}.w"), length_mm(raw["h"], f"{where}.h")
    if kind == "band":
        return Element(
            "band", x, y, w, h, color=_color(raw.get("color", "{category_color}"), f"{where}.color")
        )
    if kind == "image":
        path = base / str(raw.get("src", ""))
        try:
            with Image.open(path) as img:
                image = img.convert("RGBA")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{where}.src: cannot read image '{path}'") from exc
        return Element("image", x, y, w, h, image=image)
    font = str(raw.get("font", "regular"))
    if font not in font_names:
        raise ConfigError(f"{where}.font: '{font}' is not in [fonts] ({', '.join(font_names)})")
    size = _points(raw.get("size", 12), f"{where}.size")
    min_size = _points(raw.get("min_size", size), f"{where}.min_size")
    max_lines = raw.get("max_lines", 1)
    if not isinstance(max_lines, int) or not 1 <= max_lines <= 5:
        raise ConfigError(f"{where}.max_lines: expected 1 to 5")
    align = raw.get("align", "left")
    if align not in ALIGNS:
        raise ConfigError(f"{where}.align: expected one of {', '.join(ALIGNS)}")
    if min_size > size:
        raise ConfigError(f"{where}.min_size: larger than size")
    return Element(
        "text",
        x,
        y,
        w,
        h,
        text=_check_text(raw.get("text", ""), f"{where}.text"),
        font=font,
        size_pt=size,
        min_size_pt=min_size,
        max_lines=max_lines,
        align=align,
        color=_color(raw.get("color", "#000000"), f"{where}.color"),
    )


def load_template(path: Path, font_overrides: dict | None = None) -> BadgeTemplate:
    """Read and validate one template file; ConfigError names the file and the key."""
    where = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    width = length_mm(raw.get("width", 0), f"{where}: width")
    height = length_mm(raw.get("height", 0), f"{where}: height")
    if width <= 0 or height <= 0:
        raise ConfigError(f"{where}: width and height are required")
    dpi = raw.get("dpi", 300)
    if not isinstance(dpi, int) or not 72 <= dpi <= 1200:
        raise ConfigError(f"{where}: dpi: expected 72 to 1200")
    font_specs = {**raw.get("fonts", {}), **(font_overrides or {})}
    if not font_specs:
        raise ConfigError(f"{where}: [fonts] needs at least one font")
    loaded = {}
    for name, spec in font_specs.items():
        loaded[name] = fonts.resolve(spec, f"{where}: fonts.{name}")
        probe = loaded[name].at(48)
        missing = [c for c in REQUIRED_GLYPHS if fonts.glyph_missing(probe, c)]
        if missing:
            raise fonts.FontMissing(
                f"{where}: fonts.{name}: '{loaded[name].path}' has no glyphs for {''.join(missing)}"
                " (CJK names need a CJK font such as Noto Sans CJK)"
            )
    elements = raw.get("elements", [])
    if not isinstance(elements, list) or not elements:
        raise ConfigError(f"{where}: [[elements]] missing")
    parsed = tuple(
        _element(e, f"{where}: elements[{i}]", path.parent, loaded) for i, e in enumerate(elements)
    )
    for i, e in enumerate(parsed):
        if e.x + e.w > width + 0.01 or e.y + e.h > height + 0.01:
            raise ConfigError(
                f"{where}: elements[{i}] extends beyond the {width:g} x {height:g} mm page"
            )
    return BadgeTemplate(
        id=path.stem,
        name=str(raw.get("name", path.stem)),
        width_mm=width,
        height_mm=height,
        dpi=dpi,
        background=_color(raw.get("background", "#FFFFFF"), f"{where}: background"),
        fonts=loaded,
        elements=parsed,
    )


def load_all(directory: Path, font_overrides: dict | None = None) -> dict[str, BadgeTemplate]:
    """Every *.toml in the directory by id (file name without .toml)."""
    if not directory.is_dir():
        raise ConfigError(f"badges.templates_dir: '{directory}' is not a directory")
    templates = {p.stem: load_template(p, font_overrides) for p in sorted(directory.glob("*.toml"))}
    if not templates:
        raise ConfigError(f"badges.templates_dir: no *.toml templates in '{directory}'")
    return templates
