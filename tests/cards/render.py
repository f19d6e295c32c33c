"""Cards drawn with Pillow in many layouts, then photographed: a table or a hand behind, tilted,
turned, blurred, lit unevenly and saved as a phone would (JPEG).

Fonts come from Debian packages: fonts-noto-cjk for Chinese, fonts-dejavu and fonts-liberation
for Latin text.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

NOTO = "/usr/share/fonts/opentype/noto"
CJK_FONTS = [
    (f"{NOTO}/NotoSansCJK-Regular.ttc", 2),
    (f"{NOTO}/NotoSansCJK-Bold.ttc", 2),
    (f"{NOTO}/NotoSerifCJK-Regular.ttc", 2),
    (f"{NOTO}/NotoSerifCJK-Bold.ttc", 2),
]
LATIN_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
]
LAYOUTS = ["left", "centered", "two_column", "right_block", "band", "dark", "portrait", "inline"]
INK = [(20, 20, 20), (45, 45, 50), (20, 35, 80), (25, 60, 40), (90, 20, 30), (60, 60, 60)]
ACCENTS = [(200, 30, 40), (0, 90, 170), (0, 130, 90), (230, 120, 0), (110, 40, 140), (20, 20, 20)]
PAPER = [(255, 255, 255), (250, 248, 240), (244, 244, 244), (236, 243, 250), (255, 252, 235)]
DARK = [
    ((20, 30, 60), (240, 240, 240)),
    ((25, 25, 25), (230, 200, 120)),
    ((0, 70, 70), (255, 255, 255)),
]


def missing_fonts() -> list[str]:
    """The font files the card set needs and this machine lacks."""
    return [p for p in [f for f, _ in CJK_FONTS] + LATIN_FONTS if not Path(p).is_file()]


@dataclass
class Style:
    """How one card looks: fonts, colours, layout."""

    layout: str
    cjk: tuple[str, int]
    cjk_bold: tuple[str, int]
    latin: str
    latin_bold: str
    ink: tuple[int, int, int]
    accent: tuple[int, int, int]
    paper: tuple[int, int, int]


def style(rng: random.Random, layout: str) -> Style:
    """A random look for a card of the given layout."""
    serif = rng.random() < 0.3
    cjk = CJK_FONTS[2] if serif else CJK_FONTS[0]
    cjk_bold = CJK_FONTS[3] if serif else CJK_FONTS[1]
    latin = rng.choice(LATIN_FONTS)
    bold = latin.replace("-Regular", "-Bold").replace("Sans.ttf", "Sans-Bold.ttf")
    latin_bold = bold if Path(bold).is_file() else latin
    ink, accent, paper = rng.choice(INK), rng.choice(ACCENTS), rng.choice(PAPER)
    if layout == "dark":
        paper, ink = rng.choice(DARK)
        accent = ink
    return Style(layout, cjk, cjk_bold, latin, latin_bold, ink, accent, paper)


_font_cache: dict = {}


def font(st: Style, text: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The card's font for a text (a CJK font when it holds Chinese) at a size."""
    han = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    if han:
        path, index = st.cjk_bold if bold else st.cjk
    else:
        path, index = (st.latin_bold if bold else st.latin), 0
    key = (path, index, size)
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(path, size, index=index)
    return _font_cache[key]


