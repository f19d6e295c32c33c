"""A person's e-badge: the QR code as a PNG and a one-page PDF in their language.

The PDF (reportlab) embeds Noto Sans CJK (Debian's fonts-noto-cjk), found with fontconfig like
the printed badge's fonts. That font has PostScript outlines and 65,000 glyphs, so a run first
cuts it down to the characters its people use and gives it TrueType outlines, once (seconds);
each PDF then embeds only its own few glyphs (milliseconds). Without a CJK font the PDFs fall back to a Latin font, and
`EBadges.warning` says so.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import io
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from kiosk.badges import fonts
from kiosk.config import ConfigError, Settings

rl_config.useA85 = 0  # binary streams: ASCII85 makes PDFs a quarter larger and slower
CJK_FAMILY = "Noto Sans CJK SC"
PAGE_MM = (105.0, 148.0)  # A6 portrait: a phone screen's proportions, or a badge pocket
QR_BOX = 12  # pixels per module: ~450 px for a badge code, sharp on a phone, 4+ px at a scanner
QR_BORDER = 4
SEPARATORS = " :·–-;,()/."

LABELS = {
    "zh": {
        "title": "电子胸卡",
        "show_code": "入场时请出示此二维码",
        "code": "胸卡码",
        "dates": "展期",
        "gates": "入口",
        "every_day": "每天",
        "to": "至",
    },
    "en": {
        "title": "E-badge",
        "show_code": "Show this QR code at the entrance",
        "code": "Badge code",
        "dates": "Dates",
        "gates": "Entrances",
        "every_day": "every day",
        "to": "to",
    },
}


def language_of(person, settings: Settings) -> str:
    """The person's language if the show speaks it, else the show's default."""
    lang = person["language"] or settings.default_language
    return lang if lang in settings.languages else settings.default_language


def labels(lang: str) -> dict[str, str]:
    """The fixed texts of an e-badge and a confirmation in one language (English otherwise)."""
    return LABELS.get(lang, LABELS["en"])


@functools.lru_cache(maxsize=4)
def _qr(code: str) -> qrcode.QRCode:
    """The code's QR symbol, made once for both its PNG and its PDF drawing."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX, border=QR_BORDER
    )
    qr.add_data(code)
    qr.make(fit=True)
    return qr


def qr_png(code: str) -> bytes:
    """The badge code as a QR PNG sized for phone screens and scanners."""
    qr = _qr(code)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def show_dates(settings: Settings, lang: str) -> str:
    """The show days as one line: first to last."""
    days = sorted(settings.days)
    if not days:
        return ""
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0].isoformat()} {labels(lang)['to']} {days[-1].isoformat()}"


def gate_lines(settings: Settings, lang: str, category: str) -> list[str]:
    """Each gate with its opening hours that apply to the person's category."""
    lines = []
    for gate in settings.gates.values():
        windows = []
        for rule in gate.rules:
            if rule.categories and category not in rule.categories:
                continue
            if rule.opens is None and rule.closes is None:
                continue
            hours = (
                f"{rule.opens.strftime('%H:%M') if rule.opens else ''}"
                f"–{rule.closes.strftime('%H:%M') if rule.closes else ''}"
            )
            when = (
                ", ".join(d.isoformat()[5:] for d in rule.days)
                if rule.days
                else labels(lang)["every_day"]
            )
            windows.append(f"{when} {hours}")
        name = gate.name.get(lang) or next(iter(gate.name.values()))
        lines.append(name + (f" ({'; '.join(windows)})" if windows else ""))
    return lines


def fixed_texts(settings: Settings) -> str:
    """Every character an e-badge may show apart from the person's own fields."""
    parts = [str(v) for table in LABELS.values() for v in table.values()]
    parts.append(SEPARATORS)
    for lang in settings.languages:
        parts += [settings.event_name.get(lang, ""), show_dates(settings, lang)]
        for category in settings.categories.values():
            parts.append(category.name.get(lang, ""))
            parts += gate_lines(settings, lang, category.id)
    return "".join(parts)


@dataclass(frozen=True)
class _Font:
    regular: str
    bold: str


