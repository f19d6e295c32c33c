"""Printing through a real CUPS queue (cups-pdf): the PDF arrives; a stopped queue alerts staff."""

from __future__ import annotations

import os
import pwd
import re
import secrets
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import requests
import zxingcpp
from PIL import Image

from conftest import BOTH_DATABASES, EVENT_TOML, ROOT, Factory, LiveServer, auth, load_settings
from kiosk import create_app
from kiosk.services import open_services

pytestmark = BOTH_DATABASES


def _cups_pdf_dir() -> Path:
    out = "/var/spool/cups-pdf/${USER}"
    for line in Path("/etc/cups/cups-pdf.conf").read_text().splitlines():
        if line.startswith("Out "):
            out = line.split(None, 1)[1].strip()
    user = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


@pytest.fixture(scope="module")
def queue():
    """A cups-pdf queue of its own, made by scripts/cups-setup (starts cupsd when needed)."""
    if os.getuid() != 0:
        pytest.fail("printing tests need root to start cupsd and add a queue: run ./scripts/test")
    name = f"kiosk-test-{secrets.token_hex(3)}"
    subprocess.run([str(ROOT / "scripts" / "cups-setup"), name], check=True, capture_output=True)
    yield name
    subprocess.run(["lpadmin", "-x", name], check=False, capture_output=True)


def _show(tmp_path, printer: str, database_url: str | None = None):
    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        '[kiosks.north-1]\ngate = "north"\nprinter = ""',
        f'[kiosks.north-1]\ngate = "north"\nprinter = "{printer}"',
    )
    assert printer == "" or printer in text
    settings = load_settings(tmp_path, text, database_url=database_url)
    svc = open_services(settings)
    app = create_app(settings, testing=True)
    return settings, svc, app, app.test_client(), Factory(svc)


def _kiosk_serving(client, make, code: str, **device) -> dict:
    """A kiosk's headers after it checked the badge in: a kiosk prints only for such a person."""
    headers = auth(make.device("kiosk", **device))
    res = client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": device.get("gate", "north")},
        headers=headers,
    )
    assert res.status_code == 201, res.get_json()
    return headers


def _wait_for_pdf(job: str, timeout: float = 30) -> Path:
    number = re.search(r"-(\d+)$", job)[1]
    folder = _cups_pdf_dir()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(folder.glob(f"*-job_{number}.pdf")) if folder.is_dir() else []
        if found and found[0].stat().st_size > 0:
            time.sleep(0.3)  # cups-pdf renames the finished file into place
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no PDF for job {job} in {folder}")


def _types(svc, attendee_id):
    return [
        r["type"]
        for r in svc.store.query(
            "SELECT type FROM interactions WHERE attendee_id = :attendee_id ORDER BY id",
            {"attendee_id": attendee_id},
        )
    ]


def test_badge_pdf_arrives_through_cups(tmp_path, queue):
    _, svc, _, client, make = _show(tmp_path, queue)
    attendee_id, code = make.attendee(full_name="赵丽颖", company="北京星光传媒")
    kiosk = _kiosk_serving(client, make, code, name="north-1")
    res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=kiosk)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["status"] == "queued" and body["printer"] == queue
    pdf = _wait_for_pdf(body["cups_job"])
    png = tmp_path / "printed.png"
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-sDEVICE=pnggray", "-r200", "-o", str(png), str(pdf)], check=True
    )
    page = Image.open(png)
    assert page.size == pytest.approx((800, 600), abs=4)  # 4 x 3 inches at 200 dpi
    assert [b.text for b in zxingcpp.read_barcodes(np.asarray(page))] == [code]
    job = svc.store.one("SELECT * FROM print_jobs WHERE id = :job_id", {"job_id": body["job_id"]})
    assert job["status"] == "queued" and job["cups_job"] == body["cups_job"]
    assert "badge_printed" in _types(svc, attendee_id)


def test_a_stopped_queue_keeps_the_checkin_and_alerts_staff(tmp_path, queue, database_url):
    _, svc, app, client, make = _show(tmp_path, queue, database_url)
    attendee_id, code = make.attendee()
    kiosk = auth(make.device("kiosk", name="north-1"))
    socketio = app.extensions["socketio"]
    staff = socketio.test_client(app, namespace="/live", auth={"token": make.device("staff")})
    staff.get_received("/live")
    assert (
        client.post(
            "/api/v1/checkins", json={"code": code, "gate": "north"}, headers=kiosk
        ).status_code
        == 201
    )
    subprocess.run(["cupsdisable", queue], check=True)
    try:
        res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=kiosk)
    finally:
        subprocess.run(["cupsenable", queue], check=True)
    assert res.status_code == 503
    body = res.get_json()
    assert body["error"] == "print_failed" and body["reason"] == "stopped"
    assert (
        svc.store.one(
            "SELECT state FROM presence WHERE attendee_id = :attendee_id",
            {"attendee_id": attendee_id},
        )["state"]
        == "in"
    )
    assert _types(svc, attendee_id)[-2:] == ["checked_in", "print_failed"]
    alerts = [e["args"][0] for e in staff.get_received("/live") if e["name"] == "alert"]
    # The printer watch may also have seen the stopped queue and said so first.
    failed = [a for a in alerts if a["kind"] == "print_failed"]
    assert failed and failed[0]["printer"] == queue and failed[0]["gate"] == "north"


