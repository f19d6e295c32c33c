"""A person's e-badge: the QR code as a PNG and a one-page PDF in their language.

The PDF embeds Noto Sans CJK (Debian's fonts-noto-cjk), found with fontconfig like the printed
badge's fonts. Embedding that font as it is costs about a second a PDF, so a run first cuts it
down to the characters its people use and gives it TrueType outlines, once; each PDF then
embeds only its own few glyphs. Without a CJK font the PDFs fall back to a Latin font, and
`EBadges.warning` says so.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import io
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import qrcode
from fpdf import FPDF

from kiosk.badges import fonts
from kiosk.config import ConfigError, Settings

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


def qr_png(code: str) -> bytes:
    """The badge code as a QR PNG sized for phone screens and scanners."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX, border=QR_BORDER
    )
    qr.add_data(code)
    qr.make(fit=True)
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
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
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
    if "CFF " in font:  # quadratic outlines: fpdf2 embeds TrueType glyphs far faster
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

    def _text(self, value: str) -> str:
        if self._found is not None:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def _set(self, pdf: FPDF, bold: bool, size: float) -> None:
        if self._font is None:
            pdf.set_font("helvetica", "B" if bold else "", size)
        else:
            pdf.set_font("ebadge-bold" if bold else "ebadge", size=size)

    def _fit(self, pdf: FPDF, text: str, bold: bool, largest: float, least: float, width: float):
        size = largest
        self._set(pdf, bold, size)
        while size > least and pdf.get_string_width(text) > width:
            size -= 1
            self._set(pdf, bold, size)
        return size

    def pdf(self, person, code: str, qr: bytes) -> bytes:
        """The one-page PDF e-badge of a person (a row) with their live code and its QR PNG."""
        if self._found is not None and self._font is None:
            self.prepare([*self._expected, person["full_name"], person["company"]])
        settings = self.settings
        lang = language_of(person, settings)
        words = labels(lang)
        category = settings.categories.get(person["category"])
        color = category.color if category else "#455A64"
        rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        width, height = PAGE_MM
        pdf = FPDF(unit="mm", format=PAGE_MM)
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.set_title(f"{settings.event_name.get(lang, '')} {words['title']}")
        pdf.set_creator("trade-show-kiosk")
        if self._font is not None:
            pdf.add_font("ebadge", fname=self._font.regular)
            pdf.add_font("ebadge-bold", fname=self._font.bold)
        pdf.add_page()
        text = self._text
        # The category band: colour, category, show name.
        pdf.set_fill_color(*rgb)
        pdf.rect(0, 0, width, 24, style="F")
        pdf.set_text_color(255, 255, 255)
        self._fit(pdf, text(settings.event_name.get(lang, "")), False, 10, 6, width - 12)
        pdf.set_xy(6, 4)
        pdf.cell(width - 12, 6, text(settings.event_name.get(lang, "")))
        self._fit(pdf, text(category.name.get(lang, "") if category else ""), True, 18, 10, 93)
        pdf.set_xy(6, 11)
        pdf.cell(width - 12, 10, text(category.name.get(lang, "") if category else ""))
        # Name and company, shrunk to fit (a CJK name is never split).
        pdf.set_text_color(0, 0, 0)
        name = text(person["full_name"])
        size = self._fit(pdf, name, True, 26, 12, width - 12)
        pdf.set_xy(6, 28)
        if pdf.get_string_width(name) > width - 12:
            pdf.multi_cell(width - 12, size * 0.42, name, align="C", max_line_height=size * 0.42)
        else:
            pdf.cell(width - 12, 12, name, align="C")
        company = text(person["company"] or "")
        if company:
            self._fit(pdf, company, False, 13, 8, width - 12)
            pdf.set_xy(6, 42)
            pdf.cell(width - 12, 7, company, align="C")
        # The QR code, large, and the code under it for typing.
        side = 58
        pdf.image(io.BytesIO(qr), x=(width - side) / 2, y=51, w=side, h=side)
        self._set(pdf, False, 7)
        pdf.set_xy(6, 109)
        pdf.cell(width - 12, 4, f"{text(words['code'])}: {code}", align="C")
        self._set(pdf, True, 9)
        pdf.set_xy(6, 114)
        pdf.cell(width - 12, 5, text(words["show_code"]), align="C")
        # Dates, gates and their hours.
        pdf.set_draw_color(*rgb)
        pdf.line(6, 121, width - 6, 121)
        self._set(pdf, False, 8)
        pdf.set_xy(6, 123)
        lines = [f"{words['dates']}: {show_dates(settings, lang)}"]
        lines.append(
            f"{words['gates']}: " + " · ".join(gate_lines(settings, lang, person["category"]))
        )
        pdf.multi_cell(width - 12, 4, text("\n".join(lines)), align="L")
        return bytes(pdf.output())