def _find_cjk() -> tuple[fonts.FontFile, fonts.FontFile] | None:
    try:
        regular = fonts.resolve({"family": CJK_FAMILY, "style": "Regular"}, "e-badge font")
    except ConfigError:
        return None
    try:
        bold = fonts.resolve({"family": CJK_FAMILY, "style": "Bold"}, "e-badge font")
    except ConfigError:
        bold = regular
    return regular, bold


@functools.lru_cache(maxsize=1)
def _cache_dir() -> str:
    """A private folder for this process's cut fonts, removed when the process ends."""
    folder = tempfile.mkdtemp(prefix="kiosk-ebadge-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.lru_cache(maxsize=8)
def _cut_font(path: str, index: int, chars: str) -> str:
    """The font cut down to `chars`, with TrueType outlines, as a file (cached per process)."""
    from fontTools.ttLib import TTFont as SourceFont

    with SourceFont(path, fontNumber=index, lazy=True) as font:
        return _cut(font, path, index, chars, _cache_dir())


def _cut(font, path: str, index: int, chars: str, out_dir: str) -> str:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    options = subset.Options()
    options.layout_features = []
    options.desubroutinize = True
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    if "CFF " in font:  # PDF libraries embed TrueType outlines only
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = font.getGlyphOrder()
        glyf.glyphs = {}
        for name in glyf.glyphOrder:
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, 2.0, reverse_direction=True))
            glyf[name] = pen.glyph()
        del font["CFF "]
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        maxp = font["maxp"]
        maxp.tableVersion = 0x00010000
        for field in (
            "maxZones",
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
            "maxPoints",
            "maxContours",
            "maxCompositePoints",
            "maxCompositeContours",
            "maxComponentDepth",
        ):
            setattr(maxp, field, 0)
        maxp.maxZones = 1
        font["head"].glyphDataFormat = 0
        font.sfntVersion = "\x00\x01\x00\x00"
    font["post"].formatType = 3.0
    digest = hashlib.sha256(f"{path}:{index}:{chars}".encode()).hexdigest()[:16]
    target = Path(out_dir) / f"ebadge-{digest}.ttf"
    font.save(str(target))
    return str(target)


