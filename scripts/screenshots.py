"""Capture the entrance kiosk in every state, size and language for review.

    .venv/bin/python scripts/screenshots.py --out /tmp/kiosk-screens

Builds a throw-away demo show, serves it on 127.0.0.1 and drives Debian's Chromium through it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080), "phone": (390, 844)}


def start_server(db: Path, port: int) -> subprocess.Popen:
    """`kiosk serve` on the demo show; waits until it answers."""
    env = {**os.environ, "KIOSK_DB": str(db), "KIOSK_CONFIG": str(ROOT / "config/event.toml")}
    kiosk = [sys.executable, "-m", "kiosk"]
    subprocess.run([*kiosk, "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen(
        [*kiosk, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def demo_tokens(db: Path) -> dict[str, str]:
    """Create the demo show; return one token per role."""
    env = {**os.environ, "KIOSK_DB": str(db), "KIOSK_CONFIG": str(ROOT / "config/event.toml")}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo-data"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tokens: dict[str, str] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("kiosk", "staff", "exhibitor"):
            tokens.setdefault(parts[0], parts[-1])
    return tokens


def badge_codes(base: str, staff: str, queries: list[str]) -> list[str]:
    """Badge codes of demo people found by name, through the staff API."""
    headers = {"Authorization": f"Bearer {staff}"}
    codes = []
    for q in queries:
        found = requests.get(f"{base}/api/v1/attendees", params={"q": q}, headers=headers).json()
        person = found["attendees"][0]
        detail = requests.get(f"{base}/api/v1/attendees/{person['id']}", headers=headers).json()
        codes.append(detail["badge"]["code"])
    return codes


def scan(page, code: str) -> None:
    """A keyboard-wedge scan."""
    page.keyboard.type(code, delay=2)
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-screen=result]")
    page.wait_for_timeout(400)


def kiosk_states(browser, base: str, token: str, codes: list[str], out: Path) -> None:
    """Every kiosk screen at every size in every language."""
    first, second = codes
    requests.post(
        f"{base}/api/v1/checkins",
        json={"code": second, "gate": "south"},
        headers={"Authorization": f"Bearer {token}"},
    )
    for size, (w, h) in SIZES.items():
        for lang in ("zh", "en"):
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.goto(f"{base}/kiosk#token={token}")
            page.wait_for_selector("body[data-screen=idle]")

            def shot(state: str, page=page, size=size, lang=lang) -> None:
                page.screenshot(path=str(out / f"kiosk-{state}-{size}-{lang}.png"))

            def choose(page=page, lang=lang) -> None:
                page.click(f".lang[data-lang={lang}]")

            choose()
            page.wait_for_timeout(500)
            shot("idle")
            page.click("#btn-find")
            page.fill("#search-q", "zhang")
            page.wait_for_selector("#results .person")
            shot("search")
            page.click("#results .person")
            shot("confirm")
            page.click("[data-back] >> visible=true")
            choose()
            scan(page, first if size == "portrait" and lang == "zh" else second)
            shot("already" if not (size == "portrait" and lang == "zh") else "welcome")
            page.click("#screen-result [data-back]")
            choose()
            scan(page, "K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB")
            shot("invalid")
            page.evaluate(
                "Kiosk.showAnswer({status: 201, data: {status: 'ok', gate: 'north',"
                " attendee: {full_name: 'Maximilian Alexander von Hohenberg-Schwarzenfeld',"
                " company: 'Internationale Maschinenbau Handelsgesellschaft mbH'}}})"
            )
            shot("welcome-long")
            page.evaluate(
                "Kiosk.showAnswer({status: 200, data: {status: 'error', reason: 'not_allowed',"
                " rule: 'category', allowed: [{id: 'trade', name: {zh: '专业观众', en: 'Trade visitor'}},"
                " {id: 'buyer', name: {zh: '采购商', en: 'Buyer'}}],"
                " attendee: {full_name: 'Anna Novak', company: 'Novak d.o.o.'}}})"
            )
            shot("not-allowed")
            ctx.close()


def main() -> None:
    """Capture the screenshots into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            args.port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "show.db"
        proc = start_server(db, args.port)
        try:
            tokens = demo_tokens(db)
            base = f"http://127.0.0.1:{args.port}"
            codes = badge_codes(base, tokens["staff"], ["zhangwei", "anna"])
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                kiosk_states(browser, base, tokens["kiosk"], codes, args.out)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
