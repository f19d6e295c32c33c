"""`kiosk scanner` on generated camera videos: noise, blur, rotation, tilt, glare and moiré."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import cv2
import numpy as np
import pytest
import socketio

from benchmarks.frames import KINDS, make_frame, qr_tile, write_video
from conftest import ROOT
from kiosk.cli import main
from kiosk.scanning.camera import Debouncer
from kiosk.scanning.decode import decode_zxing


def _scanner(live_server, token, camera, *extra):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "scanner",
            "--camera",
            str(camera),
            "--gate",
            "north",
            "--server",
            live_server.url,
            "--token",
            token,
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


class KioskListener:
    """A kiosk at gate north connected to /live, collecting `scan` events."""

    def __init__(self, url, token):
        self.scans = []
        self.got = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("scan", self._on_scan, namespace="/live")
        self.client.connect(
            url, namespaces=["/live"], auth={"token": token}, transports=["websocket"]
        )

    def _on_scan(self, data):
        self.scans.append(data)
        self.got.set()

    def wait_for(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.scans) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.scans

    def close(self):
        self.client.disconnect()


@pytest.mark.parametrize("kind", KINDS)
def test_zxing_reads_every_kind_of_perturbed_frame(kind):
    rng = np.random.default_rng(11)
    code = "K1-ABCDEFGHIJKLMNOP-QRSTUVWXYZ234567"
    reads = sum(code in decode_zxing(make_frame(code, kind, rng)) for _ in range(6))
    assert reads == 6


def test_empty_frames_read_nothing():
    rng = np.random.default_rng(3)
    assert all(decode_zxing(make_frame(None, "noise", rng)) == [] for _ in range(5))


def test_scanner_checks_in_each_code_once_and_the_gate_kiosk_sees_it(
    tmp_path, live_server, make, svc
):
    first_id, first = make.attendee(full_name="孙悦")
    second_id, second = make.attendee(full_name="Olivia Smith")
    video = tmp_path / "entrance.avi"
    # 10 fps: empty hall, a badge held 2 s, empty, a phone held 2 s, empty.
    write_video(str(video), [(None, 5), (first, 20), (None, 6), (second, 20), (None, 3)])
    kiosk_token = make.device("kiosk", gate="north")
    other_gate = KioskListener(live_server.url, make.device("kiosk", gate="south"))
    listener = KioskListener(live_server.url, kiosk_token)
    try:
        done = _scanner(live_server, kiosk_token, video)
        scans = listener.wait_for(2)
    finally:
        listener.close()
        other_gate.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("2 check-ins sent")
    assert "孙悦" not in done.stdout and "Olivia" not in done.stdout
    for attendee_id in (first_id, second_id):
        row = svc.store.one(
            "SELECT state, gate FROM presence WHERE attendee_id = :attendee_id",
            {"attendee_id": attendee_id},
        )
        assert (row["state"], row["gate"]) == ("in", "north")
    assert [s["status"] for s in scans] == [201, 201]
    assert [s["result"]["attendee"]["id"] for s in scans] == [first_id, second_id]
    assert other_gate.scans == []
    count = svc.store.one("SELECT count(*) AS n FROM interactions WHERE type = 'checked_in'")["n"]
    assert count == 2


def test_a_code_shown_again_after_the_hold_is_sent_again():
    hold = Debouncer(hold_s=4)
    assert hold.fresh("A", 0.0)
    assert not hold.fresh("A", 0.1) and not hold.fresh("A", 3.0)  # still held up
    assert hold.fresh("B", 3.1)
    assert hold.fresh("A", 9.0)  # gone for 6 s, then shown again


def _photo(tmp_path, code):
    image = tmp_path / "phone.png"
    frame = np.full((720, 1280), 90, np.uint8)
    tile = qr_tile(code, 5)
    frame[100 : 100 + tile.shape[0], 300 : 300 + tile.shape[1]] = tile
    cv2.imwrite(str(image), frame)
    return image


def _scan_here(capsys, live_server, token, camera):
    """The same command in this process (quicker than a new interpreter)."""
    argv = [
        "scanner",
        "--camera",
        str(camera),
        "--gate",
        "north",
        "--server",
        live_server.url,
        "--token",
        token,
    ]
    status = 0
    try:
        main(argv)
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_scanner_reads_an_image_file_and_refuses_bad_input(tmp_path, live_server, make, capsys):
    _, code = make.attendee()
    image = _photo(tmp_path, code)
    token = make.device("kiosk", gate="north")
    status, out, _ = _scan_here(capsys, live_server, token, image)
    assert status == 0 and "201 ok" in out
    _, again, _ = _scan_here(capsys, live_server, token, image)
    assert "200 already_checked_in" in again
    status, _, err = _scan_here(capsys, live_server, "kt_nope", image)
    assert status != 0 and "refused the token" in err
    status, _, err = _scan_here(capsys, live_server, token, tmp_path / "missing.avi")
    assert status != 0 and "no camera or file" in err and len(err.strip().splitlines()) == 1
    status, _, err = _scan_here(capsys, live_server, make.device("exhibitor"), image)
    assert status != 0 and "kiosk or staff" in err


@pytest.mark.browser
def test_the_gate_kiosk_shows_a_camera_scan_live(tmp_path, browser, live_server, make, capsys):
    _, code = make.attendee(full_name="林志玲", company="台北时尚")
    token = make.device("kiosk", gate="north")
    page = browser.new_page(viewport={"width": 1080, "height": 1920})
    try:
        page.goto(f"{live_server.url}/kiosk#token={token}")
        page.wait_for_selector("body[data-screen=idle]")
        page.wait_for_function("window.Kiosk.socket && window.Kiosk.socket.connected")
        status, _, _ = _scan_here(capsys, live_server, token, _photo(tmp_path, code))
        assert status == 0
        page.wait_for_selector("#screen-result[data-kind=ok]")
        assert "林志玲" in page.text_content("#result-title")
        page.screenshot(path=str(tmp_path / "scan.png"))
    finally:
        page.close()
