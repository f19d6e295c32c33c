"""Business cards read into fields: zh, en, bilingual and turned cards from the made-up card set,
the field rules on their own, and the refusals (not an image, too large, nothing on it)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cards import CardUnreadable, read_card
from kiosk.cards.engine import model_paths
from kiosk.cards.fields import Line, extract, phones_in, split_name_and_title
from kiosk.web.errors import error_body, status_of
from tests.cards import make_card, render

ROOT = Path(__file__).resolve().parent.parent


def test_the_card_set_has_its_fonts():
    assert render.missing_fonts() == []


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def phones(fields) -> set[tuple[str, str]]:
    return {(p["number"], p["type"]) for p in fields.phones}


def expected_phones(card) -> set[tuple[str, str]]:
    return {(p["number"], p["type"]) for p in card.truth["fields"]["phones"]}


# --- whole cards, through the OCR engine -----------------------------------------------------


def test_a_chinese_card_photographed_on_a_table_gives_its_fields():
    card = make_card(11, 0, kind="zh", layout="left", photo_options={"hand": False})
    truth = card.truth["fields"]
    reading = read_card(card.images)
    got = reading.fields
    assert got.full_name == truth["full_name"]
    assert got.company == truth["company"]
    assert got.job_title == truth["job_title"]
    assert got.emails == truth["emails"]
    assert phones(got) == expected_phones(card)
    assert any(p["type"] == "mobile" and p["number"].startswith("+861") for p in got.phones)
    assert truth["full_name"] in reading.lines


def test_an_english_card_gives_a_latin_name_and_typed_phones():
    card = make_card(12, 3, kind="en", layout="two_column", photo_options={"hand": False})
    truth = card.truth["fields"]
    got = read_card(card.images, region="DE").fields
    assert got.full_name == truth["full_name"]
    assert got.company.replace(" ", "") == truth["company"].replace(" ", "")
    assert got.job_title == truth["job_title"]
    assert got.emails == truth["emails"]
    assert phones(got) == expected_phones(card)


def test_a_bilingual_card_front_and_back_names_one_person_in_chinese():
    card = make_card(13, 1, kind="two_sided", layout="centered", photo_options={"hand": False})
    truth = card.truth["fields"]
    reading = read_card(card.images)
    got = reading.fields
    assert got.full_name == truth["full_name"]
    assert got.company == truth["company"]
    assert got.emails == truth["emails"]  # printed on both sides, kept once
    assert phones(got) == expected_phones(card)
    # Both sides' text is kept for the booth staff to correct from, front first.
    assert card.info["name"]["en"].split()[0] in " ".join(reading.lines)
    assert reading.lines.index(truth["full_name"]) < len(reading.lines) // 2


def test_a_card_turned_14_degrees_in_a_hand_is_straightened_and_read():
    card = make_card(
        14, 2, kind="bilingual", layout="left", photo_options={"angle": 14.0, "hand": True}
    )
    truth = card.truth["fields"]
    got = read_card(card.images).fields
    assert got.full_name == truth["full_name"]
    assert got.emails == truth["emails"]
    assert phones(got) == expected_phones(card)


# --- refusals ---------------------------------------------------------------------------------


def test_a_file_that_is_not_an_image_is_refused_as_such():
    for data in (b"%PDF-1.7 not a photo", b"", png(Image.new("RGB", (40, 30)))[:60]):
        with pytest.raises(CardUnreadable) as refused:
            read_card([data])
        assert refused.value.reason == "not_an_image"
    gif = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(gif, format="GIF")
    with pytest.raises(CardUnreadable) as refused:
        read_card([gif.getvalue()])
    assert refused.value.reason == "not_an_image"


def test_a_file_over_10_mb_or_50_megapixels_is_refused_as_too_large():
    with pytest.raises(CardUnreadable) as refused:
        read_card([b"\xff\xd8" + b"\0" * (10 * 1024 * 1024)])
    assert refused.value.reason == "too_large"
    huge = png(Image.new("1", (9000, 6000), 1))  # small file, 54 megapixels
    assert len(huge) < 1024 * 1024
    with pytest.raises(CardUnreadable) as refused:
        read_card([huge])
    assert refused.value.reason == "too_large"


def test_a_blank_card_has_no_text():
    blank = png(Image.new("RGB", (1200, 720), (250, 250, 248)))
    with pytest.raises(CardUnreadable) as refused:
        read_card([blank])
    assert refused.value.reason == "no_text"
    with pytest.raises(CardUnreadable) as refused:
        read_card([])
    assert refused.value.reason == "no_image"


def test_an_unreadable_card_answers_422_naming_the_image_and_the_reason():
    exc = CardUnreadable("no_text")
    assert status_of(exc) == 422
    body = error_body(exc)
    assert body["error"] == "card_unreadable"
    assert body["reason"] == "no_text"
    assert body["fields"] == {"image": "no text was found on the card"}


# --- the field rules on their own -------------------------------------------------------------


def lines(*texts: str, sizes=None) -> list[Line]:
    sizes = sizes or [1.0] * len(texts)
    return [
        Line(text=t, side=0, top=40.0 * i, bottom=40.0 * i + 30, left=10, right=400, size=s)
        for i, (t, s) in enumerate(zip(texts, sizes, strict=True))
    ]


def test_phones_are_typed_by_their_label_and_by_their_number():
    assert phones_in("T: 021-6234 5678  F: 021-6234 5679", "CN") == [
        {"number": "+862162345678", "type": "office"},
        {"number": "+862162345679", "type": "fax"},
    ]
    # A Chinese mobile number is a mobile whatever its label; a bare landline is an office.
    assert phones_in("Tel: 138 1234 5678", "CN") == [{"number": "+8613812345678", "type": "mobile"}]
    assert phones_in("(0755) 8888 6666", "CN") == [{"number": "+8675588886666", "type": "office"}]
    assert phones_in("Mobile: +1 (415) 555-2671", "CN") == [
        {"number": "+14155552671", "type": "mobile"}
    ]
    assert phones_in("+49 30 1234567 ext", "CN")[0]["number"] == "+49301234567"


def test_names_and_titles_printed_on_one_line_are_told_apart():
    assert split_name_and_title("王小明 | 销售总监") == ("王小明", "销售总监")
    assert split_name_and_title("欧阳明华总经理") == ("欧阳明华", "总经理")
    assert split_name_and_title("Anna Berg, Head of Procurement") == (
        "Anna Berg",
        "Head of Procurement",
    )
    assert split_name_and_title("高级工程师") is None
    assert split_name_and_title("区域经理") is None


def test_a_bilingual_card_keeps_chinese_fields_where_the_region_writes_chinese():
    card = lines(
        "上海华创科技有限公司",
        "Shanghai Huachuang Technology Co., Ltd.",
        "王晓明",
        "Xiaoming Wang",
        "销售总监",
        "Sales Director",
        "E-mail: Wang.XM@Huachuang.com",
        "地址：上海市浦东新区张江路88号",
        sizes=[1.2, 0.8, 2.0, 1.0, 1.0, 0.9, 1.0, 1.0],
    )
    zh = extract(card, "CN")
    assert (zh.full_name, zh.company, zh.job_title) == (
        "王晓明",
        "上海华创科技有限公司",
        "销售总监",
    )
    assert zh.emails == ["wang.xm@huachuang.com"]
    assert zh.address == "上海市浦东新区张江路88号"
    en = extract(lines(*(line.text for line in card)), "DE")
    assert (en.full_name, en.company, en.job_title) == (
        "Xiaoming Wang",
        "Shanghai Huachuang Technology Co., Ltd.",
        "Sales Director",
    )


def test_company_suffixes_in_many_countries_make_the_company():
    for company in (
        "Nordic Lighting GmbH",
        "Summit Trading Inc.",
        "Atlas Logistics Pte. Ltd.",
        "深圳鑫源新材料集团",
        "博远贸易股份有限公司",
    ):
        got = extract(lines("Anna Berg", "Sales Manager", company), "CN")
        assert got.company == company
        assert got.full_name == "Anna Berg"


# --- the engine stays offline -----------------------------------------------------------------


def test_the_models_come_from_the_installed_package_and_nothing_is_downloaded():
    import rapidocr

    package = Path(rapidocr.__file__).resolve().parent
    for path in model_paths().values():
        assert path.is_file() and package in path.parents
    # A fresh process whose every network call fails still loads the engine (lazily: not at
    # import) and reads a card.
    card = make_card(15, 0, kind="zh", layout="centered", photo=False)
    script = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("no network")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import kiosk.cards
assert "onnxruntime" not in sys.modules
reading = kiosk.cards.read_card([sys.stdin.buffer.read()])
print(reading.fields.full_name)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=card.images[0],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == card.truth["fields"]["full_name"]
