"""Capture every page (kiosk, door, exit, booth, console) in every state, size and language.

    .venv/bin/python scripts/screenshots.py --out /tmp/kiosk-screens [--only door,exit]

Builds a throw-away demo show (its days moved to today, one session running now and one over),
serves it on 127.0.0.1 and drives Debian's Chromium through it. Files are named
AREA-STATE-SIZE-LANG.png; sizes are a portrait kiosk (1080x1920), a landscape kiosk (1920x1080)
and a phone (390x844).
"""

from __future__ import annotations

import argparse
import os
import re
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
LANGS = ("zh", "en")
AREAS = ("kiosk", "door", "exit", "booth", "console")
FORGED = "K1-AAAAAAAAAAAAAAAA-BBBBBBBBBBBBBBBB"


def show_config(folder: Path) -> Path:
    """The demo configuration with its days from today, forum-1 running now and forum-2 over."""
    sys.path.insert(0, str(ROOT))
    from datetime import UTC, datetime, timedelta

    from kiosk.demo import shifted_config

    text = shifted_config((ROOT / "config/event.toml").read_text(encoding="utf-8"))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    times = iter(
        [
            now - timedelta(hours=1),
            now + timedelta(hours=1),
            now - timedelta(hours=5),
            now - timedelta(hours=3),
        ]
    )
    text = re.sub(
        r'(?m)^(starts|ends) = ".*"$', lambda m: f'{m[1]} = "{next(times).isoformat()}"', text
    )
    path = folder / "event.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start_server(db: Path, port: int) -> subprocess.Popen:
    """`kiosk serve` on the demo show; waits until it answers."""
    env = {**os.environ, "KIOSK_DB": str(db), "KIOSK_CONFIG": str(db.with_name("event.toml"))}
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
    """Create the demo show; return one token per role (and the console's name and password)."""
    env = {**os.environ, "KIOSK_DB": str(db), "KIOSK_CONFIG": str(db.with_name("event.toml"))}
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
        if len(parts) >= 3 and parts[0] == "console":
            tokens.setdefault("console", f"{parts[1]}:{parts[-1]}")
        if len(parts) >= 3 and parts[0] == "badge":
            tokens[f"badge{sum(k.startswith('badge') for k in tokens)}"] = parts[-1]
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
    """A keyboard-wedge scan: its keys sent inside the page, as fast as a scanner (typed from
    outside, a loaded machine slows them into what the page takes for a person typing)."""
    page.evaluate(
        """(code) => { const at = document.activeElement || document.body;
        for (const key of [...code, 'Enter']) at.dispatchEvent(new KeyboardEvent('keydown',
          { key, bubbles: true, cancelable: true })); }""",
        code,
    )
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


def new_people(base: str, staff: str, count: int) -> list[str]:
    """Badge codes of people registered now through the staff API, for scans that must be new."""
    headers = {"Authorization": f"Bearer {staff}"}
    names = [
        "陈静",
        "Lukas Meyer",
        "李娜",
        "Sofia Rossi",
        "王磊",
        "Emma Dubois",
        "刘洋",
        "Kenji Sato",
    ]
    companies = [
        "上海精密机械有限公司",
        "Nordic Tools AB",
        "深圳华美电子",
        "Acme Trading",
        "Bella Design",
    ]
    codes = []
    for i in range(count):
        body = {
            "full_name": f"{names[i % len(names)]}",
            "email": f"shot{i}@example.com",
            "company": companies[i % len(companies)],
            "category": "visitor",
            "consents": {"terms": True},
        }
        res = requests.post(f"{base}/api/v1/registrations", json=body, headers=headers)
        res.raise_for_status()
        codes.append(res.json()["badge"]["code"])
    return codes


def choose_language(page, lang: str) -> None:
    """Click the page's language button, where it has one."""
    button = page.locator(f".lang[data-lang={lang}], [data-set-lang={lang}]")
    if button.count():
        button.first.click()


def door_states(browser, base: str, token: str, codes: list[str], out: Path) -> None:
    """The session door: waiting, welcome, counted already, a session over, confirmed, forged."""
    fresh = iter(codes)
    for size, (w, h) in SIZES.items():
        for lang in LANGS:
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.goto(f"{base}/door?session=forum-1#token={token}")
            choose_language(page, lang)
            page.wait_for_selector("#count:not(:text('–'))")

            def shot(state: str, page=page, size=size, lang=lang) -> None:
                page.wait_for_timeout(150)
                page.screenshot(path=str(out / f"door-{state}-{size}-{lang}.png"), full_page=True)

            def scan(code: str, page=page) -> None:
                page.evaluate("(c) => Door.scan(c)", code)
                page.wait_for_selector("#result:not([data-kind=idle])")

            shot("idle")
            code = next(fresh)
            scan(code)
            shot("welcome")
            scan(code)
            shot("already")
            scan(FORGED)
            shot("invalid")
            page.select_option("#session", "forum-2")
            scan(next(fresh))
            page.wait_for_selector("#confirm:visible")
            shot("session-over")
            page.click("#confirm")
            page.wait_for_selector("#result[data-kind=warn]")
            shot("confirmed")
            ctx.close()


