"""Business cards (名片): a photo of a card, front and optional back, read into a lead's fields.

`read_card(images)` decodes and cleans each photo (kiosk.cards.images), reads its text with the
OCR engine (kiosk.cards.engine, models from the installed package, nothing downloaded) and finds
the fields in it (kiosk.cards.fields). It raises CardUnreadable (a 422) for a file that is not a
JPEG or PNG, one too large, or a card with no text on it.
"""

from __future__ import annotations

import os
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from kiosk.cards import engine, images
from kiosk.cards.fields import Line, extract
from kiosk.errors import FieldErrors

MESSAGES = {
    "not_an_image": "the file is not a JPEG or PNG image",
    "too_large": f"the image is larger than {images.MAX_BYTES // (1024 * 1024)} MB "
    f"or {images.MAX_PIXELS // 1_000_000} megapixels",
    "no_text": "no text was found on the card",
    "no_image": "no image was sent",
}


@dataclass(frozen=True)
class CardFields:
    """A card's fields: phones are {"number": E.164, "type": mobile|office|fax|other}."""

    full_name: str
    company: str
    job_title: str
    emails: list[str]
    phones: list[dict]
    website: str
    address: str


@dataclass(frozen=True)
class CardReading:
    """What was read off a card: its fields and every line of text, front first."""

    fields: CardFields
    lines: list[str]


# Front and back are read at the same time, one core each (OpenCV and ONNX Runtime let go of the
# GIL while they work).
_sides = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="card")


class CardUnreadable(FieldErrors):
    """A card that cannot be read: `reason` is not_an_image, too_large, no_text or no_image."""

    code = "card_unreadable"

    def __init__(self, reason: str, field_name: str = "image"):
        message = MESSAGES[reason]
        super().__init__({field_name: message}, headline=message)
        self.reason = reason
        self.details = {"reason": reason}


def _lines_of(side: int, texts: list[engine.Text]) -> list[Line]:
    if not texts:
        return []
    median = statistics.median(t.height for t in texts) or 1.0
    return [
        Line(
            text=t.text,
            side=side,
            top=t.top,
            bottom=t.bottom,
            left=t.left,
            right=t.right,
            size=t.height / median,
        )
        for t in texts
    ]


def _read_side(data: bytes) -> list[engine.Text] | images.BadImage:
    """The text on one side's photo, or why the photo cannot be taken."""
    try:
        card = images.prepare(data)
    except images.BadImage as exc:
        return exc
    if images.is_blank(card):
        return []
    return engine.recognise(card)


def read_card(images_: list[bytes], region: str = "CN") -> CardReading:
    """Read a business card from its photos (front, then optionally back).

    `region` is the ISO country whose numbering a phone without a country code follows; where it
    writes Chinese, a bilingual card's Chinese name, company and title are kept.
    """
    if not images_:
        raise CardUnreadable("no_image")
    for data in images_:
        if len(data) > images.MAX_BYTES:
            raise CardUnreadable("too_large")
    sides = list(_sides.map(_read_side, images_)) if len(images_) > 1 else [_read_side(images_[0])]
    lines: list[Line] = []
    for side, found in enumerate(sides):
        if isinstance(found, images.BadImage):
            raise CardUnreadable(found.reason)
        lines += _lines_of(side, found)
    if not lines:
        raise CardUnreadable("no_text")
    texts = [line.text for line in lines]
    read = extract(lines, region)
    fields = CardFields(
        full_name=read.full_name,
        company=read.company,
        job_title=read.job_title,
        emails=read.emails,
        phones=read.phones,
        website=read.website,
        address=read.address,
    )
    return CardReading(fields=fields, lines=texts)
