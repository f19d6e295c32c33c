"""The kiosk's touch input in a real Chromium: the on-screen keyboard (pinyin too), the stepped
walk-up, "no results" offering to register, branding with the sign to the scanner, and the
large-text switch; in zh and en, portrait 1080x1920 and landscape 1920x1080."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SCREENSHOTS

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("KIOSK_INPUT_SHOTS", SCREENSHOTS / "kiosk-input"))
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    """One demo show and its server for the whole module (each test uses its own people)."""
    from conftest import Factory, LiveServer, load_settings
    from kiosk.services import open_services

    settings = load_settings(tmp_path_factory.mktemp("kiosk-input"))
    svc = open_services(settings)
    make = Factory(svc)
    make.attendee(full_name="Anna Müller", email="anna.mueller@example.com")
    make.attendee(full_name="Zhang Wei", email="zw@example.com", phone="+8613800138000")
    server = LiveServer(settings)
    yield server, svc, make
    server.stop()
    svc.store.close()


@pytest.fixture
def svc(show):
    return show[1]


@pytest.fixture
def open_kiosk(browser, show):
    server, _, make = show
    contexts = []

    def open_page(size=PORTRAIT, lang="zh", name=None):
        token = make.device("kiosk", name=name, gate="north")
        context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, has_touch=True
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server.url}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        if lang != "zh":
            page.click(f".lang[data-lang={lang}]")
            page.wait_for_function(f"document.documentElement.lang.startsWith('{lang}')")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def key(page, k):
    page.click(f'#osk .hg-button[data-skbtn="{k}"]')


def tap(page, text):
    """Type text on the on-screen keyboard, one key at a time (upper case through shift)."""
    for ch in text:
        if ch == " ":
            key(page, "{space}")
        elif ch.isupper():
            key(page, "{shift}")
            key(page, ch)
        else:
            key(page, ch)


def pinyin(page, syllable, character):
    """A Chinese character by its pinyin: type the syllable, pick the character from the strip."""
    tap(page, syllable)
    page.click(f'#osk .hg-candidate-box-list-item:text-is("{character}")')


def keyboard_fits(page):
    """The focused field and the step's buttons are above the keyboard, not under it."""
    return page.evaluate(
        """() => {
          const top = document.querySelector('#osk').getBoundingClientRect().top;
          const field = document.activeElement.getBoundingClientRect();
          const buttons = [...document.querySelectorAll('.screen:not([hidden]) .actions button')];
          return field.bottom <= top && buttons.every((b) => b.getBoundingClientRect().bottom <= top);
        }"""
    )


def test_a_chinese_name_by_pinyin_registers_and_prints_in_portrait(open_kiosk, svc):
    page = open_kiosk(PORTRAIT, "zh")
    shot(page, "zh-portrait-0-idle")
    page.click("#btn-register")
    page.wait_for_selector("#reg-form[data-step=category]")
    assert page.inner_text("#reg-step-count") == "第 1 步，共 5 步"
    shot(page, "zh-portrait-1-category")
    page.click('[data-category="trade"]')
    page.wait_for_selector("#reg-form[data-step=full_name]")
    page.wait_for_selector("#osk:not([hidden])")
    assert page.get_attribute("#reg-full_name", "inputmode") == "none"
    assert page.evaluate("KioskKeyboard.mode()") == "pinyin"
    for syllable, character in (("li", "李"), ("xue", "雪"), ("mei", "梅")):
        pinyin(page, syllable, character)
    assert page.input_value("#reg-full_name") == "李雪梅"
    tap(page, "li")
    shot(page, "zh-portrait-2-name-pinyin")
    key(page, "{bksp}")
    key(page, "{bksp}")
    assert keyboard_fits(page)
    key(page, "{enter}")
    page.wait_for_selector("#reg-form[data-step=work]")
    assert page.inner_text("#reg-step-count") == "第 3 步，共 5 步"
    for syllable, character in (("heng", "恒"), ("xin", "信")):
        pinyin(page, syllable, character)
    key(page, "{mode}")  # to Latin letters for the rest
    tap(page, " Precision")
    assert page.input_value("#reg-company") == "恒信 Precision"
    shot(page, "zh-portrait-3-work")
    assert keyboard_fits(page)
    page.click("#reg-next")
    page.wait_for_selector("#reg-form[data-step=contact]")
    assert page.get_attribute("#osk", "data-kind") == "email"
    tap(page, "xuemei.li")
    key(page, "@")
    tap(page, "example")
    key(page, ".cn")
    assert page.input_value("#reg-email") == "xuemei.li@example.cn"
    page.click("#reg-phone")
    assert page.get_attribute("#osk", "data-kind") == "digits"
    tap(page, "13912345678")
    shot(page, "zh-portrait-4-contact")
    assert keyboard_fits(page)
    page.click("#reg-next")
    page.wait_for_selector("#reg-form[data-step=consents]")
    page.wait_for_selector("#osk", state="hidden")
    shot(page, "zh-portrait-5-consents")
    page.click("#reg-submit")  # the terms are not ticked yet: said on this step
    page.wait_for_selector('.consent.invalid[data-field="consents.terms"]')
    assert page.inner_text('[data-field="consents.terms"] .field-error') == "登记需要您的同意"
    page.check('[data-consent="terms"]')
    page.click("#reg-submit")
    page.wait_for_selector("#screen-result[data-kind=ok]")
    assert page.inner_text("#result-title") == "欢迎，李雪梅！"
    row = svc.store.one("SELECT * FROM attendees WHERE email_key = 'xuemei.li@example.cn'")
    assert row["full_name"] == "李雪梅" and row["company"] == "恒信 Precision"
    assert row["category"] == "trade" and row["phone"] == "+8613912345678"
    assert svc.store.one("SELECT state FROM presence WHERE attendee_id = :id", {"id": row["id"]})[
        "state"
    ] == ("in")
    assert svc.store.one("SELECT status FROM print_jobs WHERE attendee_id = :id", {"id": row["id"]})