def test_a_missing_printer_takes_the_alert_path(tmp_path, queue):
    _, svc, _, client, make = _show(tmp_path, "no-such-printer")
    attendee_id, code = make.attendee()
    res = client.post(
        f"/api/v1/attendees/{attendee_id}/print",
        headers=_kiosk_serving(client, make, code, name="north-1"),
    )
    assert res.status_code == 503 and res.get_json()["reason"] == "missing"
    job = svc.store.one(
        "SELECT * FROM print_jobs WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert job["status"] == "failed" and job["reason"] == "missing"


def test_without_a_printer_the_browser_prints(tmp_path, database_url):
    _, svc, _, client, make = _show(tmp_path, "", database_url)
    attendee_id, code = make.attendee()
    res = client.post(
        f"/api/v1/attendees/{attendee_id}/print",
        headers=_kiosk_serving(client, make, code, name="north-1"),
    )
    body = res.get_json()
    assert res.status_code == 200 and body["status"] == "browser"
    assert body["png_url"] == f"/api/v1/attendees/{attendee_id}/badge.png"
    assert (body["width_mm"], body["height_mm"]) == (101.6, 76.2)
    assert _types(svc, attendee_id)[-1] == "badge_printed"


def test_a_browser_that_could_not_print_tells_staff(tmp_path, database_url):
    _, svc, app, client, make = _show(tmp_path, "", database_url)
    attendee_id, code = make.attendee()
    kiosk = _kiosk_serving(client, make, code, name="north-1")
    stranger = _kiosk_serving(client, make, make.attendee()[1], name="south-9")
    job = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=kiosk).get_json()
    socketio = app.extensions["socketio"]
    staff = socketio.test_client(app, namespace="/live", auth={"token": make.device("staff")})
    staff.get_received("/live")
    url = f"/api/v1/print-jobs/{job['job_id']}/failed"
    bad = client.post(url, json={"reason": "jammed"}, headers=kiosk)
    assert bad.status_code == 422 and "reason" in bad.get_json()["fields"]
    # Another kiosk cannot fail this kiosk's job, nor learn that it exists.
    assert client.post(url, json={"reason": "print"}, headers=stranger).status_code == 404
    assert (
        svc.store.one(
            "SELECT status FROM print_jobs WHERE id = :job_id", {"job_id": job["job_id"]}
        )[0]
        == "browser"
    )
    assert client.post(url, json={"reason": "image"}, headers=kiosk).status_code == 200
    assert client.post(url, json={"reason": "image"}, headers=kiosk).status_code == 200
    assert (
        svc.store.one(
            "SELECT status FROM print_jobs WHERE id = :job_id", {"job_id": job["job_id"]}
        )[0]
        == "failed"
    )
    assert _types(svc, attendee_id)[-2:] == ["badge_printed", "print_failed"]
    alerts = [e["args"][0] for e in staff.get_received("/live") if e["name"] == "alert"]
    assert [(a["kind"], a["reason"], a["device"]) for a in alerts] == [
        ("print_failed", "browser_image", "north-1")
    ]


def test_a_gate_names_the_printer_of_its_kiosks(tmp_path, queue):
    text = EVENT_TOML.read_text(encoding="utf-8").replace(
        'template = "badge-4x3"',
        f'template = "label-62mm"\ngate_printers = {{ south = "{queue}" }}',
    )
    settings = load_settings(tmp_path, text)
    svc = open_services(settings)
    client = create_app(settings, testing=True).test_client()
    make = Factory(svc)
    attendee_id, code = make.attendee()
    res = client.post(
        f"/api/v1/attendees/{attendee_id}/print",
        headers=_kiosk_serving(client, make, code, gate="south"),
    )
    body = res.get_json()
    assert res.status_code == 200 and body["printer"] == queue and body["template"] == "label-62mm"
    assert _wait_for_pdf(body["cups_job"]).stat().st_size > 1000


