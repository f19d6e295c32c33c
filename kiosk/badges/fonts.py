"""Finding fonts: a file path, or a family and style looked up with fontconfig."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.config import ConfigError

# A code point no font draws: what a font's empty "tofu" box looks like.
MISSING = "\U0010fffd"


class FontMissing(ConfigError):
    """A font a layout names is not on this machine: badges cannot print, check-ins go on."""


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0

    def at(self, size_px: int) -> ImageFont.FreeTypeFont:
        """This font at a pixel size (cached)."""
        return _load(self.path, self.index, max(1, int(size_px)))


@functools.lru_cache(maxsize=512)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def resolve(spec, where: str) -> FontFile:
    """A template's font entry ({family, style} or {file, index} or a path) as a font file."""
    if isinstance(spec, str):
        spec = (
            {"file": spec}
            if ("/" in spec or spec.lower().endswith((".ttf", ".otf", ".ttc")))
            else {"family": spec}
        )
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected {{ family = ..., style = ... }} or {{ file = ... }}")
    if "file" in spec:
        path = Path(str(spec["file"])).expanduser()
        if not path.is_file():
            raise FontMissing(f"{where}.file: font file '{path}' not found")
        font = FontFile(str(path), int(spec.get("index", 0)))
    elif "family" in spec:
        font = _fontconfig(str(spec["family"]), str(spec.get("style", "")), where)
    else:
        raise ConfigError(f"{where}: needs family or file")
    try:
        font.at(24)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot open font '{font.path}': {exc}") from exc
    return font


@functools.lru_cache(maxsize=64)
def _fontconfig(family: str, style: str, where: str) -> FontFile:
    if shutil.which("fc-match") is None:
        raise FontMissing(
            f"{where}: fontconfig (fc-match) is not installed; give a font file instead"
        )
    pattern = family + (f":style={style}" if style else "")
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\t%{index}\t%{family}", pattern],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout
    parts = out.split("\t")
    # fc-match always answers with its best guess; only an exact family counts as found.
    families = [f.strip().lower() for f in parts[2].split(",")] if len(parts) == 3 else []
    if family.lower() not in families:
        offered = parts[2] if len(parts) == 3 else "nothing"
        raise FontMissing(
            f"{where}: font family '{family}' is not installed (fontconfig offers {offered})"
        )
    return FontFile(parts[0], int(parts[1] or 0))


def glyph_image(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    """The pixels of one character drawn alone (for comparing glyphs)."""
    size = int(font.size * 1.5)
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).text((size // 6, size // 6), char, font=font, fill=255)
    return image.tobytes()


@functools.lru_cache(maxsize=256)
def glyph_missing(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """True when the font draws the character as its empty box (or nothing at all)."""
    drawn = glyph_image(font, char)
    return drawn == glyph_image(font, MISSING) or not any(drawn)
