"""Entrance kiosks without the server: scan-to-welcome, sync time and the offline set's size.

    .venv/bin/python benchmarks/offline.py [--badges 100000] [--scans 40] [--sync 1000]

Builds a show of `--badges` pre-registered people, then:
- the offline set: the time to build it on the server, its size as sent (JSON) and an
  unchanged poll's answer;
- scan-to-welcome in headless Chromium on the real kiosk page (a wedge burst of keydown
  events until the welcome screen shows the name), `--scans` badges online, then as many with
  the server killed (p50/p95);
- the sync of `--sync` queued offline check-ins, sent as the kiosk sends them (batches of 100),
  until the server has recorded them all.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.checkins import GIVEN, SURNAMES, free_port, start_server  # noqa: E402
from kiosk import config  # noqa: E402
from kiosk.checkin import codes as badge_codes  # noqa: E402
from kiosk.checkin.offline import OfflineSets  # noqa: E402
from kiosk.checkin.service import check_in  # noqa: E402
from kiosk.devices import create_device  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402
from kiosk.storage import attendees as attendee_sql  # noqa: E402
from kiosk.storage import to_iso  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SCAN_JS = """async (code) => {
    const t0 = performance.now();
    const target = document.activeElement || document.body;
    for (const key of [...code, "Enter"]) {
        target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
    for (;;) {
        const s = document.querySelector("#screen-result");
        if (!s.hidden && s.dataset.kind === "ok" && document.querySelector("#result-title").textContent.includes(window.__expect)) break;
        await new Promise((r) => requestAnimationFrame(r));
    }
    return performance.now() - t0;
}"""  # fmt: skip


def build_show(directory: Path, badges: int):
    """A show of `badges` people with a badge each, written straight to storage (registration's
    checks and search keys are not what is measured here); returns (settings, [(code, name)],
    two kiosk tokens)."""
    settings = config.load(ROOT / "config/event.toml", directory / "bench.db")
    initialise(settings)
    svc = open_services(settings)
    people = []
    for start in range(0, badges, 5000):
        with svc.store.write() as conn:
            for i in range(start, min(start + 5000, badges)):
                name = SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20]
                attendee_id = attendee_sql.insert(
                    conn,
                    {
                        "full_name": name,
                        "company": f"Company {i % 700}",
                        "email": f"bench{i}@example.com",
                        "category": "trade",
                        "language": ("zh", "en")[i % 2],
                        "source": "import",
                    },
                )
                code, code_id, version = badge_codes.issue(svc.keys)
                attendee_sql.insert_badge(conn, code_id, attendee_id, version)
                people.append((code, name))
    tokens = [
        create_device(svc.store, settings, role="kiosk", name=f"k{n}", gate="north")[1]
        for n in range(2)
    ]
    svc.store.close()
    return settings, people, tokens


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def offline_set(settings, code: str, token: str) -> dict:
    """Build the set as the server does; its size and the time it takes."""
    svc = open_services(settings)
    sets = OfflineSets(svc.store, settings, svc.keys)
    t0 = time.perf_counter()
    body = sets.answer("north", None)
    built = time.perf_counter() - t0
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    t0 = time.perf_counter()
    unchanged = sets.answer("north", body["revision"])
    again = time.perf_counter() - t0
    # What a change of the show costs (a check-in anywhere), the set built a while ago.
    sets._since, sets._built = to_iso(datetime.now(UTC)), 0.0
    device = svc.devices.authenticate(token)
    check_in(svc.store, settings, svc.keys, code=code, gate="north", device=device)
    t0 = time.perf_counter()
    sets.refresh()
    rebuild = time.perf_counter() - t0
    svc.store.close()
    return {
        "badges": body["size"],
        "build_s": round(built, 2),
        "json_mb": round(len(text.encode()) / 1e6, 2),
        "per_badge_bytes": round(len(text.encode()) / max(1, body["size"])),
        "unchanged_ms": round(again * 1000, 2),
        "rebuild_after_a_change_s": round(rebuild, 2),
        "unchanged_answer": unchanged,
    }


def welcome_times(page, codes: list[tuple[str, str]]) -> list[float]:
    out = []
    for code, name in codes:
        page.evaluate("(n) => { window.__expect = n; }", name)
        out.append(page.evaluate(SCAN_JS, code))
        page.evaluate("window.Kiosk.idle()")
    return out


def sync(port: int, token: str, codes: list[str]) -> float:
    """Send `codes` as queued offline check-ins in batches of 100; seconds until all recorded."""
    start = datetime.now(UTC) - timedelta(hours=1)
    items = [
        {
            "code": c,
            "gate": "north",
            "direction": "in",
            "nonce": uuid.uuid4().hex,
            "at": (start + timedelta(seconds=i)).isoformat(),
        }
        for i, c in enumerate(codes)
    ]
    headers = {"Authorization": f"Bearer {token}"}
    session = requests.Session()
    t0 = time.perf_counter()
    for i in range(0, len(items), 100):
        res = session.post(
            f"http://127.0.0.1:{port}/api/v1/offline/checkins",
            json={"checkins": items[i : i + 100], "queue": len(items) - i - 100},
            headers=headers,
            timeout=120,
        )
        res.raise_for_status()
        statuses = {r["status"] for r in res.json()["results"]}
        assert statuses == {"recorded"}, statuses
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=40)
    parser.add_argument("--sync", type=int, default=1000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        settings, named, tokens = build_show(Path(tmp), args.badges)
        print(f"show of {args.badges} badges built in {time.perf_counter() - t0:.0f} s")
        report = {"offline_set": offline_set(settings, named[-1][0], tokens[1])}
        print(json.dumps(report["offline_set"]))
        scans = args.scans
        online_codes = named[:scans]
        offline_codes = named[scans : 2 * scans]
        sync_codes = [code for code, _ in named[2 * scans : 2 * scans + args.sync]]

        port = free_port()
        server = start_server(settings, port)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1080, "height": 1920})
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/kiosk#token={tokens[0]}")
                page.wait_for_selector("body[data-screen=idle]")
                page.wait_for_function(
                    f"window.KioskOffline.state().size === {len(named)}", timeout=600_000
                )
                report["first_set_on_kiosk_s"] = round(time.perf_counter() - t0, 1)
                online = welcome_times(page, online_codes)
                server.send_signal(signal.SIGKILL)
                server.wait()
                page.wait_for_selector("body[data-network=offline]")
                offline = welcome_times(page, offline_codes)
                browser.close()
            server = start_server(settings, port)
            report["sync_s"] = round(sync(port, tokens[1], sync_codes), 2)
        finally:
            server.kill()
            server.wait()
        for label, times in (("online", online), ("offline", offline)):
            report[f"welcome_{label}_ms"] = {
                "p50": round(statistics.median(times), 1),
                "p95": round(pct(times, 95), 1),
                "n": len(times),
            }
        report["sync_count"] = len(sync_codes)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