class Card:
    """A blank card being drawn on, with helpers that keep text inside it."""

    def __init__(self, st: Style, width: int, height: int):
        self.st = st
        self.w, self.h = width, height
        self.image = Image.new("RGB", (width, height), st.paper)
        self.draw = ImageDraw.Draw(self.image)
        self.unit = min(width, height) / 600

    def text(self, xy, text, size, *, fill=None, bold=False, anchor="la", max_width=None):
        """Draw text, shrunk until it fits max_width; return its bottom y."""
        size = max(8, round(size * self.unit))
        max_width = max_width or self.w * 0.9
        f = font(self.st, text, size, bold)
        while f.getlength(text) > max_width and size > 10:
            size -= 1
            f = font(self.st, text, size, bold)
        self.draw.text(xy, text, font=f, fill=fill or self.st.ink, anchor=anchor)
        return xy[1] + size * 1.3

    def logo(self, rng: random.Random, x, y, size, letters: str):
        """A simple logo: a shape in the accent colour with letters in it."""
        s = size * self.unit
        box = [x, y, x + s, y + s]
        kind = rng.choice(["circle", "square", "diamond", "triangle", "ring"])
        colour = self.st.accent
        if kind == "circle":
            self.draw.ellipse(box, fill=colour)
        elif kind == "ring":
            self.draw.ellipse(box, outline=colour, width=max(2, round(s / 10)))
        elif kind == "square":
            self.draw.rounded_rectangle(box, radius=s / 5, fill=colour)
        elif kind == "diamond":
            self.draw.polygon(
                [(x + s / 2, y), (x + s, y + s / 2), (x + s / 2, y + s), (x, y + s / 2)],
                fill=colour,
            )
        else:
            self.draw.polygon([(x + s / 2, y), (x + s, y + s), (x, y + s)], fill=colour)
        if kind != "triangle" and letters:
            inner = self.st.paper if kind != "ring" else colour
            f = font(self.st, letters, max(8, round(s * 0.38)), bold=True)
            self.draw.text((x + s / 2, y + s / 2), letters, font=f, fill=inner, anchor="mm")


def _contact_lines(rng: random.Random, info: dict, lang: str) -> list[str]:
    """The contact lines as printed: phones (labelled, sometimes two on a line), e-mail, web."""
    zh = lang == "zh"
    labels = {
        "mobile": rng.choice(
            ["手机：", "手机 ", "M: ", "Mobile: "] if zh else ["Mobile: ", "M: ", "Cell: ", "M "]
        ),
        "office": rng.choice(
            ["电话：", "Tel: ", "T: ", "电话 "]
            if zh
            else ["Tel: ", "T: ", "Phone: ", "Office: ", "T "]
        ),
        "fax": rng.choice(["传真：", "Fax: ", "F: "] if zh else ["Fax: ", "F: "]),
    }
    if zh and rng.random() < 0.25:
        labels["mobile"] = ""  # a Chinese mobile number needs no label to be known as one
    phones = [(labels[kind], printed) for kind, (printed, _) in info["phones"]]
    lines = []
    if len(phones) >= 2 and rng.random() < 0.3 and phones[0][0] and phones[1][0]:
        lines.append(f"{phones[0][0]}{phones[0][1]}   {phones[1][0]}{phones[1][1]}")
        phones = phones[2:]
    lines += [f"{label}{printed}" for label, printed in phones]
    email_label = rng.choice(
        ["邮箱：", "E-mail: ", "E: ", ""] if zh else ["E-mail: ", "Email: ", "E: ", ""]
    )
    lines.append(email_label + info["email"])
    if info["website"]:
        web_label = rng.choice(["网址：", "Web: ", ""] if zh else ["Web: ", "", "W: "])
        lines.append(
            web_label
            + rng.choice(["", "http://", "https://"] if web_label == "" else [""])
            + info["website"]
        )
    return lines


def _address_lines(rng: random.Random, address: str, lang: str, max_chars: int) -> list[str]:
    label = rng.choice(["地址：", ""] if lang == "zh" else ["", "Address: ", "A: "])
    text = label + address
    if len(text) <= max_chars:
        return [text]
    if lang == "zh":
        return [text[:max_chars], text[max_chars:]]
    words, lines, current = text.split(" "), [], ""
    for word in words:
        if current and len(current) + len(word) + 1 > max_chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]