def exit_states(browser, base: str, token: str, codes: list[str], out: Path) -> None:
    """The exit survey: empty, a badge checked and answers chosen, a forged badge, thanks."""
    fresh = iter(codes)
    for size, (w, h) in SIZES.items():
        for lang in LANGS:
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.goto(f"{base}/exit#token={token}")
            choose_language(page, lang)
            page.wait_for_selector("#recommend button")

            def shot(state: str, page=page, size=size, lang=lang, full=False) -> None:
                page.wait_for_timeout(150)
                path = out / f"exit-{state}-{size}-{lang}.png"
                page.screenshot(path=str(path), full_page=full)

            shot("empty")
            page.evaluate("(c) => ExitSurvey.scanned(c)", FORGED)
            page.wait_for_selector("#badge[data-kind=bad]")
            shot("forged-badge")
            page.evaluate("(c) => ExitSurvey.scanned(c)", next(fresh))
            page.wait_for_selector("#badge[data-kind=ok]")
            page.click("#satisfaction button[data-value='4']")
            page.click("#recommend button[data-value='10']")
            page.click("#return_intent button[data-value='true']")
            page.click("#purpose button[data-value='sourcing']")
            page.click("#purpose button[data-value='seminars']")
            shot("answered", full=True)
            page.click("#submit")
            page.wait_for_selector("#result[data-kind=ok]")
            page.locator("#result").scroll_into_view_if_needed()
            shot("thanks")
            ctx.close()


def booth_states(browser, base: str, token: str, codes: list[str], out: Path) -> None:
    """The booth page: scan tab, a lead open for rating, the lead list with filters."""
    for size, (w, h) in SIZES.items():
        for lang in LANGS:
            ctx = browser.new_context(viewport={"width": w, "height": h})
            page = ctx.new_page()
            page.goto(f"{base}/exhibitor/#token={token}")
            page.wait_for_selector("#view-main:not([hidden])")
            choose_language(page, lang)

            def shot(state: str, page=page, size=size, lang=lang) -> None:
                page.wait_for_timeout(200)
                page.screenshot(path=str(out / f"booth-{state}-{size}-{lang}.png"), full_page=True)

            shot("scan")
            page.fill("#manual-code", codes[0])
            page.press("#manual-code", "Enter")
            page.wait_for_selector("#editor:not([hidden])")
            shot("lead")
            page.click("#btn-close")
            page.click(".tab[data-tab=list]")
            page.wait_for_selector("#lead-list li")
            shot("list")
            ctx.close()


CONSOLE_PAGES = (
    "live",
    "people",
    "review",
    "register",
    "devices",
    "exhibitors",
    "sessions",
    "offline",
    "audit",
    "wall",
)


def console_states(browser, base: str, account: str, out: Path) -> None:
    """Every console page and a person's page, signed in, at every size, in each language."""
    name, password = account.split(":", 1)
    for size, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h})
        page = ctx.new_page()
        page.goto(f"{base}/staff/sign-in")
        page.screenshot(path=str(out / f"console-sign-in-{size}.png"), full_page=True)
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", password)
        page.click("#sign-in")
        page.wait_for_url(re.compile(r"/staff/"))
        person = None
        for lang in LANGS:
            for name_ in CONSOLE_PAGES:
                page.goto(f"{base}/staff/{name_}?lang={lang}")
                page.wait_for_timeout(600 if name_ in ("live", "wall") else 150)
                page.screenshot(
                    path=str(out / f"console-{name_}-{size}-{lang}.png"), full_page=True
                )
            page.goto(f"{base}/staff/register?lang={lang}")
            page.fill("#register input[name=phone]", "abc")
            page.fill("#register input[name=email]", "a@@b")
            page.click("#register button")
            page.wait_for_selector("#register .errors")
            page.screenshot(
                path=str(out / f"console-register-errors-{size}-{lang}.png"), full_page=True
            )
            if person is None:
                page.goto(f"{base}/staff/people?q=Zhang")
                link = page.locator("a[href*='/staff/people/']").first
                person = link.get_attribute("href") if link.count() else None
            if person:
                page.goto(f"{base}{person}?lang={lang}")
                page.screenshot(path=str(out / f"console-person-{size}-{lang}.png"), full_page=True)
        ctx.close()


def main() -> None:
    """Capture the screenshots into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--only", default=",".join(AREAS), help="areas, comma-separated")
    args = parser.parse_args()
    areas = {a.strip() for a in args.only.split(",") if a.strip()}
    if unknown := areas - set(AREAS):
        parser.error(f"--only: unknown {', '.join(sorted(unknown))} (known: {', '.join(AREAS)})")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            args.port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "show.db"
        show_config(Path(tmp))
        proc = start_server(db, args.port)
        try:
            tokens = demo_tokens(db)
            base = f"http://127.0.0.1:{args.port}"
            codes = badge_codes(base, tokens["staff"], ["zhangwei", "anna"])
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                badges = new_people(base, tokens["staff"], 2 * len(SIZES) * len(LANGS) + 1)
                if "kiosk" in areas:
                    kiosk_states(browser, base, tokens["kiosk"], codes, args.out)
                if "door" in areas:
                    door_states(browser, base, tokens["kiosk"], badges, args.out)
                if "exit" in areas:
                    exit_states(browser, base, tokens["kiosk"], badges, args.out)
                if "booth" in areas:
                    booth_states(browser, base, tokens["exhibitor"], badges, args.out)
                if "console" in areas:
                    console_states(browser, base, tokens["console"], args.out)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
