"""Small inline SVG charts drawn in Python, so the report needs no script and no network."""

from __future__ import annotations

from html import escape

INK = "#263238"
MUTED = "#78909C"
GRID = "#ECEFF1"
PALETTE = ("#1565C0", "#2E7D32", "#C62828", "#EF6C00", "#6A1B9A", "#00838F", "#B8860B", "#37474F")


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _short(label: str, size: int = 18) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _nice(top: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above top."""
    if top <= 4:
        return 4
    power = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= top:
            return step * power
    return 10 * power


def hbars(
    items: list[tuple[str, float]], *, color: str | tuple = PALETTE[0], width: int = 560
) -> str:
    """Horizontal bars with their label on the left and their value at the end."""
    if not items:
        return '<p class="empty">No data yet.</p>'
    label_w, row_h, pad = 170, 30, 60
    top = max(v for _, v in items) or 1
    height = row_h * len(items) + 10
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="chart hbars">']
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        bar = (width - label_w - pad) * value / top
        colour = color if isinstance(color, str) else color[i % len(color)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="14"'
            f' fill="{INK}">{escape(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" rx="4"'
            f' fill="{colour}"><title>{escape(label)}: {_num(value)}</title></rect>'
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 19}" font-size="13"'
            f' fill="{MUTED}">{_num(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(
    items: list[tuple[str, float]], *, color: str = PALETTE[0], width: int = 900, height: int = 240
) -> str:
    """Vertical columns with a light grid; labels thinned out when there are many."""
    if not items:
        return '<p class="empty">No data yet.</p>'
    left, bottom, top_pad = 44, 34, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _nice(max(v for _, v in items))
    step = plot_w / len(items)
    every = max(1, round(len(items) / 16))
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="chart cols">']
    for frac in (0.25, 0.5, 0.75, 1.0):
        y = top_pad + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11"'
            f' fill="{MUTED}">{_num(top * frac)}</text>'
        )
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step
        parts.append(
            f'<rect x="{x + step * 0.12:.1f}" y="{top_pad + plot_h - h:.1f}"'
            f' width="{step * 0.76:.1f}" height="{h:.1f}" rx="2" fill="{color}">'
            f"<title>{escape(label)}: {_num(value)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle"'
                f' font-size="11" fill="{MUTED}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def heatmap(rows: list[str], cols: list[str], values: dict[tuple[str, str], float]) -> str:
    """A day-by-hour grid whose cells darken with the count."""
    if not rows or not cols:
        return '<p class="empty">No check-ins yet.</p>'
    cell, left, top_pad = 40, 96, 22
    width, height = left + cell * len(cols) + 4, top_pad + cell * len(rows) + 4
    top = max(values.values()) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width:{width * 1.5:.0f}px"'
        ' role="img" class="chart heat">'
    ]
    for j, col in enumerate(cols):
        parts.append(
            f'<text x="{left + j * cell + cell / 2}" y="15" text-anchor="middle" font-size="11"'
            f' fill="{MUTED}">{escape(col)}</text>'
        )
    for i, row in enumerate(rows):
        y = top_pad + i * cell
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 4}" text-anchor="end" font-size="12"'
            f' fill="{INK}">{escape(row)}</text>'
        )
        for j, col in enumerate(cols):
            value = values.get((row, col), 0)
            alpha = 0.06 + 0.94 * value / top if value else 0.03
            parts.append(
                f'<rect x="{left + j * cell + 1}" y="{y + 1}" width="{cell - 2}"'
                f' height="{cell - 2}" rx="3" fill="{PALETTE[0]}" fill-opacity="{alpha:.2f}">'
                f"<title>{escape(row)} {escape(col)}:00 — {_num(value)}</title></rect>"
            )
            if value:
                shade = "#fff" if alpha > 0.55 else INK
                parts.append(
                    f'<text x="{left + j * cell + cell / 2}" y="{y + cell / 2 + 4}"'
                    f' text-anchor="middle" font-size="10" fill="{shade}">{_num(value)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def donut(
    items: list[tuple[str, float]], *, size: int = 220, colors: tuple[str, ...] = PALETTE
) -> str:
    """A ring split by share, with a legend beside it (item i in colors[i], when given)."""
    total = sum(v for _, v in items)
    if not total:
        return '<p class="empty">No data yet.</p>'
    r, stroke = 70, 34
    circumference = 2 * 3.14159265 * r
    c = size / 2
    parts = [f'<svg viewBox="0 0 {size + 290} {size}" width="100%" role="img" class="chart donut">']
    offset = 0.0
    for i, (label, value) in enumerate(items):
        length = circumference * value / total
        parts.append(
            f'<circle cx="{c}" cy="{c}" r="{r}" fill="none" stroke="{colors[i % len(colors)]}"'
            f' stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference:.2f}"'
            f' stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {c} {c})">'
            f"<title>{escape(label)}: {_num(value)}</title></circle>"
        )
        offset += length
        y = 40 + i * 28
        share = 100 * value / total
        parts.append(
            f'<rect x="{size + 14}" y="{y - 12}" width="16" height="16" rx="3"'
            f' fill="{colors[i % len(colors)]}"/>'
            f'<text x="{size + 38}" y="{y + 1}" font-size="14" fill="{INK}">{escape(label)}'
            f" — {_num(value)} ({share:.0f}%)</text>"
        )
    parts.append(
        f'<text x="{c}" y="{c + 8}" text-anchor="middle" font-size="24" font-weight="600"'
        f' fill="{INK}">{_num(total)}</text></svg>'
    )
    return "".join(parts)
