"""Shared fixtures: a real SQLite file per test, the app, clients, factories, a real server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kiosk import config, create_app
from kiosk.attendees import registration
from kiosk.attendees.fields import clean_person
from kiosk.checkin.service import check_in
from kiosk.devices import create_device
from kiosk.exhibitors.manage import create_exhibitor
from kiosk.services import initialise, open_services
from tests.pg_cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
EVENT_TOML = ROOT / "config" / "event.toml"
# Where browser tests leave the screenshots they take, to be looked at after a run.
SCREENSHOTS = Path(os.environ.get("KIOSK_SCREENSHOTS", "/tmp/kiosk-screenshots"))


def load_settings(tmp_path: Path, toml_text: str | None = None, database_url: str | None = None):
    """Settings for a fresh show in tmp_path (the demo config unless toml_text is given); in
    PostgreSQL when a database URL is given."""
    cfg = EVENT_TOML
    if toml_text is not None:
        cfg = tmp_path / "event.toml"
        cfg.write_text(toml_text, encoding="utf-8")
    settings = config.load(cfg, tmp_path / "kiosk.db", database_url=database_url)
    initialise(settings)
    return settings


# The migrated database that every test's PostgreSQL database is copied from.
TEMPLATE = "kiosk_template"


@pytest.fixture(scope="session")
def pg_cluster():
    """A private PostgreSQL cluster for the session, with a migrated template database."""
    from kiosk.storage import pg_schema
    from kiosk.storage.postgres import PgStore, dispose

    # Not under pytest's tmp folder: that is root's alone, and the cluster may run as postgres.
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    cluster = Cluster(root)
    cluster.start()
    try:
        cluster.sql(f"CREATE DATABASE {TEMPLATE}")
        template = cluster.url(TEMPLATE)
        pg_schema.migrate(PgStore(template))
        dispose(template)  # a template must have no open connection when copied
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database_url(request):
    """None for SQLite; for "postgresql", a fresh database copied from the template (far
    quicker than migrating one per test). KIOSK_TEST_DATABASE=postgresql runs every test that
    is neither parametrised nor sqlite_only on PostgreSQL."""
    default = os.environ.get("KIOSK_TEST_DATABASE", "sqlite")
    if request.node.get_closest_marker("sqlite_only") is not None:
        default = "sqlite"
    if getattr(request, "param", default) == "sqlite":
        yield None
        return
    from kiosk.storage.postgres import dispose

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database(TEMPLATE)
    yield url
    dispose(url)
    cluster.drop_database(url)


# A test module runs on both databases with `pytestmark = BOTH_DATABASES`; a test of SQLite
# itself in such a module says why with @pytest.mark.sqlite_only("...").
BOTH_DATABASES = pytest.mark.both_databases


def pytest_generate_tests(metafunc):
    """Run the tests marked both_databases once on SQLite and once on PostgreSQL."""
    definition = metafunc.definition
    if (
        "database_url" in metafunc.fixturenames
        and definition.get_closest_marker("both_databases") is not None
        and definition.get_closest_marker("sqlite_only") is None
    ):
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings(tmp_path, database_url=database_url)


@pytest.fixture
def svc(settings):
    services = open_services(settings)
    yield services
    services.store.close()


@pytest.fixture
def app(settings):
    return create_app(settings, testing=True)


@pytest.fixture
def client(app):
    return app.test_client()


def show_args(settings) -> list[str]:
    """The `kiosk` command's options naming this show: its database (file or URL) and config."""
    argv = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    if settings.database_url:
        argv += ["--database-url", settings.database_url]
    return argv


class Runner:
    """Invokes the `kiosk` CLI against one show's database and config."""

    def __init__(self, settings):
        self.settings = settings

    def invoke(self, *args: str, env: dict | None = None):
        from kiosk.cli import cli

        argv = [*args, *show_args(self.settings)]
        return CliRunner().invoke(cli, argv, catch_exceptions=False, env=env)


@pytest.fixture
def runner(settings):
    """Invoke the `kiosk` CLI against this test's database and config."""
    return Runner(settings)


class Factory:
    """Makes people, exhibitors and devices in a test's show."""

    def __init__(self, svc):
        self.svc = svc
        self.count = 0

    def attendee(self, **fields) -> tuple[int, str]:
        """A registered person; returns (id, badge code)."""
        self.count += 1
        raw = {
            "full_name": f"Test Person {self.count}",
            "email": f"p{self.count}@example.com",
            "category": "visitor",
            **fields,
        }
        person = clean_person(raw, self.svc.settings)
        person["external_id"] = fields.get("external_id", "")
        applicant = registration.Applicant(person, {})
        with self.svc.store.write() as conn:
            done = registration.create(
                conn, self.svc.settings, self.svc.keys, applicant, source="test"
            )
        return done.attendee_id, done.code

    def exhibitor(self, name="Acme", booth="A1") -> int:
        return create_exhibitor(self.svc.store, name=name, booth=booth)

    def device(self, role="kiosk", name=None, **kw) -> str:
        """A device of the given role; returns its bearer token."""
        self.count += 1
        if role == "exhibitor" and "exhibitor_id" not in kw:
            kw["exhibitor_id"] = self.exhibitor()
        if role == "kiosk" and "gate" not in kw:
            kw["gate"] = "north"
        _, token = create_device(
            self.svc.store, self.svc.settings, role=role, name=name or f"{role}-{self.count}", **kw
        )
        return token

    def check_in(self, code: str, *, device=None, now=None, gate="north", direction="in"):
        """A check-in through the domain, at a new kiosk of the gate unless `device` is given;
        returns its outcome, asserted ok."""
        if device is None:
            self.count += 1
            device, _ = create_device(
                self.svc.store,
                self.svc.settings,
                role="kiosk",
                name=f"entry-{self.count}",
                gate=gate,
            )
        outcome = check_in(
            self.svc.store,
            self.svc.settings,
            self.svc.keys,
            code=code,
            gate=gate,
            direction=direction,
            nonce=uuid.uuid4().hex,
            device=device,
            now=now,
        )
        assert outcome.ok, outcome
        return outcome


