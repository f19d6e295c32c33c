"""The staff console in a real headless Chromium (the door and exit pages: test_floor_browser)."""

import re

import pytest
import requests

from conftest import STAFF_PASSWORD, auth
from kiosk.staff.accounts import create_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, url):
    page.goto(url + "/staff/people")
    assert "/staff/sign-in" in page.url
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/staff/people"))


def test_sign_in_and_see_a_checkin_arrive_without_reload(live_server, make, svc, page):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    _, code = make.attendee(full_name="林小红", company="Acme")
    page.goto(live_server.url + "/staff/live")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", "wrong password!")
    page.click("#sign-in")
    assert "Wrong name or password" in page.inner_text("#error")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/staff/live$"))
    page.wait_for_function("document.getElementById('registered').textContent === '1'")
    assert page.inner_text("#checked_in") == "0"
    res = requests.post(
        live_server.url + "/api/v1/checkins",
        json={"code": code, "gate": "north"},
        headers=auth(make.device("kiosk")),
        timeout=10,
    )
    assert res.status_code == 201
    page.wait_for_function("document.getElementById('checked_in').textContent === '1'")
    assert "林小红" in page.inner_text("#latest")
    assert page.locator("#arrivals svg rect").count() >= 1


def test_fix_a_name_reprint_and_merge(live_server, make, svc, page):
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    keep, old_code = make.attendee(full_name="Jon Smith", email="jon@example.com")
    dup, _ = make.attendee(full_name="John Smith", email="john.smith@example.com")
    sign_in(page, live_server.url)
    page.fill("#q", "smith")
    page.press("#q", "Enter")
    page.click(f"#results a[href='/staff/people/{keep}']")
    page.fill("#edit input[name=full_name]", "John Smith")
    page.click("#save")
    page.wait_for_selector("text=Saved: Full name")
    assert "John Smith" in page.inner_text("#person-name")
    page.click("#reprint")
    page.click("#confirm-ok")
    page.wait_for_selector("text=New badge issued")
    assert re.search(r"New badge \(version \d+\) issued by alice", page.inner_text("#timeline"))
    kiosk = make.device("kiosk")
    refused = requests.post(
        live_server.url + "/api/v1/checkins",
        json={"code": old_code, "gate": "north"},
        headers=auth(kiosk),
        timeout=10,
    )
    assert refused.json()["reason"] == "revoked"
    page.fill("#merge input[name=other_id]", str(dup))
    page.click("#merge button")
    page.click("#confirm-ok")
    page.wait_for_selector(f"text=Person {dup} merged into this record")
    assert f"(from #{dup})" in page.inner_text("#timeline")
    row = svc.store.one("SELECT status, merged_into FROM attendees WHERE id = :dup", {"dup": dup})
    assert (row["status"], row["merged_into"]) == ("merged", keep)
    # A signed-in staff phone can work a session door without a device token.
    new_code = requests.get(
        f"{live_server.url}/api/v1/attendees/{keep}", headers=auth(make.device("staff")), timeout=10
    ).json()["badge"]["code"]
    page.goto(live_server.url + "/door?session=forum-1")
    page.fill("#code", new_code)
    page.press("#code", "Enter")
    page.wait_for_selector("#who")
    assert page.inner_text("#who") == "John Smith"
    # The forum was on 24 November: outside its time, the door staff count the person in anyway.
    page.click("#confirm")
    page.wait_for_selector("#result[data-kind=warn]")
    assert page.inner_text("#count") == "1 / 200"


def test_review_likely_duplicates_merge_one_dismiss_another(live_server, make, svc, page):
    from conftest import SCREENSHOTS

    create_staff(svc.store, "alice", STAFF_PASSWORD)
    a, _ = make.attendee(full_name="张伟", company="华为", phone="+8613912340001")
    b, _ = make.attendee(full_name="Zhang Wei", email="zw@private.example", phone="+8613912340001")
    c, _ = make.attendee(full_name="Anna Müller", company="Bosch")
    d, _ = make.attendee(full_name="anna müller", company="BOSCH", email="anna@mailinator.com")
    sign_in(page, live_server.url)
    page.click("nav >> text=To review")
    page.wait_for_url(re.compile(r"/staff/review$"))
    assert page.locator("#duplicates tbody tr").count() == 2
    assert "Disposable e-mail domain" in page.inner_text("#flagged")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-review.png"), full_page=True)
    page.click(f'[data-pair="{a}-{b}"] [data-action="merge-{b}-into-{a}"]')
    page.click("#confirm-ok")
    page.wait_for_selector(f"text=#{b} merged into #{a}")
    page.click(f'[data-pair="{c}-{d}"] [data-action="dismiss"]')
    page.wait_for_selector("#no-duplicates")
    assert (
        svc.store.one("SELECT status FROM attendees WHERE id = :b", {"b": b})["status"] == "merged"
    )
    assert (
        svc.store.one("SELECT status FROM attendees WHERE id = :d", {"d": d})["status"] == "active"
    )
