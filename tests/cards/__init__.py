"""A made-up business card set for the card reader's tests and benchmark.

`make_card(seed, index)` draws one card (zh, en, a Chinese person's en card, bilingual on one
side, or zh front and en back) in one of render.LAYOUTS, photographs it (render.photograph) and
returns the photos with the ground truth. `write_set(folder, count, seed)` writes a set: for each
card `card-NNN-1.jpg` (and `-2.jpg` for a back) beside `card-NNN.json`. Same seed, same set.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from tests.cards import people, render

KINDS = ["zh", "zh", "zh", "en", "en", "en_cn", "bilingual", "bilingual", "two_sided", "two_sided"]


@dataclass
class MadeCard:
    """Photos of one card (front, then back if any) and what a perfect reader finds on it."""

    images: list[bytes]
    truth: dict
    info: dict


def truth_of(info: dict, lang: str) -> dict:
    """The fields a reader should find, in the language the reader keeps."""
    return {
        "full_name": info["name"][lang],
        "company": info["company"][lang],
        "job_title": info["title"][lang],
        "emails": [info["email"].lower()],
        "phones": [{"number": e164, "type": kind} for kind, (_, e164) in info["phones"]],
        "website": info["website"],
        "address": info["address"][lang],
    }


def make_card(
    seed: int,
    index: int,
    *,
    kind: str | None = None,
    layout: str | None = None,
    photo: bool = True,
    photo_options: dict | None = None,
) -> MadeCard:
    """Card number `index` of the set made with `seed`: its photos and its ground truth."""
    rng = random.Random(f"{seed}-{index}")
    kind = kind or rng.choice(KINDS)
    layout = layout or render.LAYOUTS[index % len(render.LAYOUTS)]
    info = people.person(rng, "en" if kind == "en" else "zh")
    if kind == "en_cn":
        info["name"].pop("zh")
        for key in ("company", "title", "address", "department"):
            info[key].pop("zh")
    lang = "zh" if kind in ("zh", "bilingual", "two_sided") else "en"
    sides = [render.draw_side(rng, info, lang, layout, both=kind == "bilingual")]
    if kind == "two_sided":
        sides.append(render.draw_side(rng, info, "en", layout))
    images, shots = [], []
    for side in sides:
        if photo:
            data, shot = render.photograph(rng, side, **(photo_options or {}))
        else:
            buf = io.BytesIO()
            side.save(buf, format="PNG")
            data, shot = buf.getvalue(), {}
        images.append(data)
        shots.append(shot)
    truth = {"kind": kind, "layout": layout, "photos": shots, "fields": truth_of(info, lang)}
    return MadeCard(images=images, truth=truth, info=info)


def write_set(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    """Write `count` cards into a folder; return the ground-truth files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        card = make_card(seed, i)
        names = []
        for side, data in enumerate(card.images, start=1):
            name = f"card-{i:03d}-{side}.jpg"
            (folder / name).write_bytes(data)
            names.append(name)
        truth_file = folder / f"card-{i:03d}.json"
        truth_file.write_text(
            json.dumps({**card.truth, "images": names}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        written.append(truth_file)
    return written
