"""Tryton sync benchmark: `kiosk sync tryton` against a real trytond, people per second.

    python benchmarks/tryton_sync.py                        # 2,000 people, trytond on PostgreSQL
    python benchmarks/tryton_sync.py --people 5000 --server-workers 2 --workers 2 --batch 500
    python benchmarks/tryton_sync.py --people 100000 --server-workers 3 --workers 3 --first-only
    python benchmarks/tryton_sync.py --database sqlite      # the test suite's trytond

Builds a show like benchmarks/export.py (ten interactions a person, 300 exhibitors) and starts
trytond the way a CRM team would for a big sync: on PostgreSQL (a throw-away cluster made by
the test suite's tests/pg_cluster.py, but durable: fsync on) under gunicorn with
--server-workers processes (benchmarks/trytond_wsgi.py). The database (party, sale_opportunity, a company) is initialised
once with trytond-admin and cached as a dump next to the test suite's SQLite one; later runs
restore it in seconds. With --database sqlite it runs the test suite's single trytond instead.

It times three syncs: the first (every party created), a rerun with one person in ten changed
(those updated, the rest skipped through the ledger), and a rerun with the ledger lost (every
party read back and compared, nothing written). Besides wall time it reports the CPU seconds of
the kiosk, of trytond (every process) and of PostgreSQL: on a shared machine wall time grows
with everyone else's load, CPU time much less. The projection to 100,000 people divides the
CPU the servers and the kiosk used by the cores they had (--cores, default 2) and takes the
larger of that and the busiest single process pool; wall time and the load average are printed
next to it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.export import EXHIBITORS, build_show  # noqa: E402
from kiosk import config  # noqa: E402
from kiosk.crm.tryton import sync_tryton  # noqa: E402
from kiosk.services import initialise, open_services  # noqa: E402

TARGET_PEOPLE = 100_000
TARGET_SECONDS = 15 * 60
BIN = Path(sys.executable).parent


class Temp:
    """tmp_path_factory's one method, for the test suite's trytond helpers."""

    def __init__(self, root: Path):
        self.root = root

    def mktemp(self, name: str) -> Path:
        """A new directory under the benchmark's temporary folder."""
        path = Path(tempfile.mkdtemp(prefix=name, dir=self.root))
        return path