@pytest.fixture
def make(svc):
    return Factory(svc)


def auth(token: str) -> dict:
    """Headers for a device token."""
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`kiosk serve` in a subprocess on 127.0.0.1."""

    def __init__(self, settings, extra_env=None, args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT), **(extra_env or {})}
        self.log_path = Path(settings.db_path).with_name(f"server-{self.port}.log")
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(settings.db_path),
                "--config",
                str(settings.config_path),
                *(["--database-url", settings.database_url] if settings.database_url else []),
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        # A loaded machine can take long to start a server and to answer its first request.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


@pytest.fixture
def live_server(settings, svc):
    server = LiveServer(settings)
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run ./scripts/test as root to install it")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


STAFF_PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Argon2 with test-sized cost: the same code path, without 64 MiB per hash."""
    from argon2 import PasswordHasher

    from kiosk.staff import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered form."""
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def staff_client(client, svc):
    """A test client signed in to the console as staff account 'alice'."""
    from kiosk.staff.accounts import create_staff

    create_staff(svc.store, "alice", STAFF_PASSWORD)
    token = csrf_from(client.get("/staff/sign-in").get_data(as_text=True))
    res = client.post(
        "/staff/sign-in", data={"name": "alice", "password": STAFF_PASSWORD, "csrf_token": token}
    )
    assert res.status_code == 302
    client.csrf = csrf_from(client.get("/staff/live").get_data(as_text=True))
    return client


class MailSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts (with a
    TLS context: STARTTLS, required if asked; with `auth`: sign-in over TLS).

    `refuse` holds addresses answered 550 at RCPT; `hold_after` makes the server keep the
    message numbered so and then stall before answering (for a sender killed mid-message).
    """

    def __init__(self, tls_context=None, require_starttls=False, auth=None):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.hold_after: int | None = None
        self.released = False
        self.port = free_port()
        kwargs = {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
        if auth is not None:
            kwargs.update(authenticator=auth, auth_require_tls=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        if self.hold_after is not None and len(self.messages) == self.hold_after:
            deadline = time.monotonic() + 60
            while not self.released and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 2.0.0 queued"

    def stop(self):
        self.released = True
        self.controller.stop()


@pytest.fixture
def mail_sink():
    sink = MailSink()
    yield sink
    sink.stop()


def mail_toml(port: int, extra: str = "") -> str:
    """The demo show's configuration with [mail] pointing at a local test server."""
    return (
        EVENT_TOML.read_text(encoding="utf-8")
        + f"""
[mail]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "展会 Expo <expo@example.org>"
rate_per_minute = 60000
timeout = 10
"""
        + extra
    )


def running_sessions_toml() -> str:
    """The demo config with its sessions moved to run now (its own are on the show's fixed days)."""
    import re
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0)
    text = EVENT_TOML.read_text(encoding="utf-8")
    text = re.sub(
        r'(?m)^starts = ".*"$', f'starts = "{(now - timedelta(hours=1)).isoformat()}"', text
    )
    return re.sub(r'(?m)^ends = ".*"$', f'ends = "{(now + timedelta(hours=2)).isoformat()}"', text)


WEDGE_BURST = """(code) => {
  const target = document.activeElement || document.body;
  for (const key of [...code, "Enter"]) {
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  }
}"""


def wedge_scan(page, code: str) -> None:
    """A keyboard-wedge scanner: the code's keys and Enter in one burst, which a loaded machine
    cannot split into two reads (as key-by-key typing can)."""
    page.evaluate(WEDGE_BURST, code)


def walk_up_steps(page, category="visitor", consents=("terms",), **fields):
    """Through the walk-up's steps: the category, each step's fields, then the consents."""
    page.click(f'[data-category="{category}"]')
    while page.get_attribute("#reg-form", "data-step") != "consents":
        for field in page.locator("#reg-form input[data-input]").all():
            name = field.get_attribute("name")
            if name in fields:
                field.fill(fields[name])
        step = page.get_attribute("#reg-form", "data-step")
        page.click("#reg-next")
        page.wait_for_function(
            f"document.querySelector('#reg-form').dataset.step !== '{step}'"
            " || document.querySelector('#reg-form .invalid')"
        )
        if page.locator("#reg-form .invalid").count():
            return
    for consent in consents:
        page.check(f'[data-consent="{consent}"]')
