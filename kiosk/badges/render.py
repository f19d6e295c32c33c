"""Drawing a badge from a template and a person's data: PNG and PDF at printer resolution."""

from __future__ import annotations

import io
import re
import string
import zlib
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont

from kiosk.badges.templates import PERSON_FIELDS, BadgeTemplate, Element
from kiosk.config import Settings

ELLIPSIS = "…"
STEP = 0.94  # each try is 6% smaller than the last
WRAP_BELOW = 0.72  # a single line smaller than this share of the full size wraps instead
QUIET_MODULES = 2
# Ideographs, kana and hangul may break anywhere; other scripts break at spaces.
TOKEN_RE = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]|\s+|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
)


@dataclass(frozen=True)
class Placed:
    """Where an element's ink went, in printer dots (left, top, right, bottom)."""

    element: Element
    box: tuple[int, int, int, int]
    ink: tuple[int, int, int, int] | None
    size_px: int = 0
    lines: tuple[str, ...] = ()


class _Blank(dict):
    def __missing__(self, key):
        return ""


def badge_data(person: dict, settings: Settings, code: str) -> dict:
    """The values a template may use, for a person (a row or dict) and their badge code."""
    category = settings.categories.get(person["category"])
    names = category.name if category else {}
    lang = person.get("language") or settings.default_language
    return {
        **{name: person.get(name) or "" for name in PERSON_FIELDS},
        "category_color": category.color if category else "#455A64",
        "category_name": names.get(lang, ""),
        "category_name_zh": names.get("zh", ""),
        "category_name_en": names.get("en", ""),
        "event_name": settings.event_name.get(lang, ""),
        "event_name_zh": settings.event_name.get("zh", ""),
        "event_name_en": settings.event_name.get("en", ""),
        "code": code,
    }


def _fill(text: str, data: dict) -> str:
    return " ".join(string.Formatter().vformat(text, (), _Blank(data)).split())


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def _wrap(text: str, font, width: float) -> list[str]:
    """Greedy line breaking: at spaces, anywhere between CJK characters, inside over-long words."""
    lines: list[str] = []
    current = ""
    for token in TOKEN_RE.findall(text):
        candidate = current + token
        if _width(font, candidate.strip()) <= width:
            current = candidate
            continue
        if current.strip():
            lines.append(current.strip())
        current = token.lstrip()
        while current and _width(font, current) > width:
            cut = len(current) - 1
            while cut > 1 and _width(font, current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.strip())
    return lines


