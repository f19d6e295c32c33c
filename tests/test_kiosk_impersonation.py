"""Attacks at an unattended kiosk, against the real server: a stranger tries to get someone
else's badge (walk-up, find me, badge.png), to unmask contact details through search, and to
guess their way past the limits. Staff keep their full powers."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import requests
import zxingcpp
from PIL import Image

from conftest import auth
from kiosk.checkin import identity

VICTIM = {
    "full_name": "张伟",
    "company": "华为技术有限公司",
    "email": "zhang.wei@huawei.example.cn",
    "phone": "+86 139 0000 0000",
}


@pytest.fixture
def show(live_server, make):
    """The real server, the victim on file, and a stranger's kiosk."""
    victim, code = make.attendee(**VICTIM)
    make.attendee(full_name="张伟明", company="美的集团", email="zwm@example.cn")

    class Show:
        url = live_server.url + "/api/v1"
        kiosk = auth(make.device("kiosk", gate="north"))
        staff = auth(make.device("staff"))

        def __init__(self):
            self.victim, self.code = victim, code

        def get(self, path, headers=None, **params):
            return requests.get(
                self.url + path, params=params, headers=headers or self.kiosk, timeout=10
            )

        def post(self, path, body=None, headers=None):
            return requests.post(
                self.url + path, json=body, headers=headers or self.kiosk, timeout=10
            )

        def search(self, q, headers=None):
            res = self.get("/attendees", headers, q=q)
            assert res.status_code == 200, res.text
            return res.json()["attendees"]

    return Show()


def leaks(res) -> list[str]:
    """What of the victim an answer gives away."""
    text = json.dumps(res.json(), ensure_ascii=False)
    return [s for s in ("张伟", "华为", "huawei", "0000", "zhang.wei") if s in text]


def test_walk_up_with_a_victims_email_gets_no_name_no_badge(show):
    res = show.post(
        "/registrations",
        {"full_name": "Mallory", "email": VICTIM["email"].upper(), "consents": {"terms": True}},
    )
    assert res.status_code == 409 and res.json()["error"] == "already_registered"
    assert set(res.json()) == {"error", "message", "attendee_id"} and leaks(res) == []
    attendee_id = res.json()["attendee_id"]
    # "That's me, print my badge": refused without the proof, and with a guess.
    res = show.post("/checkins", {"attendee_id": attendee_id, "gate": "north"})
    assert res.status_code == 422 and res.json()["error"] == "verification_required"
    assert leaks(res) == []
    res = show.post("/checkins", {"attendee_id": attendee_id, "gate": "north", "verify": "1234"})
    assert res.status_code == 422 and res.json()["error"] == "verification_failed"
    assert leaks(res) == []
    for path in ("badge.png", "badge.pdf"):
        assert show.get(f"/attendees/{attendee_id}/{path}").status_code == 403
    assert show.post(f"/attendees/{attendee_id}/print").status_code == 403


def test_find_me_by_name_gets_no_check_in_without_the_proof(show):
    found = show.search("zhangwei")
    assert found == [
        {"id": show.victim, "full_name": "张伟"},
        {"id": found[1]["id"], "full_name": "张伟明"},
    ]
    res = show.post("/checkins", {"attendee_id": show.victim, "gate": "north"})
    assert res.status_code == 422 and res.json()["error"] == "verification_required"
    presence = show.get(f"/attendees/{show.victim}", show.staff).json()["timeline"]
    assert [t["type"] for t in presence] == ["registered"]
    # The person themselves knows the answer.
    res = show.post("/checkins", {"attendee_id": show.victim, "gate": "north", "verify": "0000"})
    assert res.status_code == 201 and res.json()["attendee"]["company"] == VICTIM["company"]


def test_a_badge_png_of_someone_else_is_refused_its_own_is_not(show, make):
    other_kiosk = auth(make.device("kiosk", gate="north"))
    assert show.post("/checkins", {"code": show.code, "gate": "north"}).status_code == 201
    mine = show.get(f"/attendees/{show.victim}/badge.png")
    assert mine.status_code == 200
    image = np.asarray(Image.open(io.BytesIO(mine.content)).convert("L"))
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [show.code]
    # Another kiosk (or the same one for anybody else) cannot lift the code from the image.
    res = show.get(f"/attendees/{show.victim}/badge.png", other_kiosk)
    assert res.status_code == 403 and res.json()["error"] == "not_served_here"
    for attendee_id in (show.victim + 1, 9_999):
        assert show.get(f"/attendees/{attendee_id}/badge.png").status_code == 403


def test_fragments_of_contact_details_find_nobody(show):
    fragments = [
        "0000",
        "00",
        "9000",
        "139",
        "+86 139",
        "1390000",
        "huawei",
        "@huawei.example.cn",
        "huawei.example.cn",
        "zhang.wei@huawei",
        "华为",
    ]
    for q in fragments:
        assert show.search(q) == [], q
    # Masked hints are gone: nothing to unmask by searching.
    found = show.search(VICTIM["email"])
    assert found == [{"id": show.victim, "full_name": "张伟"}]
    assert show.search("139 0000 0000") == found
    assert show.search("13900000001") == []
    # Staff keep substring search with the whole record.
    staff = show.search("0000", show.staff)
    assert staff[0]["phone"] == "+8613900000000" and staff[0]["email"] == VICTIM["email"]


def test_searches_and_wrong_answers_are_limited_with_retry_after(show, make):
    for _ in range(identity.SEARCHES.limit):
        show.get("/attendees", q="zhangwei")
    res = show.get("/attendees", q="zhangwei")
    assert res.status_code == 429 and 0 < int(res.headers["Retry-After"]) <= 60
    guesser = auth(make.device("kiosk", gate="north"))
    for guess in range(identity.WRONG_ANSWERS.limit):
        body = {"attendee_id": show.victim, "gate": "north", "verify": f"{guess + 1:04d}"}
        assert show.post("/checkins", body, guesser).status_code == 422
    body = {"attendee_id": show.victim, "gate": "north", "verify": "0000"}
    res = show.post("/checkins", body, guesser)
    assert res.status_code == 429 and int(res.headers["Retry-After"]) > 0
    assert leaks(res) == []
    # Staff are never held up, and need no proof.
    for _ in range(identity.SEARCHES.limit + 1):
        assert show.get("/attendees", show.staff, q="0000").status_code == 200
    res = show.post("/checkins", {"attendee_id": show.victim, "gate": "north"}, show.staff)
    assert res.status_code == 201
    assert show.get(f"/attendees/{show.victim}/badge.png", show.staff).status_code == 200
