"""Export benchmark: seconds and peak memory of `kiosk export` per format as the show grows.

    python benchmarks/export.py                      # small shows (seconds)
    python benchmarks/export.py --people 100000      # 100,000 people, 1,000,000 interactions

Each export runs in its own `kiosk export` process; its peak resident memory and CPU time come
from the operating system (wait4), so the figures are the whole process, Python start included.
On a shared machine the CPU seconds are the steadier figure: wall time also counts waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import config  # noqa: E402
from kiosk.services import initialise  # noqa: E402

FORMATS = ("jsonl", "csv", "xlsx", "hubspot", "salesforce", "vcard", "mapped")
MAPPING = ROOT / "config" / "mappings" / "zoho-crm-leads.toml"  # for "mapped"
EXHIBITORS = 300
START = 1795478400  # 2026-11-24T00:00:00Z


def iso(seconds: float) -> str:
    """A stored time from epoch seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def build_show(db: Path, people: int, seed: int = 1) -> int:
    """Fill a fresh database: ten interactions a person on average; returns how many."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous=OFF")
    now = iso(START - 86400)
    with conn:
        conn.executemany(
            "INSERT INTO exhibitors (id, name, booth, created_at) VALUES (?, ?, ?, ?)",
            [
                (i, f"Exhibitor {i}", f"H{i // 50}-{i % 50:02d}", now)
                for i in range(1, EXHIBITORS + 1)
            ],
        )
        interactions = leads = 0
        batch_people, batch_int, batch_leads, batch_cons, batch_surv, batch_hist = (
            [] for _ in range(6)
        )

        def flush():
            conn.executemany(
                "INSERT INTO attendees (id, external_id, full_name, company, job_title, email,"
                " email_key, phone, country, category, source, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)",
                batch_people,
            )
            conn.executemany(
                "INSERT INTO interactions (at, type, attendee_id, exhibitor_id, place, direction,"
                " data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch_int,
            )
            conn.executemany(
                "INSERT INTO leads (exhibitor_id, attendee_id, first_scanned_at, last_scanned_at,"
                " rating, notes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch_leads,
            )
            conn.executemany(
                "INSERT INTO consents (attendee_id, consent, granted, version, text, at)"
                " VALUES (?, ?, ?, '2026-1', 'I agree.', ?)",
                batch_cons,
            )
            conn.executemany(
                "INSERT INTO survey_responses (at, day, attendee_id, satisfaction, recommend,"
                " return_intent) VALUES (?, ?, ?, ?, ?, ?)",
                batch_surv,
            )
            conn.executemany(
                "INSERT INTO history (attendee_id, email_key, edition, year) VALUES (?, ?, ?, ?)",
                batch_hist,
            )
            for batch in (batch_people, batch_int, batch_leads, batch_cons, batch_surv, batch_hist):
                batch.clear()

        categories = ("visitor", "trade", "buyer", "media", "vip", "exhibitor")
        for pid in range(1, people + 1):
            email = f"guest{pid}@example.com"
            batch_people.append(
                (
                    pid,
                    f"T-{pid}",
                    f"王{pid}" if pid % 3 else f"Guest Number{pid}",
                    f"Company {pid % 997}",
                    rng.choice(("CEO", "采购经理", "Engineer", "Buyer")),
                    email,
                    email,
                    f"+86139{pid:08d}",
                    "CN",
                    categories[pid % len(categories)],
                    now,
                    now,
                )
            )
            batch_cons.append((pid, "terms", 1, now))  # contact details may reach the CRM
            batch_cons.append((pid, "share_with_exhibitors", int(rng.random() < 0.6), now))
            day = START + 86400 * rng.randrange(3) + 3600 * rng.randrange(1, 9)
            events = [(now, "registered", None, "", ""), (now, "consent_given", None, "", "")]
            events.append((iso(day), "checked_in", None, "north", "in"))
            events.append((iso(day + 7200), "checked_out", None, "north", "out"))
            events.append((iso(day + 86400), "checked_in", None, "south", "in"))
            for k, exhibitor in enumerate(rng.sample(range(1, EXHIBITORS + 1), 3)):
                at = iso(day + 600 * (k + 1))
                events.append((at, "lead_captured", exhibitor, "", ""))
                batch_leads.append(
                    (exhibitor, pid, at, at, rng.choice(("hot", "warm", "cold", "")), "", at)
                )
                leads += 1
            events.append((iso(day + 3000), "session_attended", None, "forum-1", ""))
            events.append((iso(day + 5000), "survey_answered", None, "", ""))
            if pid % 2 == 0:
                batch_surv.append(
                    (iso(day + 5000), iso(day)[:10], pid, rng.randint(1, 5), rng.randint(0, 10), 1)
                )
            if pid % 3 == 0:
                batch_hist.append((pid, email, "expo-2025", 2025))
            for at, kind, exhibitor, place, direction in events:
                batch_int.append((at, kind, pid, exhibitor, place, direction, "{}"))
            interactions += len(events)
            if len(batch_int) > 50_000:
                flush()
        flush()
    conn.close()
    return interactions


def run_export(settings, fmt: str, out: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one `kiosk export` process."""
    argv = [
        sys.executable,
        "-m",
        "kiosk",
        "export",
        "--format",
        fmt,
        "--out",
        str(out),
        "--db",
        str(settings.db_path),
        "--config",
        str(settings.config_path),
    ]
    if fmt == "mapped":
        argv += ["--mapping", str(MAPPING)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"export {fmt} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    """Parse options, build each show size, export every format, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people",
        type=int,
        nargs="+",
        default=[1_000, 4_000],
        help="show sizes to measure (default: 1000 4000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per format (the median is quoted)"
    )
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    args = parser.parse_args()
    print(
        f"{'people':>8} {'interactions':>12} {'format':>10} {'median s':>9} {'cpu s':>7}"
        f" {'peak MB':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for people in args.people:
            directory = Path(tmp) / str(people)
            directory.mkdir()
            settings = config.load(ROOT / "config" / "event.toml", directory / "kiosk.db")
            initialise(settings)
            interactions = build_show(settings.db_path, people)
            for fmt in args.formats:
                runs = [
                    run_export(settings, fmt, directory / f"out-{fmt}") for _ in range(args.repeat)
                ]
                seconds = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[2] for r in runs)
                peak = max(r[1] for r in runs)
                print(
                    f"{people:>8} {interactions:>12} {fmt:>10} {seconds:>9.2f} {cpu:>7.2f}"
                    f" {peak:>8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