def test_staff_reprint_revokes_the_old_code(tmp_path, database_url):
    _, svc, _, client, make = _show(tmp_path, "", database_url)
    attendee_id, old_code = make.attendee()
    kiosk = auth(make.device("kiosk", name="north-1"))
    staff = auth(make.device("staff"))
    denied = client.post(
        f"/api/v1/attendees/{attendee_id}/print", json={"reprint": True}, headers=kiosk
    )
    assert denied.status_code == 403
    res = client.post(
        f"/api/v1/attendees/{attendee_id}/print", json={"reprint": True}, headers=staff
    )
    assert res.status_code == 200
    refused = client.post(
        "/api/v1/checkins", json={"code": old_code, "gate": "north"}, headers=kiosk
    )
    assert refused.get_json()["reason"] == "revoked"
    new = client.get(f"/api/v1/attendees/{attendee_id}", headers=staff).get_json()["badge"]["code"]
    assert new != old_code
    ok = client.post("/api/v1/checkins", json={"code": new, "gate": "north"}, headers=kiosk)
    assert ok.status_code == 201
    assert "badge_reprinted" in _types(svc, attendee_id)
    assert svc.store.one("SELECT action FROM audit_log WHERE action = 'badge.reprint'") is not None


def test_print_input_is_checked(tmp_path):
    _, _, _, client, make = _show(tmp_path, "")
    attendee_id, _ = make.attendee()
    staff = auth(make.device("staff"))
    assert client.post("/api/v1/attendees/999/print", headers=staff).status_code == 404
    bad = client.post(
        f"/api/v1/attendees/{attendee_id}/print", json={"reprint": "yes"}, headers=staff
    )
    assert bad.status_code == 422
    notjson = client.post(
        f"/api/v1/attendees/{attendee_id}/print",
        data="[1]",
        headers={**staff, "Content-Type": "application/json"},
    )
    assert notjson.status_code == 400
    exhibitor = auth(make.device("exhibitor"))
    assert (
        client.post(f"/api/v1/attendees/{attendee_id}/print", headers=exhibitor).status_code == 403
    )


def test_console_reprint_prints_on_the_chosen_queue_and_revokes_the_old_code(tmp_path, queue):
    from conftest import STAFF_PASSWORD, csrf_from
    from kiosk.staff.accounts import create_staff

    _, svc, _, client, make = _show(tmp_path, queue)
    attendee_id, old_code = make.attendee(full_name="孙悟空", company="花果山贸易")
    create_staff(svc.store, "alice", STAFF_PASSWORD)
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    client.post(
        "/staff/sign-in", data={"name": "alice", "password": STAFF_PASSWORD, "csrf_token": token}
    )
    page = client.get(f"/staff/people/{attendee_id}").get_data(as_text=True)
    assert f'<option value="{queue}">' in page
    res = client.post(
        f"/staff/people/{attendee_id}/reprint",
        data={"printer": queue, "csrf_token": csrf_from(page)},
    )
    assert res.status_code == 302
    job = svc.store.one(
        "SELECT * FROM print_jobs WHERE attendee_id = :attendee_id", {"attendee_id": attendee_id}
    )
    assert job["printer"] == queue and job["status"] == "queued"
    pdf = _wait_for_pdf(job["cups_job"])
    assert pdf.stat().st_size > 1000
    kiosk = auth(make.device("kiosk"))
    old = client.post("/api/v1/checkins", json={"code": old_code, "gate": "north"}, headers=kiosk)
    assert old.get_json()["reason"] == "revoked"
    assert _types(svc, attendee_id).count("badge_reprinted") == 1


def test_console_reprint_refuses_a_printer_the_show_does_not_name(staff_client, make, svc):
    attendee_id, _ = make.attendee()
    staff_client.post(
        f"/staff/people/{attendee_id}/reprint",
        data={"printer": "evil; rm -rf /", "csrf_token": staff_client.csrf},
    )
    assert svc.store.one("SELECT count(*) AS n FROM print_jobs")["n"] == 0


class _Events:
    """Everything a Socket.IO test client received on /live, in order."""

    def __init__(self, client):
        self.client = client
        self.seen: list[dict] = []
        self.mark = 0

    def of(self, name: str, since: int = 0) -> list:
        self.seen += self.client.get_received("/live")
        return [e["args"][0] for e in self.seen[since:] if e["name"] == name]

    def wait(self, name: str, until, timeout: float = 15.0) -> None:
        """Wait for a `name` event, after the last one waited for, that matches `until`."""
        deadline = time.monotonic() + timeout
        while not any(until(x) for x in self.of(name, self.mark)):
            assert time.monotonic() < deadline, f"no matching {name} event in {timeout} s"
            time.sleep(0.2)
        self.mark = len(self.seen)


