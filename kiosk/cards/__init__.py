"""Business cards (名片): a photo of a card, front and optional back, read into a lead's fields.

`read_card(images)` decodes and cleans each photo (kiosk.cards.images), reads its text with the
OCR engine (kiosk.cards.engine, models from the installed package, nothing downloaded) and finds
the fields in it (kiosk.cards.fields). It raises CardUnreadable (a 422) for a file that is not a
JPEG or PNG, one too large, or a card with no text on it.
"""

from __future__ import annotations

import statistics
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


def read_card(images_: list[bytes], region: str = "CN") -> CardReading:
    """Read a business card from its photos (front, then optionally back).

    `region` is the ISO country whose numbering a phone without a country code follows; where it
    writes Chinese, a bilingual card's Chinese name, company and title are kept.
    """
    if not images_:
        raise CardUnreadable("no_image")
    cards = []
    for data in images_:
        try:
            cards.append(images.prepare(data))
        except images.BadImage as exc:
            raise CardUnreadable(exc.reason) from None
    lines: list[Line] = []
    for side, card in enumerate(cards):
        if images.is_blank(card):
            continue
        lines += _lines_of(side, engine.recognise(card))
    if not lines:
        raise CardUnreadable("no_text")
    texts = [line.text for line in lines]
    found = extract(lines, region)
    fields = CardFields(
        full_name=found.full_name,
        company=found.company,
        job_title=found.job_title,
        emails=found.emails,
        phones=found.phones,
        website=found.website,
        address=found.address,
    )
    return CardReading(fields=fields, lines=texts)
