"""Business card photos for the tests, rendered with Pillow: a name large, then the rest."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
ZHAO = ["赵敏", "杭州海川科技有限公司", "销售总监", "手机：139 1234 5678", "zhaomin@haichuan.cn"]
SMITH = [
    "John Smith",
    "Northwind Trading Ltd.",
    "Purchasing Manager",
    "Mobile: +44 7911 123456",
    "john.smith@northwind.co.uk",
]


def card_image(lines: list[str], fmt: str = "PNG", size=(900, 520)) -> bytes:
    """A card as a phone photographs it flat on a table."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    y = 50
    for i, text in enumerate(lines):
        font = ImageFont.truetype(CJK_FONT, 52 if i == 0 else 32)
        draw.text((60, y), text, fill="black", font=font)
        y += 78 if i == 0 else 52
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def blank_image() -> bytes:
    """A white card with nothing on it."""
    buf = io.BytesIO()
    Image.new("RGB", (900, 520), "white").save(buf, format="PNG")
    return buf.getvalue()
