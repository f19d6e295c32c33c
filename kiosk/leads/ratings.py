"""How a lead's rating looks everywhere (booth page, console, post-show report): one palette.

Each colour carries white text at a contrast of 4.5:1 or more (WCAG AA), so a chip reads on any
screen; a page takes them as CSS variables (`--rating-hot`...), the report as SVG fills.
"""

from __future__ import annotations

COLOURS: dict[str, str] = {
    "hot": "#C62828",  # red: act first
    "warm": "#B45309",  # amber
    "cold": "#1565C0",  # blue
    "": "#78909C",  # not rated: grey
}
NAMES: dict[str, dict[str, str]] = {
    "hot": {"zh": "热", "en": "Hot"},
    "warm": {"zh": "温", "en": "Warm"},
    "cold": {"zh": "冷", "en": "Cold"},
    "": {"zh": "未评级", "en": "Not rated"},
}


def css_variables() -> str:
    """The palette as CSS custom properties on :root (`--rating-hot`, `--rating-none`...)."""
    pairs = "".join(f"--rating-{key or 'none'}:{colour};" for key, colour in COLOURS.items())
    return ":root{" + pairs + "}"
