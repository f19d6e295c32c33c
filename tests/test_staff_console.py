"""Staff console security: sign-in, sessions that expire, lock-out, CSRF, roles on pages and events."""

import re
import time

import pytest
from click.testing import CliRunner

from conftest import STAFF_PASSWORD as PASSWORD
from conftest import auth, csrf_from
from kiosk.staff.accounts import create_staff


def sign_in(client, name="alice", password=PASSWORD):
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    return client.post(
        "/staff/sign-in", data={"name": name, "password": password, "csrf_token": token}
    )


@pytest.fixture
def alice(svc):
    return create_staff(svc.store, "alice", PASSWORD)


def console_get_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff") and "GET" in rule.methods and "sign-in" not in rule.rule:
            yield re.sub(r"<int:\w+>", "1", rule.rule)


def console_post_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff") and "POST" in rule.methods and "sign-" not in rule.rule:
            yield re.sub(r"<int:\w+>", "1", rule.rule)


def test_no_console_page_or_action_without_sign_in(app, client, make, svc):
    make.attendee()
    gets, posts = list(console_get_routes(app)), list(console_post_routes(app))
    assert "/staff/live" in gets and "/staff/audit.csv" in gets and len(posts) >= 10
    for path in gets:
        res = client.get(path)
        assert res.status_code == 302 and "/staff/sign-in" in res.headers["Location"], path
    audit_rows = svc.store.one("SELECT count(*) FROM audit_log")[0]
    # With a valid CSRF token (a visitor of the sign-in page has one) but no sign-in: refused.
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    for path in posts:
        res = client.post(
            path, data={"csrf_token": token, "name": "x", "booth": "y", "role": "kiosk"}
        )
        assert res.status_code == 302 and "/staff/sign-in" in res.headers["Location"], path
    assert svc.store.one("SELECT count(*) FROM audit_log")[0] == audit_rows


def test_device_tokens_do_not_open_console_pages(client, make):
    for role in ("kiosk", "exhibitor", "staff"):
        res = client.get("/staff/people", headers=auth(make.device(role)))
        assert res.status_code == 302


def test_sign_in_opens_the_console_and_sign_out_closes_it(staff_client, svc):
    page = staff_client.get("/staff/live")
    assert page.status_code == 200 and "alice" in page.get_data(as_text=True)
    actions = [r["action"] for r in svc.store.query("SELECT action FROM audit_log")]
    assert "staff.sign_in" in actions
    token = csrf_from(page.get_data(as_text=True))
    staff_client.post("/staff/sign-out", data={"csrf_token": token})
    assert staff_client.get("/staff/live").status_code == 302


def test_next_is_kept_but_only_for_console_paths(client, alice):
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    data = {"name": "alice", "password": PASSWORD, "csrf_token": token}
    res = client.post("/staff/sign-in?next=/staff/audit", data=data)
    assert res.headers["Location"].endswith("/staff/audit")
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    res = client.post("/staff/sign-in?next=//evil.example/", data={**data, "csrf_token": token})
    assert res.headers["Location"].endswith("/staff/live")


def test_wrong_passwords_lock_the_account(client, alice, svc):
    for _ in range(4):
        assert sign_in(client, password="wrong password!").status_code == 401
    res = sign_in(client, password="wrong password!")
    assert res.status_code == 429 and "锁定" in res.get_data(as_text=True)
    # Even the right password is refused while locked.
    assert sign_in(client).status_code == 429
    assert client.get("/staff/live").status_code == 302
    row = svc.store.one("SELECT failed_count, locked_until FROM staff_users WHERE name = 'alice'")
    assert row["failed_count"] == 5 and row["locked_until"]
    failed = svc.store.query("SELECT * FROM audit_log WHERE action = 'staff.sign_in_failed'")
    assert len(failed) == 5


def test_unknown_name_is_refused_like_a_wrong_password(client, alice):
    assert sign_in(client, name="mallory").status_code == 401


def test_an_unknown_name_locks_out_like_an_account_so_names_cannot_be_told_apart(client, alice):
    answers = [sign_in(client, name="mallory", password="wrong password!") for _ in range(6)]
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429, 429]
    assert "锁定" in answers[-1].get_data(as_text=True)
    assert sign_in(client).status_code == 302  # the real account is not affected


def test_password_reset_on_the_command_line_lifts_the_lock(client, alice, settings):
    from kiosk.cli import cli

    for _ in range(5):
        sign_in(client, password="wrong password!")
    args = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    res = CliRunner().invoke(
        cli,
        ["staff", "password", "--name", "alice", "--password-stdin", *args],
        input="another long secret\n",
    )
    assert res.exit_code == 0, res.output
    assert sign_in(client, password="another long secret").status_code == 302


