"""Badges: layouts as data, CJK names as real glyphs, QR codes that scan, long names that fit."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from conftest import ROOT, Factory, auth, load_settings
from kiosk import create_app
from kiosk.badges import fonts, service
from kiosk.badges.render import badge_data, render
from kiosk.badges.templates import load_template
from kiosk.config import ConfigError
from kiosk.services import open_services

LONG_NAME = "Maximilian Alexander Konstantin von Hohenzollern-Sigmaringen Bartholomew Fitzgerald"


@pytest.fixture
def badges(settings):
    return service.load(settings)


def _person(name, category="visitor", company="Acme"):
    return {"full_name": name, "company": company, "job_title": "", "category": category}


def _name_element(tpl):
    return next(e for e in tpl.elements if e.type == "text" and "{full_name}" in e.text)


def _crop(image, box):
    return np.asarray(image.crop(box).convert("L"))


def test_every_layout_in_badge_templates_loads(badges):
    assert {"badge-4x3", "label-62mm", "a6"} <= set(badges.templates)
    assert badges.templates["badge-4x3"].size_px == (1200, 900)
    assert badges.templates["label-62mm"].size_px == (1181, 732)
    assert badges.templates["a6"].size_px == (1240, 1748)


def test_chinese_names_render_as_distinct_glyphs_not_boxes(badges, settings):
    tpl = badges.templates["badge-4x3"]
    element = _name_element(tpl)
    font = tpl.fonts[element.font].at(96)
    names = ["张伟", "王芳", "李娜", "欧阳娜娜", "刘德华"]
    for char in "".join(names):
        assert not fonts.glyph_missing(font, char), char
    crops = []
    for name in names:
        image, placed = render(tpl, badge_data(_person(name), settings, "K1-X"))
        name_place = next(p for p in placed if p.element is element)
        crop = _crop(image, name_place.box)
        assert (crop < 128).sum() > 1000  # ink, not an empty box
        crops.append(crop.tobytes())
    assert len(set(crops)) == len(names)


def test_a_font_without_chinese_glyphs_is_told_apart():
    font = fonts.resolve({"family": "DejaVu Sans"}, "probe").at(48)
    assert fonts.glyph_missing(font, "中")
    assert not fonts.glyph_missing(font, "A")


@pytest.mark.parametrize("template", ["badge-4x3", "label-62mm", "a6"])
def test_the_qr_on_the_png_decodes_to_the_badge_code(client, make, template):
    attendee_id, code = make.attendee(full_name="陈静", company="深圳华强电子")
    token = make.device("staff")
    res = client.get(
        f"/api/v1/attendees/{attendee_id}/badge.png?template={template}", headers=auth(token)
    )
    assert res.status_code == 200 and res.mimetype == "image/png"
    image = Image.open(io.BytesIO(res.data))
    assert image.info["dpi"][0] == pytest.approx(300, abs=1)
    found = zxingcpp.read_barcodes(np.asarray(image.convert("L")))
    assert [b.text for b in found] == [code]


def test_badge_pdf_page_is_the_badge_size(client, make):
    attendee_id, _ = make.attendee()
    res = client.get(
        f"/api/v1/attendees/{attendee_id}/badge.pdf", headers=auth(make.device("staff"))
    )
    assert res.status_code == 200 and res.data.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 288.000 216.000]" in res.data  # 4 x 3 inches


@pytest.mark.parametrize("template", ["badge-4x3", "label-62mm", "a6"])
@pytest.mark.parametrize(
    "name", [LONG_NAME, "欧阳娜娜·阿不都热合曼·买买提明·司马相如·诸葛孔明", "Li"]
)
def test_names_stay_inside_their_box(badges, settings, template, name):
    tpl = badges.templates[template]
    element = _name_element(tpl)
    _, placed = render(tpl, badge_data(_person(name), settings, "K1-X"))
    place = next(p for p in placed if p.element is element)
    left, top, right, bottom = place.box
    ink = place.ink
    assert left <= ink[0] and top <= ink[1] and ink[2] <= right and ink[3] <= bottom
    if name == "Li":
        assert place.size_px == round(element.size_pt / 72 * tpl.dpi)  # short names stay large
    else:
        assert len(place.lines) >= 2  # long names wrap as well as shrink


def test_long_name_leaves_no_ink_outside_its_box(tmp_path):
    (tmp_path / "only-name.toml").write_text(
        """
