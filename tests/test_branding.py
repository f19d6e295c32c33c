"""[branding]: the show's logo, colours and sponsor on the kiosk, and the sign to its scanner."""

from __future__ import annotations

import pytest

from conftest import EVENT_TOML, load_settings
from kiosk import create_app
from kiosk.config import ConfigError
from kiosk.web.pages import ink


def _with(tmp_path, old: str, new: str):
    text = EVENT_TOML.read_text(encoding="utf-8")
    assert old in text
    return load_settings(tmp_path, text.replace(old, new))


def test_the_demo_show_is_branded(settings):
    b = settings.branding
    assert b.logo.name == "expo-logo.svg" and b.sponsor_logo.name == "sponsor-logo.svg"
    assert (b.primary_color, b.accent_color, b.scanner) == ("#0D47A1", "#FF8F00", "below")
    assert b.sponsor_name["zh"] == "北风科技"
    assert settings.kiosks["south-1"].scanner == "left"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('scanner = "below"\ntagline', 'scanner = "above"\ntagline', "branding.scanner: 'above'"),
        ('primary_color = "#0D47A1"', 'primary_color = "blue"', "branding.primary_color: 'blue'"),
        ('logo = "config/branding/expo-logo.svg"', 'logo = "nowhere/logo.png"', "branding.logo"),
        ('logo = "config/branding/expo-logo.svg"', 'logo = "config/event.toml"', "branding.logo"),
        (
            'gate = "north"\nprinter = ""\nscanner = "below"',
            'gate = "north"\nscanner = "up"',
            "kiosks.north-1.scanner",
        ),
    ],
)
def test_a_mistake_in_branding_stops_the_start_naming_the_key(tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        _with(tmp_path, old, new)


def test_the_logo_and_sponsor_are_served_with_their_type(client):
    with client.get("/branding/logo") as logo:
        assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
        assert b"<svg" in logo.data
    with client.get("/branding/sponsor") as sponsor:
        assert sponsor.mimetype == "image/svg+xml"


def test_without_branding_the_kiosk_is_plain_and_the_images_are_404(tmp_path):
    text = EVENT_TOML.read_text(encoding="utf-8")
    start = text.index("[branding]")
    end = text.index("\n\n", start)
    settings = load_settings(tmp_path, text[:start] + text[end:])
    client = create_app(settings, testing=True).test_client()
    assert client.get("/branding/logo").status_code == 404
    assert client.get("/branding/sponsor").status_code == 404
    page = client.get("/kiosk").get_data(as_text=True)
    assert 'id="branding"' not in page and "attract-logo" not in page
    assert 'data-scanner="below"' in page


def test_the_kiosk_page_carries_the_colours_and_each_kiosks_scanner(client):
    page = client.get("/kiosk").get_data(as_text=True)
    assert "--brand: #0D47A1" in page and "--accent: #FF8F00" in page
    assert 'src="/branding/logo"' in page and 'src="/branding/sponsor"' in page
    assert "&#34;south-1&#34;: &#34;left&#34;" in page or '"south-1": "left"' in page


@pytest.mark.parametrize(
    "background, text",
    [
        ("#FF8F00", "#000000"),
        ("#FFFFFF", "#000000"),
        ("#0D47A1", "#ffffff"),
        ("#c62828", "#ffffff"),
    ],
)
def test_text_on_a_brand_colour_is_black_or_white_whichever_reads(background, text):
    assert ink(background) == text