def test_staff_add_on_the_command_line(settings, client):
    from kiosk.cli import cli

    args = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    res = CliRunner().invoke(
        cli, ["staff", "add", "--name", "bob", "--password-stdin", *args], input=PASSWORD + "\n"
    )
    assert res.exit_code == 0 and "bob" in res.output
    short = CliRunner().invoke(
        cli, ["staff", "add", "--name", "carol", "--password-stdin", *args], input="short\n"
    )
    assert short.exit_code != 0
    assert sign_in(client, name="bob").status_code == 302


def test_idle_session_expires(staff_client):
    assert staff_client.get("/staff/live").status_code == 200
    with staff_client.session_transaction() as sess:
        sess["staff"] = {**sess["staff"], "seen": int(time.time()) - 31 * 60}
    assert staff_client.get("/staff/live").status_code == 302


def test_session_expires_after_its_lifetime_even_when_busy(staff_client):
    with staff_client.session_transaction() as sess:
        sess["staff"] = {**sess["staff"], "since": int(time.time()) - 13 * 3600}
    assert staff_client.get("/staff/live").status_code == 302


def test_form_without_csrf_token_is_refused(staff_client, svc):
    res = staff_client.post("/staff/exhibitors", data={"name": "Acme", "booth": "A1"})
    assert res.status_code == 400 and "CSRF" in res.get_data(as_text=True)
    assert svc.store.one("SELECT count(*) FROM exhibitors")[0] == 0
    res = staff_client.post(
        "/staff/exhibitors", data={"name": "Acme", "booth": "A1", "csrf_token": "forged"}
    )
    assert res.status_code == 400


def test_signed_in_session_calls_the_staff_api_with_csrf_for_writes(staff_client, make):
    attendee_id, code = make.attendee(full_name="王芳")
    assert staff_client.get(f"/api/v1/attendees/{attendee_id}").status_code == 200
    body = {"code": code, "gate": "north"}
    refused = staff_client.post("/api/v1/checkins", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    token = csrf_from(staff_client.get("/staff/live").get_data(as_text=True))
    ok = staff_client.post("/api/v1/checkins", json=body, headers={"X-CSRFToken": token})
    assert ok.status_code == 201
    # A bearer token needs no CSRF token: another site cannot send it.
    again = staff_client.post(
        "/api/v1/checkins", json={**body, "direction": "out"}, headers=auth(make.device("staff"))
    )
    assert again.status_code == 201


@pytest.mark.parametrize("role", ["kiosk", "exhibitor"])
def test_kiosk_and_exhibitor_tokens_cannot_reach_staff_endpoints(client, make, role):
    headers = auth(make.device(role))
    for path in ("/api/v1/stats", "/api/v1/dashboard", "/api/v1/attendees/1"):
        assert client.get(path, headers=headers).status_code == 403


def socket(app, client, token=None):
    sio = app.extensions["socketio"]
    return sio.test_client(
        app,
        namespace="/live",
        auth={"token": token} if token else None,
        flask_test_client=client,
    )


def names(received):
    return {e["name"] for e in received}


@pytest.mark.parametrize("role", ["kiosk", "exhibitor"])
def test_kiosk_and_exhibitor_sockets_get_no_staff_events(app, client, make, role):
    sc = socket(app, client, make.device(role))
    assert sc.is_connected("/live")
    assert sc.emit("snapshot", {}, namespace="/live", callback=True) == {"error": "forbidden"}
    _, code = make.attendee()
    client.post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(make.device())
    )
    assert not names(sc.get_received("/live")) & {"dashboard", "devices", "stats", "checkin"}


def test_socket_without_token_or_session_is_refused(app, client):
    assert not socket(app, client).is_connected("/live")


def test_signed_in_browser_session_connects_and_catches_up(app, staff_client, make):
    _, code = make.attendee()
    staff_client.post(
        "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=auth(make.device())
    )
    sc = socket(app, staff_client)
    assert sc.is_connected("/live")
    received = sc.get_received("/live")
    dashboard = [e["args"][0] for e in received if e["name"] == "dashboard"][0]
    assert dashboard["stats"]["checked_in"] == 1 and dashboard["latest"][0]["place"] == "north"
    answer = sc.emit("snapshot", {}, namespace="/live", callback=True)
    assert answer["dashboard"]["stats"]["inside_now"] == 1
