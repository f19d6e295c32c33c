"""The staff live page in Chromium: counts move without a reload."""

import pytest
import requests

from conftest import auth

pytestmark = pytest.mark.browser


def test_a_checkin_moves_the_counts_and_lists_the_visitor(browser, live_server, make):
    _, code = make.attendee(full_name="刘洋")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/live#token={make.device('staff')}")
    page.wait_for_function("document.querySelector('#registered').textContent === '1'")
    assert page.text_content("#checked_in") == "0"
    res = requests.post(
        f"{live_server.url}/api/v1/checkins",
        json={"code": code, "gate": "north"},
        headers=auth(make.device("kiosk", gate="north")),
        timeout=5,
    )
    assert res.status_code == 201
    page.wait_for_function("document.querySelector('#inside_now').textContent === '1'")
    assert "刘洋" in page.text_content("#latest")
    assert "North 1" in page.text_content("#gates")
    context.close()


def test_a_kiosk_token_is_refused_by_the_staff_page(browser, live_server, make):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/live#token={make.device('kiosk')}")
    page.wait_for_selector("#pair:not(.hidden)")
    assert page.text_content("#registered") == "–"
    context.close()