def _ellipsise(line: str, font, width: float) -> str:
    while line and _width(font, line + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def _largest_single_line(text, font_file, sizes, w, h, line_height) -> int | None:
    """The largest size whose one line fits: widths scale with size, so estimate, then verify."""
    top = sizes[0]
    width = _width(font_file.at(top), text)
    estimate = top if width <= w else int(top * w / width)
    for size in (s for s in sizes if s <= estimate):
        if line_height(size) <= h and _width(font_file.at(size), text) <= w:
            return size
    return None


def fit_text(text: str, font_file, element: Element, tpl: BadgeTemplate) -> tuple[int, list[str]]:
    """The largest size (dots) and lines at which the text fits its box: shrink, then wrap."""
    w, h = tpl.px(element.w), tpl.px(element.h)
    top = max(1, round(element.size_pt / 72 * tpl.dpi))
    bottom = max(1, round(element.min_size_pt / 72 * tpl.dpi))
    sizes, size = [], top
    while size > bottom:
        sizes.append(size)
        size = int(size * STEP)
    sizes.append(bottom)

    def line_height(px: int) -> int:
        ascent, descent = font_file.at(px).getmetrics()
        return ascent + descent

    single = _largest_single_line(text, font_file, sizes, w, h, line_height)
    if single is not None and (single >= top * WRAP_BELOW or element.max_lines == 1):
        return single, [text]
    if element.max_lines > 1:
        candidates = [s for s in sizes if single is None or s > single]

        def wraps(size: int) -> list[str] | None:
            lines = _wrap(text, font_file.at(size), w)
            fits = len(lines) <= element.max_lines and line_height(size) * len(lines) <= h
            return lines if fits else None

        # Smaller sizes fit whenever larger ones do: search for the largest that fits.
        lo, hi, best = 0, len(candidates) - 1, None
        while lo <= hi:
            mid = (lo + hi) // 2
            lines = wraps(candidates[mid])
            if lines is not None:
                best, hi = (candidates[mid], lines), mid - 1
            else:
                lo = mid + 1
        if best is not None:
            return best
    if single is not None:
        return single, [text]
    # Even the smallest size does not fit: as many lines as the box holds, the last one cut.
    font = font_file.at(bottom)
    rows = max(1, min(element.max_lines, h // max(1, line_height(bottom))))
    lines = _wrap(text, font, w)
    if len(lines) > rows:
        lines = lines[: rows - 1] + [_ellipsise(lines[rows - 1], font, w)]
    return bottom, lines


def _color(value: str, data: dict) -> str:
    return data["category_color"] if value == "{category_color}" else value


_SCALED: dict[tuple[int, tuple[int, int]], Image.Image] = {}


def _scaled(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """A template's image fitted into its box, scaled once and kept."""
    key = (id(image), box)
    if key not in _SCALED:
        logo = image.copy()
        logo.thumbnail(box, Image.LANCZOS)
        _SCALED[key] = logo
    return _SCALED[key]


def _qr(text: str, size: int) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    module = max(1, size // (n + 2 * QUIET_MODULES))
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    side = module * (n + 2 * QUIET_MODULES)
    out = Image.new("L", (side, side), 255)
    out.paste(small.resize((n * module, n * module), Image.NEAREST), (module * QUIET_MODULES,) * 2)
    return out


def render(tpl: BadgeTemplate, data: dict) -> tuple[Image.Image, list[Placed]]:
    """Draw the badge; return the image and where each element landed."""
    image = Image.new("RGB", tpl.size_px, tpl.background)
    draw = ImageDraw.Draw(image)
    placed: list[Placed] = []
    for e in tpl.elements:
        box = (tpl.px(e.x), tpl.px(e.y), tpl.px(e.x + e.w), tpl.px(e.y + e.h))
        if e.type == "band":
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=_color(e.color, data))
            placed.append(Placed(e, box, box))
        elif e.type == "image":
            logo = _scaled(e.image, (box[2] - box[0], box[3] - box[1]))
            at = (
                box[0] + (box[2] - box[0] - logo.width) // 2,
                box[1] + (box[3] - box[1] - logo.height) // 2,
            )
            image.paste(logo, at, logo)
            placed.append(Placed(e, box, (*at, at[0] + logo.width, at[1] + logo.height)))
        elif e.type == "qr":
            value = _fill(e.text, data)
            if not value:
                continue
            code = _qr(value, box[2] - box[0])
            at = (
                box[0] + (box[2] - box[0] - code.width) // 2,
                box[1] + (box[3] - box[1] - code.height) // 2,
            )
            image.paste(code, at)
            placed.append(Placed(e, box, (*at, at[0] + code.width, at[1] + code.height)))
        else:
            placed.append(_text(draw, tpl, e, box, data))
    return image, placed


def _text(draw, tpl: BadgeTemplate, e: Element, box, data: dict) -> Placed:
    text = _fill(e.text, data)
    if not text:
        return Placed(e, box, None)
    font_file = tpl.fonts[e.font]
    size, lines = fit_text(text, font_file, e, tpl)
    font = font_file.at(size)
    ascent, descent = font.getmetrics()
    lh = ascent + descent
    y = box[1] + max(0, (box[3] - box[1] - lh * len(lines)) // 2)
    ink = None
    for line in lines:
        width = _width(font, line)
        if e.align == "center":
            x = box[0] + (box[2] - box[0] - width) / 2
        elif e.align == "right":
            x = box[2] - width
        else:
            x = box[0]
        draw.text((x, y), line, font=font, fill=_color(e.color, data), anchor="la")
        bbox = draw.textbbox((x, y), line, font=font, anchor="la")
        ink = (
            bbox
            if ink is None
            else (
                min(ink[0], bbox[0]),
                min(ink[1], bbox[1]),
                max(ink[2], bbox[2]),
                max(ink[3], bbox[3]),
            )
        )
        y += lh
    return Placed(e, box, ink, size, tuple(lines))


def png_bytes(image: Image.Image, dpi: int) -> bytes:
    """The badge as PNG, tagged with its resolution."""
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi), compress_level=1)
    return buf.getvalue()


def pdf_bytes(image: Image.Image, dpi: int) -> bytes:
    """The badge as a one-page PDF whose page is exactly the badge size (lossless image)."""
    # Pillow's PDF writer stores colour images as JPEG, which blurs the QR's edges.
    rgb = image.convert("RGB")
    width, height = rgb.size
    pixels = zlib.compress(rgb.tobytes(), 1)
    pw, ph = width * 72 / dpi, height * 72 / dpi
    content = f"q {pw:.3f} 0 0 {ph:.3f} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.3f} {ph:.3f}]"
        " /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height}"
        f" /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode"
        f" /Length {len(pixels)} >>\nstream\n".encode()
        + pixels
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