def draw_side(
    rng: random.Random, info: dict, lang: str, layout: str, both: bool = False
) -> Image.Image:
    """One side of a card in a language (zh or en), or both languages on one side."""
    st = style(rng, layout)
    portrait = layout == "portrait"
    long = rng.choice([1000, 1100, 1200, 1300])
    w, h = (round(long * 0.6), long) if portrait else (long, round(long * 0.6))
    card = Card(st, w, h)
    main = lang if lang in info["name"] else "en"
    name = info["name"][main]
    title = info["title"][main]
    company = info["company"][main]
    second = "en" if both else None
    letters = "".join(word[0] for word in info["company"].get("en", company).split()[:2]).upper()
    contacts = _contact_lines(rng, info, main)
    dept = info["department"][main] if rng.random() < 0.2 else None
    name_size = rng.randrange(44, 62) if main == "zh" else rng.randrange(38, 50)
    small = rng.randrange(21, 26)
    addr_chars = (24 if main == "zh" else 44) if not portrait else (16 if main == "zh" else 30)
    address = _address_lines(rng, info["address"][main], main, addr_chars)
    u = card.unit
    margin = rng.randrange(40, 70) * u

    def identity(x, y, anchor="la", max_width=None):
        if layout == "inline":
            sep = rng.choice(["  |  ", "   ", " · "])
            y = card.text(
                (x, y),
                f"{name}{sep}{title}",
                name_size * 0.8,
                bold=True,
                anchor=anchor,
                max_width=max_width,
            )
        else:
            y = card.text(
                (x, y),
                name,
                name_size,
                bold=True,
                fill=st.accent if rng.random() < 0.4 else st.ink,
                anchor=anchor,
                max_width=max_width,
            )
            if second:
                y = card.text(
                    (x, y),
                    info["name"][second],
                    name_size * 0.5,
                    anchor=anchor,
                    max_width=max_width,
                )
            y = card.text((x, y + 4 * u), title, small + 3, anchor=anchor, max_width=max_width)
        if second and layout != "inline":
            y = card.text((x, y), info["title"][second], small, anchor=anchor, max_width=max_width)
        if dept:
            y = card.text((x, y), dept, small - 2, anchor=anchor, max_width=max_width)
        return y

    def company_block(x, y, anchor="la", max_width=None, fill=None):
        y = card.text(
            (x, y),
            company,
            small + 7,
            bold=True,
            fill=fill or st.accent,
            anchor=anchor,
            max_width=max_width,
        )
        if second:
            y = card.text(
                (x, y),
                info["company"][second],
                small - 2,
                fill=fill,
                anchor=anchor,
                max_width=max_width,
            )
        return y

    def contact_block(x, y, anchor="la", max_width=None, size=small):
        for line in contacts + address:
            y = card.text((x, y), line, size, anchor=anchor, max_width=max_width)
        return y

    if layout in ("left", "dark", "inline"):
        card.logo(rng, margin, margin, 70, letters)
        y = company_block(margin + 90 * u, margin + 8 * u, max_width=w - margin * 2 - 90 * u)
        y = identity(margin, max(y, margin + 80 * u) + 30 * u)
        contact_block(margin, y + 20 * u, size=small - 1)
    elif layout == "centered":
        cx = w / 2
        card.logo(rng, cx - 35 * u, margin * 0.6, 60, letters)
        y = company_block(cx, margin * 0.6 + 70 * u, anchor="ma")
        y = identity(cx, y + 25 * u, anchor="ma")
        contact_block(cx, y + 18 * u, anchor="ma", size=small - 2)
    elif layout == "two_column":
        col = w * rng.choice([0.45, 0.5])
        card.logo(rng, margin, margin, 60, letters)
        y = company_block(margin, margin + 75 * u, max_width=col - margin)
        identity(margin, y + 40 * u, max_width=col - margin)
        card.draw.line(
            [(col, margin), (col, h - margin)], fill=st.accent, width=max(1, round(2 * u))
        )
        x = col + 25 * u
        size = small - 2
        total = (len(contacts) + len(address)) * size * 1.3 * u
        contact_block(x, max(margin, (h - total) / 2), max_width=w - x - margin * 0.5, size=size)
    elif layout == "right_block":
        card.logo(rng, margin, h / 2 - 70 * u, 140, letters)
        x = w - margin
        y = company_block(x, margin, anchor="ra", max_width=w * 0.6)
        y = identity(x, y + 25 * u, anchor="ra", max_width=w * 0.6)
        contact_block(x, y + 15 * u, anchor="ra", max_width=w * 0.62, size=small - 2)
    elif layout == "band":
        band = 150 * u
        card.draw.rectangle([0, 0, w, band], fill=st.accent)
        card.logo_fill = st.paper
        company_block(margin, band / 2 - 22 * u, fill=st.paper, max_width=w - 2 * margin)
        y = identity(margin, band + 25 * u)
        contact_block(margin, y + 15 * u, size=small - 1)
    elif layout == "portrait":
        cx = w / 2
        card.logo(rng, cx - 40 * u, margin, 80, letters)
        y = identity(cx, margin + 110 * u, anchor="ma", max_width=w * 0.85)
        y = company_block(cx, y + 25 * u, anchor="ma", max_width=w * 0.85)
        contact_block(cx, y + 35 * u, anchor="ma", max_width=w * 0.9, size=small - 1)
    return card.image


