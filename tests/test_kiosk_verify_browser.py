"""The kiosk's verification step in a real Chromium: after "find me" and after a walk-up match the
person proves who they are, in zh and en, portrait and landscape."""

from __future__ import annotations

import pytest

from conftest import SCREENSHOTS
from kiosk.checkin import identity

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS / "verify"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}

TEXT = {
    "zh": {
        "title": "请确认是您本人",
        "known": "您已经登记过了",
        "wrong": "信息不匹配，请重试，或到服务台咨询。",
        "welcome": "欢迎，{name}！",
        "too_many": "尝试次数过多",
        "desk": "请到服务台办理",
    },
    "en": {
        "title": "Please confirm it is you",
        "known": "You are registered already",
        "wrong": "That does not match. Please try again, or ask at the desk.",
        "welcome": "Welcome, {name}!",
        "too_many": "Too many attempts",
        "desk": "Please ask at the desk",
    },
}


@pytest.fixture
def kiosk(browser, live_server, make):
    """A paired kiosk page on its idle screen."""
    token = make.device("kiosk", gate="north")
    context = browser.new_context(viewport=PORTRAIT)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk#token={token}")
    page.wait_for_selector("body[data-screen=idle]")
    yield page
    context.close()


def shot(page, name):
    """Portrait and landscape screenshots of the screen as it is."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PORTRAIT)
    page.screenshot(path=SHOTS / f"{name}-1080x1920.png")
    page.set_viewport_size(LANDSCAPE)
    page.screenshot(path=SHOTS / f"{name}-1920x1080.png")
    page.set_viewport_size(PORTRAIT)


def choose(page, lang):
    page.click(f".lang[data-lang={lang}]")
    page.wait_for_function(f"document.documentElement.lang.startsWith('{lang}')")


def find(page, q, pick="", shots=""):
    page.click("#btn-find")
    page.fill("#search-q", q)
    page.wait_for_selector("#results .person")
    if shots:
        shot(page, shots)
    page.locator("#results .person .pname", has_text=pick).first.click()
    page.wait_for_selector("body[data-screen=verify]")


def presence(svc, attendee_id):
    row = svc.store.one(
        "SELECT state FROM presence WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    return row["state"] if row else None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_find_me_asks_for_proof_refuses_a_wrong_answer_then_checks_in(kiosk, make, svc, lang):
    attendee_id, _ = make.attendee(
        full_name="王建国", company="上海电气", email="jianguo.wang@example.cn", phone="13800138000"
    )
    make.attendee(full_name="王建", company="上海电气", email="jian.wang@example.cn")
    choose(kiosk, lang)
    find(kiosk, "wangjian", pick="王建国", shots=f"search-{lang}")
    # Names only: a stranger at the kiosk learns no company and no contact detail.
    assert kiosk.locator("#results .person").all_text_contents() == ["王建", "王建国"]
    assert kiosk.inner_text("#verify-title") == TEXT[lang]["title"]
    assert kiosk.inner_text("#verify-name") == "王建国"
    assert "上海电气" not in kiosk.inner_text("body")
    shot(kiosk, f"find-me-{lang}")
    kiosk.fill("#verify-answer", "1234")
    kiosk.click("#btn-verify")
    kiosk.wait_for_selector("#verify-answer.invalid")
    assert kiosk.inner_text("#verify-error") == TEXT[lang]["wrong"]
    assert kiosk.input_value("#verify-answer") == ""
    assert presence(svc, attendee_id) is None
    shot(kiosk, f"find-me-wrong-{lang}")
    kiosk.fill("#verify-answer", "JIANGUO.WANG@example.cn")
    kiosk.click("#btn-verify")
    kiosk.wait_for_selector("#screen-result[data-kind=ok]")
    assert kiosk.inner_text("#result-title") == TEXT[lang]["welcome"].format(name="王建国")
    assert presence(svc, attendee_id) == "in"


def test_a_walk_up_match_proves_it_in_english(kiosk, make, svc):
    attendee_id, _ = make.attendee(
        full_name="Maria Rossi", company="Ferri SpA", email="maria.rossi@example.it"
    )
    choose(kiosk, "en")
    kiosk.click("#btn-register")
    kiosk.click('[data-category="visitor"]')  # then one step at a time
    kiosk.fill("#reg-full_name", "M. Rossi")
    kiosk.click("#reg-next")
    kiosk.wait_for_selector("#reg-form[data-step=work]")
    kiosk.click("#reg-next")
    kiosk.fill("#reg-email", "maria.rossi@example.it")
    kiosk.click("#reg-next")
    kiosk.check('[data-consent="terms"]')
    kiosk.click("#reg-submit")
    kiosk.wait_for_selector("body[data-screen=verify]")
    assert kiosk.inner_text("#verify-title") == TEXT["en"]["known"]
    body = kiosk.inner_text("body")
    assert "Maria Rossi" not in body and "Ferri" not in body
    shot(kiosk, "walk-up-known-en")
    kiosk.fill("#verify-answer", "maria.rossi@example.it")
    kiosk.click("#btn-verify")
    kiosk.wait_for_selector("#screen-result[data-kind=ok]")
    assert kiosk.inner_text("#result-title") == "Welcome, Maria Rossi!"
    assert presence(svc, attendee_id) == "in"
    assert svc.store.one("SELECT count(*) AS n FROM attendees")["n"] == 1


def test_too_many_wrong_answers_end_at_the_desk_then_idle(kiosk, make, svc):
    attendee_id, _ = make.attendee(full_name="陈静", phone="13900001111")
    choose(kiosk, "zh")
    find(kiosk, "chenjing")
    for guess in range(identity.WRONG_ANSWERS.limit):
        kiosk.fill("#verify-answer", f"{guess:04d}")
        kiosk.click("#btn-verify")
        # A wrong answer is cleared from the field once the kiosk has its reply.
        kiosk.wait_for_function(
            "document.querySelector('#verify-answer').value === ''"
            " && document.querySelector('#busy').hidden"
        )
        assert kiosk.inner_text("#verify-error") == TEXT["zh"]["wrong"]
    kiosk.fill("#verify-answer", "1111")
    kiosk.click("#btn-verify")
    kiosk.wait_for_selector("#screen-result[data-kind=bad]")
    assert kiosk.inner_text("#result-title") == TEXT["zh"]["too_many"]
    assert "分钟" in kiosk.inner_text("#result-detail")
    shot(kiosk, "too-many-zh")
    assert presence(svc, attendee_id) is None
    kiosk.click("#screen-result [data-back]")
    kiosk.wait_for_selector("body[data-screen=idle]")


def test_a_person_with_no_contact_on_file_is_sent_to_the_desk(kiosk, make):
    make.attendee(full_name="Li Na", email="", category="vip")
    choose(kiosk, "en")
    find(kiosk, "li na")
    kiosk.fill("#verify-answer", "0000")
    kiosk.click("#btn-verify")
    kiosk.wait_for_selector("#screen-result[data-kind=bad]")
    assert kiosk.inner_text("#result-title") == TEXT["en"]["desk"]
    shot(kiosk, "desk-en")


def test_back_from_the_question_returns_to_idle_and_forgets_the_answer(kiosk, make):
    make.attendee(full_name="Zhao Lei", phone="13711112222")
    find(kiosk, "zhao lei")
    kiosk.fill("#verify-answer", "22")
    kiosk.click("#screen-verify [data-back]")
    kiosk.wait_for_selector("body[data-screen=idle]")
    assert kiosk.input_value("#verify-answer") == ""