def test_english_walkup_in_landscape_goes_back_to_the_step_the_server_refused(open_kiosk, svc):
    page = open_kiosk(LANDSCAPE, "en")
    page.click("#btn-register")
    page.click('[data-category="visitor"]')
    page.wait_for_selector("#reg-form[data-step=full_name]")
    assert page.evaluate("KioskKeyboard.mode()") == "latin"
    assert page.inner_text("#reg-step-count") == "Step 2 of 5"
    tap(page, "Anna Weber")
    assert page.input_value("#reg-full_name") == "Anna Weber"
    shot(page, "en-landscape-2-name")
    assert keyboard_fits(page)
    key(page, "{enter}")
    page.wait_for_selector("#reg-form[data-step=work]")
    shot(page, "en-landscape-3-work")
    assert keyboard_fits(page)
    page.click("#reg-next")
    page.wait_for_selector("#reg-form[data-step=contact]")
    tap(page, "anna")
    key(page, "@")
    tap(page, "weber_gmbh")  # no "_" in a domain: only the server tells
    key(page, ".com")
    page.click("#reg-phone")
    tap(page, "+49 151 2345 6789")
    shot(page, "en-landscape-4-contact")
    assert keyboard_fits(page)
    page.click("#reg-next")
    page.check('[data-consent="terms"]')
    shot(page, "en-landscape-5-consents")
    page.click("#reg-submit")
    page.wait_for_selector("#reg-form[data-step=contact] .field.invalid[data-field=email]")
    assert (
        page.inner_text('[data-field="email"] .field-error') == "This is not a valid email address"
    )
    assert page.input_value("#reg-phone") == "+49 151 2345 6789"
    assert page.is_visible('.reg-dot.bad[data-step="contact"]')
    shot(page, "en-landscape-6-server-error")
    page.fill("#reg-email", "anna@weber.com")
    page.click("#reg-next")
    page.wait_for_selector("#reg-form[data-step=consents]")
    assert page.is_checked('[data-consent="terms"]')
    page.click("#reg-submit")
    page.wait_for_selector("#screen-result[data-kind=ok]")
    assert page.inner_text("#result-title") == "Welcome, Anna Weber!"
    row = svc.store.one("SELECT full_name, phone FROM attendees WHERE email_key = 'anna@weber.com'")
    assert row["full_name"] == "Anna Weber" and row["phone"] == "+4915123456789"


