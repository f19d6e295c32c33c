"""Tryton sync benchmark: `kiosk sync tryton` against a real trytond, people per second.

    python benchmarks/tryton_sync.py                  # 2,000 people (a minute or two)
    python benchmarks/tryton_sync.py --people 10000   # and extrapolate to 100,000

Builds a show like benchmarks/export.py (ten interactions a person, 300 exhibitors), starts
trytond on a copy of the test suite's database (party, sale_opportunity, a company; made once
and cached, see tests/test_crm_sync_tryton.py) and times three syncs: the first (every party
created), a rerun with one person in ten changed (those updated, the rest skipped through the
ledger), and a rerun with the ledger lost (every party read back and compared, nothing written).

Besides wall time it reports the CPU seconds of trytond and of the kiosk: on a shared machine
wall time grows with everyone else's load, CPU time much less. The projection to 100,000 people
uses the larger of the two CPU times (client and server run side by side on two cores), and
wall time is printed next to it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.export import build_show  # noqa: E402
from kiosk import config  # noqa: E402
from kiosk.crm.tryton import sync_tryton  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402

TARGET_PEOPLE = 100_000
TARGET_SECONDS = 15 * 60


class Temp:
    """tmp_path_factory's one method, for the test suite's trytond helpers."""

    def __init__(self, root: Path):
        self.root = root

    def mktemp(self, name: str) -> Path:
        """A new directory under the benchmark's temporary folder."""
        path = Path(tempfile.mkdtemp(prefix=name, dir=self.root))
        return path


def main() -> None:
    """Build the show, start trytond, time the three syncs and extrapolate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000, help="show size (default 2000)")
    parser.add_argument("--batch", type=int, default=500, help="records per Tryton call")
    parser.add_argument(
        "--workers", type=int, default=1, help="batches in Tryton at once (kiosk sync --workers)"
    )
    args = parser.parse_args()

    import psutil
    import test_crm_sync_tryton as helpers
    from proteus import Model

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = config.load(ROOT / "config" / "event.toml", tmp / "kiosk.db")
        initialise(settings)
        build_show(settings.db_path, args.people)
        template = helpers.template_database(Temp(tmp))
        server_dir = tmp / "trytond"
        server_dir.mkdir()
        shutil.copy(template, server_dir / "show.sqlite")
        server = helpers.TrytonServer(server_dir)
        try:
            with server.session():
                Model.get("country.country")(name="China", code="CN").save()
            url = server.url.replace("http://", f"http://admin:{helpers.PASSWORD}@")
            services = open_services(settings)
            store = services.store
            try:
                server_process = psutil.Process(server.proc.pid)

                def timed(name):
                    server_cpu = sum(server_process.cpu_times()[:2])
                    own = resource.getrusage(resource.RUSAGE_SELF)
                    report = sync_tryton(
                        store, settings, url, batch_size=args.batch, workers=args.workers
                    )
                    after = resource.getrusage(resource.RUSAGE_SELF)
                    client = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
                    server_used = sum(server_process.cpu_times()[:2]) - server_cpu
                    runs.append((name, report, client, server_used))

                runs = []
                timed("first sync (all created)")
                with store.write() as conn:
                    conn.execute(
                        "UPDATE attendees SET job_title = job_title || ' (new)' WHERE id % 10 = 0"
                    )
                timed("one in ten changed")
                with store.write() as conn:
                    conn.execute("DELETE FROM crm_sync_sent")
                timed("ledger lost (all compared)")
            finally:
                store.close()
        finally:
            server.stop()
    load = os.getloadavg()[0]
    print(
        f"{args.people} people, batches of {args.batch}, {args.workers} at once,"
        f" load average {load:.1f}"
    )
    print(
        f"{'run':<28} {'wall s':>7} {'kiosk cpu':>9} {'trytond cpu':>11}"
        f" {'100,000 people (cpu)':>21} {'(wall)':>9}"
    )
    for name, report, client, server_used in runs:
        busiest = max(client, server_used)
        projected = busiest * TARGET_PEOPLE / args.people
        wall = report.seconds * TARGET_PEOPLE / args.people
        verdict = "ok" if projected <= TARGET_SECONDS else "over 15 min"
        print(
            f"{name:<28} {report.seconds:>7.1f} {client:>9.1f} {server_used:>11.1f}"
            f" {projected / 60:>13.1f} min {verdict:<5} {wall / 60:>6.1f} min",
            flush=True,
        )
        print(f"    {report.line()}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"whole benchmark {time.perf_counter() - started:.0f}s")