class EBadges:
    """Makes the PDF e-badges of one run; `prepare` first with every text the run will show."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.warning = ""
        self._expected: list[str] = []
        self._font: _Font | None = None
        self._found = _find_cjk()
        if self._found is None:
            self.warning = (
                f"no CJK font ({CJK_FAMILY}, Debian package fonts-noto-cjk) found:"
                " e-badges use a Latin font and show '?' for Chinese characters"
            )

    def prepare(self, texts: Iterable[str]) -> None:
        """Cut the font down to the characters of these texts and the fixed ones."""
        if self._found is None:
            return
        chars = set(fixed_texts(self.settings))
        chars.update(chr(c) for c in range(0x20, 0x7F))
        for text in texts:
            chars.update(text or "")
        charset = "".join(sorted(c for c in chars if c.isprintable()))
        regular, bold = self._found
        self._font = _Font(
            _cut_font(regular.path, regular.index, charset),
            _cut_font(bold.path, bold.index, charset),
        )

    def expect(self, texts: Iterable[str]) -> None:
        """Note the texts of the run; the font is cut for them when the first PDF is made."""
        self._expected = [t for t in texts if t]

    def close(self) -> None:
        """Let go of the run's fonts (the cut files stay cached until the process ends)."""
        self._font = None

    def _names(self) -> tuple[str, str]:
        if self._font is None:
            return "Helvetica", "Helvetica-Bold"
        return _registered(self._font.regular), _registered(self._font.bold)

    def _text(self, value: str) -> str:
        if self._font is not None:
            return value
        return (value or "").encode("latin-1", "replace").decode("latin-1")

    def pdf(self, person, code: str, qr: bytes | None = None) -> bytes:
        """The one-page PDF e-badge of a person (a row) with their live code; the QR is drawn
        as vector squares from the code (`qr` is accepted for callers that hold the PNG)."""
        if self._found is not None and self._font is None:
            self.prepare([*self._expected, person["full_name"], person["company"]])
        settings = self.settings
        lang = language_of(person, settings)
        words = labels(lang)
        category = settings.categories.get(person["category"])
        color = HexColor(category.color if category else "#455A64")
        regular, bold = self._names()
        text = self._text
        width, height = PAGE_MM[0] * mm, PAGE_MM[1] * mm
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
        page.setTitle(f"{settings.event_name.get(lang, '')} {words['title']}")
        page.setCreator("trade-show-kiosk")
        inner = width - 12 * mm

        def line(value: str, font: str, largest: float, least: float, top_mm: float, center=True):
            size = _fit(value, font, largest, least, inner)
            page.setFont(font, size)
            y = height - top_mm * mm - size
            if center:
                page.drawCentredString(width / 2, y, value)
            else:
                page.drawString(6 * mm, y, value)
            return size

        # The category band: colour, show name, category.
        page.setFillColor(color)
        page.rect(0, height - 24 * mm, width, 24 * mm, stroke=0, fill=1)
        page.setFillColorRGB(1, 1, 1)
        line(text(settings.event_name.get(lang, "")), regular, 10, 6, 4.5, center=False)
        line(text(category.name.get(lang, "") if category else ""), bold, 18, 10, 12, False)
        # Name (shrunk, then wrapped; a CJK name is never split) and company.
        page.setFillColorRGB(0, 0, 0)
        name = text(person["full_name"])
        if pdfmetrics.stringWidth(name, bold, 16) <= inner:
            line(name, bold, 26, 16, 29)
        else:
            page.setFont(bold, 16)
            for n, part in enumerate(_wrap(name, bold, 16, inner)[:3]):
                page.drawCentredString(width / 2, height - (33 + 7 * n) * mm, part)
        company = text(person["company"] or "")
        if company:
            line(company, regular, 13, 8, 43)
        # The QR code, large, drawn as squares; the code under it for typing.
        _draw_qr(page, code, (width - 58 * mm) / 2, height - 109 * mm, 58 * mm)
        page.setFont(regular, 7)
        page.drawCentredString(width / 2, height - 112 * mm, f"{text(words['code'])}: {code}")
        page.setFont(bold, 9)
        page.drawCentredString(width / 2, height - 118 * mm, text(words["show_code"]))
        # Dates, gates and their hours.
        page.setStrokeColor(color)
        page.line(6 * mm, height - 121 * mm, width - 6 * mm, height - 121 * mm)
        page.setFillColorRGB(0.1, 0.1, 0.1)
        page.setFont(regular, 8)
        rows = [f"{words['dates']}: {show_dates(settings, lang)}"]
        rows += _wrap(
            f"{words['gates']}: " + " · ".join(gate_lines(settings, lang, person["category"])),
            regular,
            8,
            inner,
        )
        for n, row in enumerate(rows[:5]):
            page.drawString(6 * mm, height - (126 + 4 * n) * mm, text(row))
        page.showPage()
        page.save()
        return out.getvalue()


@functools.lru_cache(maxsize=16)
def _registered(path: str) -> str:
    """The reportlab name of a cut font, registered once per process."""
    name = "ebadge-" + Path(path).stem.rpartition("-")[2]
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def _fit(value: str, font: str, largest: float, least: float, width: float) -> float:
    size = largest
    while size > least and pdfmetrics.stringWidth(value, font, size) > width:
        size -= 1
    return size


def _wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines: at spaces, or between any two CJK characters."""
    lines, current = [], ""
    for token in re.findall(
        r"[\u2e80-\u9fff\uf900-\ufaff]|\s+|[^\s\u2e80-\u9fff\uf900-\ufaff]+", value
    ):
        if pdfmetrics.stringWidth((current + token).strip(), font, size) <= width or not current:
            current += token
        else:
            lines.append(current.strip())
            current = token.lstrip()
    if current.strip():
        lines.append(current.strip())
    return lines


def _draw_qr(page, code: str, x: float, y: float, side: float) -> None:
    """The code's QR modules as filled squares (crisp at any zoom), quiet zone included."""
    matrix = _qr(code).get_matrix()  # border included
    cell = side / len(matrix)
    page.setFillColorRGB(0, 0, 0)
    path = page.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            path.rect(x + start * cell, y + side - (r + 1) * cell, (c - start) * cell, cell)
    page.drawPath(path, stroke=0, fill=1)