class Gunicorn:
    """trytond under gunicorn (benchmarks/trytond_wsgi.py), `workers` processes, one database."""

    def __init__(self, directory: Path, database_uri: str, workers: int):
        import test_crm_sync_tryton as helpers

        self.port = helpers.free_port()
        self.url = f"http://127.0.0.1:{self.port}/show/"
        conf = directory / "trytond.conf"
        conf.write_text(f"[database]\nuri = {database_uri}\n", encoding="utf-8")
        self.log = (directory / "gunicorn.log").open("wb")
        env = {
            **os.environ,
            "TRYTOND_CONFIG": str(conf),
            "TRYTOND_DATABASE_NAMES": "show",
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "900",  # one batch of a loaded machine's first sync can take minutes
                "benchmarks.trytond_wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        try:
            helpers.wait_for_trytond(self.proc, self.port, directory / "gunicorn.log", 300)
        except RuntimeError:
            self.stop()
            raise

    def session(self):
        """A proteus session as the admin user."""
        import test_crm_sync_tryton as helpers
        from proteus import config as proteus_config

        return proteus_config.set_xmlrpc_session(self.url, "admin", helpers.PASSWORD)

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def cpu_seconds(pid: int) -> float:
    """CPU of a process, of its live children and of the children it has reaped."""
    import psutil

    try:
        process = psutil.Process(pid)
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                total += sum(child.cpu_times()[:2])
        return total
    except psutil.NoSuchProcess:
        return 0.0


@contextlib.contextmanager
def postgres_trytond(tmp: Path, server_workers: int):
    """A PostgreSQL cluster with the initialised Tryton database, and gunicorn serving it;
    yields (server, postmaster pid)."""
    import pg_cluster
    import test_crm_sync_tryton as helpers

    # Not under the benchmark's own temporary folder: that is root's alone, and the cluster
    # may run as postgres (as in tests/conftest.py).
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    cluster = pg_cluster.Cluster(root, durable=True)  # fsync on, as a CRM's own server
    cluster.start()
    try:
        version = importlib.metadata.version("trytond")
        dump = helpers.CACHE / f"trytond-{version}-sale_opportunity.pgdump"
        cluster.sql("CREATE DATABASE show")
        uri = f"postgresql://kiosk@127.0.0.1:{cluster.port}/"
        server_dir = tmp / "trytond"
        server_dir.mkdir()
        if dump.exists():
            subprocess.run(
                [cluster.bin / "pg_restore", "--no-owner", "-d", cluster.url("show"), dump],
                check=True,
                capture_output=True,
            )
        else:
            print("initialising the Tryton database once (minutes; cached after)", flush=True)
            conf = server_dir / "admin.conf"
            conf.write_text(f"[database]\nuri = {uri}\n", encoding="utf-8")
            helpers.initialise_database(server_dir, conf)
            server = Gunicorn(server_dir, uri, 1)
            try:
                helpers.set_up_company(server)
            finally:
                server.stop()
            helpers.CACHE.mkdir(parents=True, exist_ok=True)
            partial = dump.with_suffix(".partial")
            subprocess.run(
                [cluster.bin / "pg_dump", "-Fc", "-f", partial, cluster.url("show")], check=True
            )
            os.replace(partial, dump)
        server = Gunicorn(server_dir, uri, server_workers)
        try:
            pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
            yield server, pid
        finally:
            server.stop()
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def sqlite_trytond(tmp: Path):
    """The test suite's trytond: one process on a copy of its cached SQLite database."""
    import test_crm_sync_tryton as helpers

    template = helpers.template_database(Temp(tmp))
    server_dir = tmp / "trytond"
    server_dir.mkdir()
    shutil.copy(template, server_dir / "show.sqlite")
    server = helpers.TrytonServer(server_dir)
    try:
        yield server, None
    finally:
        server.stop()


def main() -> None:
    """Build the show, start trytond, time the three syncs and project to 100,000 people."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000, help="show size (default 2000)")
    parser.add_argument("--batch", type=int, default=500, help="records per Tryton call")
    parser.add_argument(
        "--workers", type=int, default=2, help="batches in Tryton at once (kiosk sync --workers)"
    )
    parser.add_argument(
        "--server-workers", type=int, default=2, help="trytond processes under gunicorn"
    )
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--cores", type=int, default=os.cpu_count(), help="cores of the machine")
    parser.add_argument(
        "--first-only", action="store_true", help="time the first sync only (the long one)"
    )
    args = parser.parse_args()

    import psutil
    from proteus import Model

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = config.load(ROOT / "config" / "event.toml", tmp / "kiosk.db")
        initialise(settings)
        build_show(settings.db_path, args.people)
        if args.database == "postgresql":
            servers = postgres_trytond(tmp, args.server_workers)
        else:
            servers = sqlite_trytond(tmp)
        with servers as (server, postmaster):
            with server.session():
                Model.get("country.country")(name="China", code="CN").save()
            url = server.url.replace("http://", f"http://admin:{helpers_password()}@")
            store = open_services(settings).store
            try:

                def used() -> tuple[float, float]:
                    tryton_cpu = cpu_seconds(server.proc.pid)
                    return tryton_cpu, cpu_seconds(postmaster) if postmaster else 0.0

                def timed(name):
                    before = used()
                    own = resource.getrusage(resource.RUSAGE_SELF)
                    loads = os.getloadavg()[0]
                    report = sync_tryton(
                        store, settings, url, batch_size=args.batch, workers=args.workers
                    )
                    after = resource.getrusage(resource.RUSAGE_SELF)
                    client = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
                    tryton_cpu, pg_cpu = (a - b for a, b in zip(used(), before, strict=True))
                    loads = (loads + os.getloadavg()[0]) / 2
                    runs.append((name, report, client, tryton_cpu, pg_cpu, loads))

                runs = []
                timed("first sync (all created)")
                if not args.first_only:
                    with store.write() as conn:
                        conn.execute(
                            "UPDATE attendees SET job_title = job_title || ' (new)'"
                            " WHERE id % 10 = 0"
                        )
                    timed("one in ten changed")
                    with store.write() as conn:
                        conn.execute("DELETE FROM crm_sync_sent")
                    timed("ledger lost (all compared)")
            finally:
                store.close()
    server_workers = args.server_workers if args.database == "postgresql" else 1
    print(
        f"{args.people} people, trytond on {args.database}"
        f" ({server_workers} process{'es' if server_workers > 1 else ''}),"
        f" batches of {args.batch}, {args.workers} at once, {args.cores} cores;"
        f" psutil {psutil.__version__}"
    )
    print(
        f"{'run':<28} {'wall s':>7} {'load':>5} {'kiosk':>6} {'trytond':>8} {'postgres':>8}"
        f" {'100,000 people: cpu':>20} {'wall':>9}"
    )
    # Every show has the benchmark's 300 exhibitors as parties too.
    scale = (TARGET_PEOPLE + EXHIBITORS) / (args.people + EXHIBITORS)
    for name, report, client, tryton_cpu, pg_cpu, loads in runs:
        # The cores bound the whole; trytond's processes bound their own share.
        busiest = max(
            (client + tryton_cpu + pg_cpu) / args.cores,
            tryton_cpu / min(server_workers, args.cores),
            client,
        )
        projected = busiest * scale
        wall = report.seconds * scale
        verdict = "ok" if projected <= TARGET_SECONDS else "over 15 min"
        print(
            f"{name:<28} {report.seconds:>7.1f} {loads:>5.1f} {client:>6.1f} {tryton_cpu:>8.1f}"
            f" {pg_cpu:>8.1f} {projected / 60:>12.1f} min {verdict:<5} {wall / 60:>6.1f} min",
            flush=True,
        )
        print(f"    {report.line()}")


def helpers_password() -> str:
    """The admin password of the test suite's Tryton databases."""
    import test_crm_sync_tryton as helpers

    return helpers.PASSWORD


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"whole benchmark {time.perf_counter() - started:.0f}s")
