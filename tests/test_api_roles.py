"""Every API endpoint checks the token (401) and the role (403)."""

import pytest

from conftest import auth

ROLE_TABLE = [
    ("POST", "/api/v1/checkins", {"kiosk", "staff"}),
    ("GET", "/api/v1/attendees?q=ab", {"kiosk", "staff"}),
    ("GET", "/api/v1/attendees/1", {"staff"}),
    ("GET", "/api/v1/stats", {"staff"}),
    ("GET", "/api/v1/me", {"kiosk", "exhibitor", "staff"}),
]


@pytest.mark.parametrize(("method", "path", "allowed"), ROLE_TABLE)
def test_roles(client, make, method, path, allowed):
    make.attendee()
    body = {"code": "K1-AAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAA", "gate": "north"}
    for role in ("kiosk", "exhibitor", "staff"):
        res = client.open(
            path,
            method=method,
            json=body if method == "POST" else None,
            headers=auth(make.device(role)),
        )
        if role in allowed:
            assert res.status_code not in (401, 403), (role, res.get_json())
        else:
            assert res.status_code == 403, role
            assert res.get_json()["error"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "allowed"), ROLE_TABLE)
def test_missing_or_bad_token_is_401(client, make, method, path, allowed):
    for headers in (
        {},
        {"Authorization": "Bearer kt_nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        res = client.open(path, method=method, json={}, headers=headers)
        assert res.status_code == 401
        assert res.get_json()["error"] == "unauthorized"


def test_every_api_route_is_protected_and_documented(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.spec":
            continue
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "openapi"), f"{rule.rule} has no role check"
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert path in spec["paths"], path


def test_revoked_device_is_refused(client, make, svc):
    token = make.device("staff")
    assert client.get("/api/v1/stats", headers=auth(token)).status_code == 200
    with svc.store.write() as conn:
        conn.execute("UPDATE devices SET revoked_at = 'now'")
    assert client.get("/api/v1/stats", headers=auth(token)).status_code == 401


def test_tokens_are_stored_hashed(make, svc):
    token = make.device("kiosk")
    stored = [r[0] for r in svc.store.query("SELECT token_hash FROM devices")]
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_unknown_api_path_and_method_answer_json(client, make):
    res = client.get("/api/v1/nothing-here", headers=auth(make.device()))
    assert res.status_code == 404 and res.get_json()["error"] == "not_found"
    res = client.delete("/api/v1/checkins", headers=auth(make.device()))
    assert res.status_code == 405 and "error" in res.get_json()