@pytest.mark.parametrize(
    ("lang", "size", "offer"),
    [
        ("zh", PORTRAIT, "请换个写法再试，或现在就登记，一分钟即可。"),
        ("en", LANDSCAPE, "Try another spelling, or register now: it takes a minute."),
    ],
)
def test_no_results_offers_to_register_with_the_name_typed(open_kiosk, lang, size, offer):
    page = open_kiosk(size, lang)
    page.click("#btn-find")
    page.wait_for_selector("#osk:not([hidden])")
    assert page.get_attribute("#search-q", "inputmode") == "none"
    if lang == "zh":
        key(page, "{mode}")  # a Latin name on the Chinese keyboard
    tap(page, "Ola Nordmann")
    page.wait_for_selector("#no-results-register:not([hidden])")
    assert page.inner_text("#no-results-register .lead") == offer
    assert page.is_visible("#no-results")
    shot(page, f"{lang}-{'portrait' if size == PORTRAIT else 'landscape'}-search-no-results")
    assert keyboard_fits(page)
    page.click("#btn-search-register")
    page.click('[data-category="visitor"]')
    page.wait_for_selector("#reg-form[data-step=full_name]")
    assert page.input_value("#reg-full_name") == "Ola Nordmann"
    page.click("#reg-back")
    page.click("#reg-back")
    page.wait_for_selector("body[data-screen=idle]")
    page.click("#btn-find")
    tap(page, "anna")
    page.wait_for_selector("#results .person")
    assert page.is_hidden("#no-results-register")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_large_text_switch_holds_until_the_kiosk_is_idle_again(open_kiosk, lang):
    page = open_kiosk(PORTRAIT, lang)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#btn-contrast")
    assert page.get_attribute("#btn-contrast", "aria-pressed") == "true"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > size * 1.2
    label = {"zh": "大字体高对比", "en": "Large text, high contrast"}[lang]
    assert page.get_attribute("#btn-contrast", "aria-label") == label
    shot(page, f"{lang}-portrait-contrast-idle")
    page.click("#btn-register")
    page.click('[data-category="visitor"]')
    page.wait_for_selector("#osk:not([hidden])")
    assert page.is_visible("#btn-contrast") and "hc" in page.get_attribute("body", "class")
    shot(page, f"{lang}-portrait-contrast-name")
    assert keyboard_fits(page)
    page.click("#btn-contrast")  # the switch works on every screen
    assert "hc" not in page.get_attribute("body", "class")
    page.click("#btn-contrast")
    page.click("#reg-back")
    page.click("#reg-back")
    page.wait_for_selector("body[data-screen=idle]")
    assert "hc" not in page.get_attribute("body", "class")
    assert page.get_attribute("#btn-contrast", "aria-pressed") == "false"


@pytest.mark.parametrize(
    ("lang", "size", "sign"),
    [("zh", PORTRAIT, "扫描器在屏幕下方"), ("en", LANDSCAPE, "The scanner is below the screen")],
)
def test_the_idle_screen_shows_the_shows_branding_and_points_at_the_scanner(
    open_kiosk, lang, size, sign
):
    page = open_kiosk(size, lang)
    assert page.inner_text("#scanner-sign") == sign
    assert page.evaluate("document.querySelector('.attract-logo').naturalWidth") > 0
    assert page.evaluate("document.querySelector('.sponsor-logo').naturalWidth") > 0
    brand = page.evaluate("getComputedStyle(document.body).getPropertyValue('--brand').trim()")
    assert brand.lower() == "#0d47a1"
    tagline = {"zh": "智能制造 · 跨境贸易", "en": "Smart manufacturing · Cross-border trade"}
    assert page.inner_text(".attract-tagline") == tagline[lang]
    shot(page, f"{lang}-{'portrait' if size == PORTRAIT else 'landscape'}-idle-branding")
    # The sign stands below everything else, nearest the scanner, and on screen.
    box = page.locator("#scanner-sign").bounding_box()
    assert box["y"] + box["height"] <= size[1]
    assert page.evaluate(
        "[...document.querySelectorAll('#screen-idle > *')].every((el) => el.hidden ||"
        " el.id === 'scanner-sign' || el.getBoundingClientRect().bottom <="
        " document.querySelector('#scanner-sign').getBoundingClientRect().top)"
    )


def test_a_kiosk_with_its_scanner_on_the_left_points_left(open_kiosk):
    # The demo's south-1 has its scanner on the left ([kiosks.south-1] scanner = "left").
    page = open_kiosk(LANDSCAPE, "zh", name="south-1")
    page.wait_for_selector("body[data-scanner=left]")
    assert page.inner_text("#scanner-sign") == "扫描器在屏幕左侧"
    shot(page, "zh-landscape-idle-scanner-left")
    box = page.locator("#scanner-sign").bounding_box()
    assert box["x"] < LANDSCAPE[0] / 4 and box["y"] + box["height"] <= LANDSCAPE[1]
    page.click(".lang[data-lang=en]")
    assert page.inner_text("#scanner-sign") == "The scanner is left of the screen"


def test_the_verify_step_types_on_the_email_keyboard(open_kiosk):
    page = open_kiosk(PORTRAIT, "en")
    page.click("#btn-find")
    tap(page, "zhang")
    page.click("#results .person")
    page.wait_for_selector("body[data-screen=verify]")
    page.wait_for_selector('#osk[data-kind="email"]:not([hidden])')
    assert page.get_attribute("#verify-answer", "inputmode") == "none"
    tap(page, "8000")
    shot(page, "en-portrait-verify")
    assert keyboard_fits(page)
    key(page, "{enter}")
    page.wait_for_selector("#screen-result[data-kind=ok]")
    assert page.inner_text("#result-title") == "Welcome, Zhang Wei!"
