"""No client input reaches a server error: every API route, every role, bodies of every wrong shape."""

from __future__ import annotations

import random
import re

import pytest

from conftest import auth

# Every field name the API reads somewhere, so that each handler meets its own fields malformed.
FIELDS = [
    "code",
    "gate",
    "direction",
    "attendee_id",
    "nonce",
    "full_name",
    "email",
    "phone",
    "company",
    "job_title",
    "country",
    "category",
    "consents",
    "language",
    "rating",
    "notes",
    "answers",
    "follow_up",
    "client_ref",
    "scanned_at",
    "scans",
    "type",
    "place",
    "satisfaction",
    "recommend",
    "return_intent",
    "purpose",
    "comment",
    "reprint",
    "printer",
    "agree",
    "name",
    "booth",
    "role",
    "exhibitor_id",
    "fields",
    "at",
    "q",
    "template",
    "questions",
    "label",
    "options",
    "kind",
    "device_id",
]
WRONG = [
    None,
    "",
    "x",
    "x" * 20_000,
    0,
    -1,
    2**70,
    1.5,
    True,
    [],
    ["x"],
    [[1]],
    {},
    {"a": {"b": 1}},
    "\u0000",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "2026-13-45T99:99",
    "K1-" + "A" * 40,
]
QUERY = "?q=%ff%fe&limit=-5&offset=abc&since=zz&rating=x&lang=zz&template=../x&answer.q1=%00"
BODIES_PER_ROUTE = 12


def _routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def _fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", value, rule)


@pytest.fixture
def tokens(make):
    exhibitor = make.exhibitor()
    return {
        "kiosk": auth(make.device("kiosk")),
        "exhibitor": auth(make.device("exhibitor", exhibitor_id=exhibitor)),
        "staff": auth(make.device("staff")),
        "nobody": {},
    }


def test_no_body_query_or_path_makes_a_server_error(app, client, make, tokens):
    attendee_id, code = make.attendee(full_name="张伟", company="Acme", phone="+8613800138000")
    rng = random.Random(2026)
    failures = []
    for method, rule in _routes(app):
        for ident in ("0", str(attendee_id), "99999999999999999999"):
            url = _fill(rule, ident)
            for role, headers in tokens.items():
                requests = [{}, {"query_string": QUERY[1:]}]
                if method != "GET":
                    requests += [
                        {"data": b"\xff\xfe{{", "content_type": "application/json"},
                        {"data": "a=1", "content_type": "application/x-www-form-urlencoded"},
                        {"json": [1, 2]},
                        {"json": "text"},
                    ]
                    for _ in range(BODIES_PER_ROUTE):
                        keys = rng.sample(FIELDS, k=rng.randint(1, 8))
                        body = {k: rng.choice(WRONG + [code]) for k in keys}
                        requests.append({"json": body})
                for kw in requests:
                    res = client.open(url, method=method, headers=headers, **kw)
                    if res.status_code >= 500:
                        failures.append((method, url, role, kw, res.status_code))
    assert failures == []


def test_ids_past_64_bits_and_deep_nesting_are_refused_naming_the_problem(client, make):
    kiosk = {"Authorization": f"Bearer {make.device('kiosk')}"}
    staff = {"Authorization": f"Bearer {make.device('staff')}"}
    res = client.post(
        "/api/v1/checkins", json={"attendee_id": 2**70, "gate": "north"}, headers=kiosk
    )
    assert res.status_code == 422 and "attendee_id" in res.get_json()["fields"]
    for path in ("/api/v1/leads", "/api/v1/leads.csv", "/api/v1/leads.vcf"):
        res = client.get(f"{path}?exhibitor_id=99999999999999999999999", headers=staff)
        assert res.status_code == 422 and "exhibitor_id" in res.get_json()["fields"], path
    res = client.get("/api/v1/leads?exhibitor_id=\u0661", headers=staff)
    assert res.status_code == 422
    json_headers = {**kiosk, "Content-Type": "application/json"}
    for body in (
        '{"code": ' + "[" * 1000 + "]" * 1000 + ', "gate": "north"}',
        '{"a":' * 1000 + "1" + "}" * 1000,
    ):
        for path in ("/api/v1/checkins", "/api/v1/registrations", "/api/v1/interactions"):
            res = client.post(path, data=body, headers=json_headers)
            assert res.status_code == 400, path
            assert res.get_json() == {
                "error": "bad_request",
                "message": "the body is nested too deeply",
            }
