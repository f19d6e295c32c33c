"""Two kiosks scanning one badge at the same instant make one check-in (real server, real threads)."""

import threading

import requests

from conftest import BOTH_DATABASES, auth

pytestmark = BOTH_DATABASES


def test_simultaneous_scans_of_one_badge_make_one_checkin(live_server, make, svc):
    badges = [make.attendee()[1] for _ in range(10)]
    tokens = [make.device(gate=g) for g in ("north", "south", "north", "south")]
    for code in badges:
        barrier = threading.Barrier(len(tokens))
        answers = []

        def scan(token, code=code, barrier=barrier, answers=answers):
            session = requests.Session()
            barrier.wait()
            res = session.post(
                live_server.url + "/api/v1/checkins",
                headers=auth(token),
                json={"code": code, "gate": "north"},
                timeout=20,
            )
            answers.append((res.status_code, res.json()))

        threads = [threading.Thread(target=scan, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200, 200, 200, 201], answers
        assert {body.get("reason") for status, body in answers if status == 200} == {
            "already_checked_in"
        }
    rows = svc.store.query(
        "SELECT attendee_id, count(*) AS n FROM interactions"
        " WHERE type = 'checked_in' GROUP BY attendee_id"
    )
    assert len(rows) == 10 and all(r["n"] == 1 for r in rows)


def test_retries_with_one_nonce_from_many_threads_record_once(live_server, make, svc):
    _, code = make.attendee()
    token = make.device()
    barrier = threading.Barrier(6)
    answers = []

    def scan():
        barrier.wait()
        res = requests.post(
            live_server.url + "/api/v1/checkins",
            headers=auth(token),
            json={"code": code, "gate": "north", "nonce": "same"},
            timeout=20,
        )
        answers.append((res.status_code, res.json()))

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {201}
    assert len({body["at"] for _, body in answers}) == 1
    assert svc.store.one("SELECT count(*) FROM interactions WHERE type = 'checked_in'")[0] == 1