width = "4in"
height = "3in"
dpi = 200
[fonts]
bold = { family = "Noto Sans CJK SC", style = "Bold" }
[[elements]]
type = "text"
text = "{full_name}"
x = 20
y = 20
w = 50
h = 20
font = "bold"
size = "40pt"
min_size = "10pt"
max_lines = 2
""",
        encoding="utf-8",
    )
    tpl = load_template(tmp_path / "only-name.toml")
    image, placed = render(tpl, {"full_name": LONG_NAME + " " + LONG_NAME})
    pixels = np.asarray(image.convert("L")).copy()
    left, top, right, bottom = placed[0].box
    assert (pixels[top:bottom, left:right] < 128).sum() > 500
    pixels[top:bottom, left:right] = 255
    assert pixels.min() == 255


def _templates_dir(tmp_path, body: str) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    shutil.copy(ROOT / "badge_templates" / "logo.png", folder / "logo.png")
    (folder / "badge-4x3.toml").write_text(body, encoding="utf-8")
    return folder


def _config_with(tmp_path, folder: Path) -> str:
    text = (ROOT / "config" / "event.toml").read_text(encoding="utf-8")
    return text.replace('templates_dir = "badge_templates"', f'templates_dir = "{folder}"')


GOOD = (ROOT / "badge_templates" / "badge-4x3.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change, message",
    [
        (('text = "{company}"', 'text = "{companny}"'), "unknown field '{companny}'"),
        (('type = "qr"', 'type = "barcode"'), "type"),
        (('src = "logo.png"', 'src = "missing.png"'), "missing.png"),
        (('width = "4in"', 'width = "1in"'), "beyond"),
    ],
)
def test_a_bad_layout_stops_the_start(tmp_path, change, message):
    folder = _templates_dir(tmp_path, GOOD.replace(*change))
    settings = load_settings(tmp_path, _config_with(tmp_path, folder))
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace("}", r"\}")):
        create_app(settings, testing=True)


def test_a_latin_only_font_for_names_means_no_badges(tmp_path):
    body = GOOD.replace('family = "Noto Sans CJK SC", style = "Bold"', 'family = "DejaVu Sans"')
    folder = _templates_dir(tmp_path, body)
    settings = load_settings(tmp_path, _config_with(tmp_path, folder))
    assert "no glyphs for 中文姓名" in service.load(settings).problem


def test_a_missing_font_stops_badges_but_never_check_ins(tmp_path):
    body = GOOD.replace('family = "Noto Sans CJK SC", style = "Bold"', 'family = "No Such Sans"')
    folder = _templates_dir(tmp_path, body)
    settings = load_settings(tmp_path, _config_with(tmp_path, folder))
    svc = open_services(settings)
    app = create_app(settings, testing=True)
    client, make = app.test_client(), Factory(svc)
    attendee_id, code = make.attendee()
    kiosk, staff = auth(make.device("kiosk", name="north-1")), auth(make.device("staff"))

    res = client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=kiosk)
    assert res.status_code == 201 and res.get_json()["status"] == "ok"
    for method, url, body in [
        ("post", f"/api/v1/attendees/{attendee_id}/print", {}),
        ("post", f"/api/v1/attendees/{attendee_id}/print", {"reprint": True}),
        ("get", f"/api/v1/attendees/{attendee_id}/badge.png", None),
    ]:
        headers = staff if body and body.get("reprint") else kiosk
        res = getattr(client, method)(url, json=body, headers=headers)
        answer = res.get_json()
        assert res.status_code == 503, url
        assert (answer["error"], answer["reason"]) == ("badges_unavailable", "font_missing")
        assert "No Such Sans" in answer["message"]
    # the refused reprint issued no new code: the visitor's badge still works
    res = client.post("/api/v1/checkins", json={"code": code, "gate": "north"}, headers=kiosk)
    assert res.status_code == 200 and res.get_json()["reason"] == "already_checked_in"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["warnings"][0]["error"] == "badges_unavailable"
    alerts = client.get("/api/v1/dashboard", headers=staff).get_json()["dashboard"]["alerts"]
    assert ("badges_unavailable", "font_missing") in [(a["kind"], a["reason"]) for a in alerts]


def test_a_configured_font_file_replaces_fontconfig(tmp_path):
    cjk = fonts.resolve({"family": "Noto Sans CJK SC", "style": "Bold"}, "probe")
    text = (ROOT / "config" / "event.toml").read_text(encoding="utf-8")
    text = text.replace(
        'template = "badge-4x3"',
        f'template = "a6"\nfonts = {{ bold = {{ file = "{cjk.path}", index = {cjk.index} }} }}',
    )
    settings = load_settings(tmp_path, text)
    loaded = service.load(settings)
    assert loaded.default == "a6"
    assert loaded.templates["a6"].fonts["bold"] == cjk


def test_badge_png_roles_and_unknowns(client, make):
    attendee_id, _ = make.attendee()
    exhibitor = make.device("exhibitor")
    kiosk = make.device("kiosk")
    assert client.get(f"/api/v1/attendees/{attendee_id}/badge.png").status_code == 401
    assert (
        client.get(
            f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(exhibitor)
        ).status_code
        == 403
    )
    # A kiosk that did not just check the person in or register them sees no badge.
    res = client.get(f"/api/v1/attendees/{attendee_id}/badge.png", headers=auth(kiosk))
    assert res.status_code == 403 and res.get_json()["error"] == "not_served_here"
    staff = make.device("staff")
    assert client.get("/api/v1/attendees/999/badge.png", headers=auth(staff)).status_code == 404
    res = client.get(
        f"/api/v1/attendees/{attendee_id}/badge.png?template=nope", headers=auth(staff)
    )
    assert res.status_code == 422 and "template" in res.get_json()["fields"]


def test_preview_command_renders_every_layout_and_category(runner, tmp_path, settings):
    out = tmp_path / "preview"
    result = runner.invoke("badges", "preview", "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.glob("*.png"))
    assert len(files) == 3 * len(settings.categories)
    assert "label-62mm-buyer.png" in files
