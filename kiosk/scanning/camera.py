"""The camera loop: frames from OpenCV, QR codes decoded, each new code sent once as a check-in."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import requests

from kiosk.scanning.decode import Decoder, decode_zxing

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
RETRIES = 3


class ScannerError(RuntimeError):
    """The scanner cannot start or run: a camera that does not open, a server that refuses."""


def frames(source: str) -> Iterator[tuple[float, np.ndarray]]:
    """(seconds, frame) from a camera index, a video file or an image file.

    A file's seconds are its own timeline, so a recorded video behaves like the live camera.
    """
    path = Path(source)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        image = cv2.imread(str(path))
        if image is None:
            raise ScannerError(f"cannot read image '{source}'")
        yield 0.0, image
        return
    is_camera = source.isdigit()
    if not is_camera and not path.is_file():
        raise ScannerError(f"no camera or file '{source}'")
    capture = cv2.VideoCapture(int(source) if is_camera else str(path))
    if not capture.isOpened():
        raise ScannerError(f"cannot open camera '{source}'")
    if is_camera:
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, 1280)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, 720)
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    start = time.monotonic()
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            yield (time.monotonic() - start) if is_camera else index / fps, frame
            index += 1
    finally:
        capture.release()


@dataclass
class Debouncer:
    """Ignores a code seen again within `hold_s` seconds (a badge held in front of the camera)."""

    hold_s: float = 4.0
    last_seen: dict[str, float] = field(default_factory=dict)

    def fresh(self, code: str, now: float) -> bool:
        """True the first time, and again once the code was out of sight for hold_s."""
        previous = self.last_seen.get(code)
        self.last_seen[code] = now
        return previous is None or now - previous > self.hold_s


class Server:
    """The kiosk server's API as the scanner uses it."""

    def __init__(self, url: str, token: str, timeout: float = 5.0):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def check(self, gate: str) -> None:
        """Fail early on a bad token, a wrong role or an unknown gate."""
        try:
            res = self.session.get(f"{self.url}/api/v1/me", timeout=self.timeout)
        except requests.RequestException as exc:
            raise ScannerError(f"cannot reach {self.url}: {exc.__class__.__name__}") from exc
        if res.status_code == 401:
            raise ScannerError("the server refused the token")
        data = res.json()
        if data["device"]["role"] not in ("kiosk", "staff"):
            raise ScannerError("the token must belong to a kiosk or staff device")
        if gate not in data["show"]["gates"]:
            raise ScannerError(f"unknown gate '{gate}' (known: {', '.join(data['show']['gates'])})")

    def scan(self, code: str, gate: str, direction: str) -> tuple[int, dict]:
        """Send one check-in; retried with the same nonce so a lost answer records nothing twice."""
        body = {"code": code, "gate": gate, "direction": direction, "nonce": uuid.uuid4().hex}
        for attempt in range(RETRIES):
            try:
                res = self.session.post(f"{self.url}/api/v1/scans", json=body, timeout=self.timeout)
                return res.status_code, res.json()
            except (requests.RequestException, ValueError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.3 * (attempt + 1))
        raise AssertionError("unreachable")


@dataclass
class Report:
    frames: int = 0
    reads: int = 0
    sent: int = 0
    answers: list[tuple[int, dict]] = field(default_factory=list)


def run(
    source: str,
    *,
    gate: str,
    server: Server,
    direction: str = "in",
    hold_s: float = 4.0,
    decoder: Decoder = decode_zxing,
    say: Callable[[str], None] = print,
) -> Report:
    """Read frames until the source ends (a file) or forever (a camera); send each new code."""
    server.check(gate)
    debouncer = Debouncer(hold_s)
    report = Report()
    for seconds, frame in frames(source):
        report.frames += 1
        for code in decoder(frame):
            report.reads += 1
            if not debouncer.fresh(code, seconds):
                continue
            status, answer = server.scan(code, gate, direction)
            report.sent += 1
            report.answers.append((status, answer))
            # Codes and answers only: no names or contact details in the scanner's output.
            reason = answer.get("reason") or answer.get("status") or answer.get("error")
            say(f"{seconds:8.2f}s  {code[:8]}…  {status} {reason}")
    return report