def test_staff_see_a_printer_stop_before_a_visitor_reaches_it(tmp_path, queue, monkeypatch):
    monkeypatch.setattr("kiosk.live.pusher.POLL_EVERY_S", 0.5)
    _, svc, app, _client, make = _show(tmp_path, queue)
    staff = app.extensions["socketio"].test_client(
        app, namespace="/live", auth={"token": make.device("staff")}
    )
    received = _Events(staff)

    def state(s):
        return lambda printers: any(p["printer"] == queue and p["state"] == s for p in printers)

    received.wait("printers", state("ready"))
    subprocess.run(["cupsdisable", queue], check=True)
    try:
        received.wait("printers", state("stopped"))
        received.wait("printers", state("stopped"))  # still stopped: no second alert
    finally:
        subprocess.run(["cupsenable", queue], check=True)
    received.wait("printers", state("ready"))
    alerts = [a for a in received.of("alert") if a["kind"] == "printer_trouble"]
    assert [(a["printer"], a["reason"]) for a in alerts] == [(queue, "stopped")]
    staff.disconnect(namespace="/live")


def test_a_badge_that_came_out_is_marked_completed(tmp_path, queue, database_url):
    _, svc, app, client, make = _show(tmp_path, queue, database_url)
    attendee_id, code = make.attendee(full_name="Jane Printer")
    kiosk = _kiosk_serving(client, make, code, name="north-1")
    body = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=kiosk).get_json()
    assert body["status"] == "queued"
    _wait_for_pdf(body["cups_job"])
    watch = app.extensions["kiosk.live"].printers
    deadline = time.monotonic() + 15
    while watch.complete_jobs() == 0 and time.monotonic() < deadline:
        time.sleep(0.3)
    job = svc.store.one(
        "SELECT status FROM print_jobs WHERE id = :job_id", {"job_id": body["job_id"]}
    )
    assert job["status"] == "completed"


# What CUPS reports for a label printer whose roll ran out or jammed: cups-pdf never runs out of
# paper, so this stand-in for lpstat answers as such a printer's queue does.
FAKE_LPSTAT = """#!/bin/sh
case "$*" in
  "-l -p "*) printf 'printer %s is idle.  enabled since Mon Nov 23 09:00:00 2026\\n\\tForm mounted:\\n\\tAlerts: %s\\n\\tLocation: Hall A\\n' "$3" "$KIOSK_TEST_ALERTS" ;;
  "-a "*) printf '%s accepting requests since Mon Nov 23 09:00:00 2026\\n' "$2" ;;
  *) exit 1 ;;
esac
"""


@pytest.mark.parametrize(
    ("alerts", "reason"),
    [("media-empty-error media-needed", "out_of_paper"), ("media-jam-error", "paper_jam")],
)
def test_a_printer_out_of_paper_or_jammed_is_named_so(tmp_path, monkeypatch, alerts, reason):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "lpstat").write_text(FAKE_LPSTAT)
    (bin_dir / "lpstat").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("KIOSK_TEST_ALERTS", alerts)
    _, svc, app, client, make = _show(tmp_path, "label-north")
    attendee_id, code = make.attendee()
    kiosk = _kiosk_serving(client, make, code, name="north-1")

    res = client.post(f"/api/v1/attendees/{attendee_id}/print", headers=kiosk)
    assert res.status_code == 503 and res.get_json()["reason"] == reason
    watch = app.extensions["kiosk.live"].printers
    assert [(p["printer"], p["state"], p["ok"]) for p in watch.poll()] == [
        ("label-north", reason, False)
    ]
    monkeypatch.setenv("KIOSK_TEST_ALERTS", "none")
    assert watch.poll()[0]["state"] == "ready"


def test_the_server_watches_printers_from_its_start(tmp_path, queue):
    settings, svc, _app, _client, make = _show(tmp_path, "no-such-printer")
    staff = auth(make.device("staff"))
    server = LiveServer(settings)
    try:
        deadline = time.monotonic() + 15
        while True:  # no scan, no dashboard open: the server looks by itself
            body = requests.get(f"{server.url}/api/v1/dashboard", headers=staff, timeout=5).json()
            if body["printers"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [(p["printer"], p["state"]) for p in body["printers"]] == [
            ("no-such-printer", "missing")
        ]
        alerts = body["dashboard"]["alerts"]
        assert [(a["kind"], a["printer"]) for a in alerts] == [
            ("printer_trouble", "no-such-printer")
        ]
    finally:
        server.stop()