def _background(rng: random.Random, width: int, height: int) -> np.ndarray:
    # Drawn at a quarter of the size, then enlarged: a table needs no more detail.
    w, h = width // 4, height // 4
    kind = rng.choice(["wood", "desk", "cloth", "light", "checks"])
    nrng = np.random.default_rng(rng.randrange(2**32))
    if kind == "wood":
        base = np.array([40, 80, 130], dtype=np.float32)  # BGR brown
        stripes = np.sin(np.linspace(0, rng.uniform(20, 60), h))[:, None] * 18
        grain = cv2.resize(
            nrng.normal(0, 12, (max(1, h // 2), max(1, w // 10))).astype(np.float32), (w, h)
        )
        img = base[None, None, :] + (stripes + grain)[:, :, None]
    elif kind == "desk":
        g = rng.uniform(70, 160)
        img = np.full((h, w, 3), g, np.float32) + nrng.normal(0, 4, (h, w, 1))
    elif kind == "cloth":
        img = np.array([90, 40, 20], np.float32)[None, None, :] + nrng.normal(0, 10, (h, w, 1))
    elif kind == "light":
        img = np.full((h, w, 3), rng.uniform(185, 215), np.float32) + nrng.normal(0, 3, (h, w, 1))
    else:
        cell = rng.randrange(10, 23)
        yy, xx = np.mgrid[0:h, 0:w]
        check = ((yy // cell + xx // cell) % 2).astype(np.float32)
        img = np.array([60, 60, 160], np.float32)[None, None, :] * (0.6 + 0.4 * check[:, :, None])
    return cv2.resize(np.clip(img, 0, 255).astype(np.uint8), (width, height))


def _hand(rng: random.Random, img: np.ndarray, quad: np.ndarray) -> None:
    """A thumb and palm holding the card by one edge, the thumb over the card's margin only (a
    thumb over the text would hide what no reader can know)."""
    skin = (rng.randrange(120, 170), rng.randrange(150, 190), rng.randrange(190, 230))
    i = rng.choice([0, 1, 2, 3])
    a, b = quad[i], quad[(i + 1) % 4]
    centre = quad.mean(axis=0)
    t = rng.uniform(0.35, 0.65)
    edge = a + (b - a) * t
    outward = edge - centre
    outward /= np.linalg.norm(outward) + 1e-6
    size = np.linalg.norm(b - a) * 0.08
    palm = edge + outward * size * 3.0
    cv2.ellipse(
        img,
        (int(palm[0]), int(palm[1])),
        (int(size * 2.2), int(size * 1.6)),
        math.degrees(math.atan2(outward[1], outward[0])),
        0,
        360,
        skin,
        -1,
        cv2.LINE_AA,
    )
    thumb = edge - outward * size * 0.35
    cv2.ellipse(
        img,
        (int(thumb[0]), int(thumb[1])),
        (int(size * 0.55), int(size * 0.4)),
        math.degrees(math.atan2(outward[1], outward[0])),
        0,
        360,
        skin,
        -1,
        cv2.LINE_AA,
    )
    cv2.line(
        img,
        tuple(int(v) for v in thumb),
        tuple(int(v) for v in palm),
        skin,
        int(size * 0.8),
        cv2.LINE_AA,
    )


def photograph(
    rng: random.Random, card: Image.Image, *, hand: bool | None = None, angle: float | None = None
) -> tuple[bytes, dict]:
    """The card as a phone photo of it on a table: JPEG bytes and what was done to it (a hand
    and the card's turn are random unless given)."""
    src = cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR)
    ch, cw = src.shape[:2]
    portrait = ch > cw
    long = rng.choice([1280, 1600, 1600, 1600, 2000, 2000, 2400, 3000])
    W, H = (round(long * 0.75), long) if portrait else (long, round(long * 0.75))
    img = _background(rng, W, H)
    turn = rng.uniform(-15, 15)
    angle = turn if angle is None else angle
    fill = rng.uniform(0.55, 0.82)
    scale = fill * min(W / cw, H / ch)
    half = np.array([[-cw, -ch], [cw, -ch], [cw, ch], [-cw, ch]], np.float32) * scale / 2
    rad = math.radians(angle)
    rot = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]], np.float32)
    quad = half @ rot.T
    jitter = cw * scale * 0.04
    quad += np.array(
        [[rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter)] for _ in range(4)], np.float32
    )
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    # The whole card stays in the photo.
    shrink = min(1.0, 0.96 * W / (hi - lo)[0], 0.96 * H / (hi - lo)[1])
    quad = (quad - (lo + hi) / 2) * shrink + (lo + hi) / 2
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    room = np.array([W, H], np.float32) - (hi - lo)
    offset = -lo + np.array(
        [rng.uniform(0.2, 0.8) * max(room[0], 0), rng.uniform(0.2, 0.8) * max(room[1], 0)],
        np.float32,
    )
    quad = quad + offset
    src_pts = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    matrix = cv2.getPerspectiveTransform(src_pts, quad.astype(np.float32))
    # A soft shadow under the card.
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, (W, H))
    small = cv2.resize(mask, (W // 4, H // 4), interpolation=cv2.INTER_AREA)
    shift = np.float32([[1, 0, W * 0.002], [0, 1, H * 0.0025]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(small, shift, (W // 4, H // 4)), (0, 0), W * 0.0015)
    shadow = cv2.resize(shadow, (W, H))
    img = cv2.multiply(
        img, cv2.cvtColor(255 - (shadow * 0.45).astype(np.uint8), cv2.COLOR_GRAY2BGR), scale=1 / 255
    )
    warped = cv2.warpPerspective(src, matrix, (W, H), flags=cv2.INTER_LINEAR)
    m = cv2.GaussianBlur(mask, (3, 3), 0)
    img = np.where(m[:, :, None] > 127, warped, img)
    with_hand = rng.random() < 0.25 if hand is None else hand
    if with_hand:
        _hand(rng, img, quad)
    # Uneven light: a gradient across the photo, sometimes a bright spot (worked out small).
    sw, sh = 64, 48
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    theta = rng.uniform(0, 2 * math.pi)
    ramp = (xx / sw - 0.5) * math.cos(theta) + (yy / sh - 0.5) * math.sin(theta)
    light = 1.0 + ramp * rng.uniform(0.2, 0.6)
    if rng.random() < 0.3:
        cx, cy = rng.uniform(0.2, 0.8) * sw, rng.uniform(0.2, 0.8) * sh
        light += 0.25 * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (0.25 * sw) ** 2)))
    light = cv2.resize((light * rng.uniform(0.8, 1.0) * 200).astype(np.float32), (W, H))
    light = np.clip(light, 0, 255).astype(np.uint8)
    img = cv2.multiply(img, cv2.cvtColor(light, cv2.COLOR_GRAY2BGR), scale=1 / 200)
    sigma = rng.uniform(0, 1.2) * long / 1600
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    nrng = np.random.default_rng(rng.randrange(2**32))
    noise = (nrng.standard_normal((H, W), dtype=np.float32) * rng.uniform(2, 7)).astype(np.int16)
    img = cv2.add(img.astype(np.int16), cv2.merge([noise, noise, noise]))
    img = cv2.convertScaleAbs(np.clip(img, 0, 255))
    quality = rng.randrange(55, 92)
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes(), {
        "angle": round(angle, 1),
        "size": [W, H],
        "hand": with_hand,
        "blur": round(sigma, 2),
        "jpeg_quality": quality,
    }
