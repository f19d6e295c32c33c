"""`kiosk sync tryton` against a real trytond (party, sale_opportunity) on SQLite."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import crm_show as show
import pytest
import requests

from conftest import free_port
from kiosk.attendees import registry
from kiosk.crm.erase import erase

BIN = Path(sys.executable).parent
CACHE = Path(os.environ.get("KIOSK_TEST_CACHE", Path.home() / ".cache" / "kiosk-tests"))
PASSWORD = "admin-pw"
DAY1 = "2026-11-24T01:30:00.000Z"


def write_conf(directory: Path, port: int) -> Path:
    conf = directory / "trytond.conf"
    conf.write_text(
        f"[database]\nuri = sqlite://\npath = {directory}\n[web]\nlisten = 127.0.0.1:{port}\n",
        encoding="utf-8",
    )
    return conf


class TrytonServer:
    """trytond serving one SQLite database from a directory."""

    def __init__(self, directory: Path):
        self.port = free_port()
        conf = write_conf(directory, self.port)
        self.url = f"http://127.0.0.1:{self.port}/show/"
        self.log = (directory / "trytond.log").open("wb")
        # Tryton checks an e-mail's domain in DNS before accepting it and this machine has no
        # DNS: the test server runs with Tryton's own test switch, which turns that lookup off.
        code = (
            "import runpy, sys; from trytond.pool import Pool; Pool.test = True;"
            f" sys.argv = ['trytond', '-c', {str(conf)!r}];"
            f" runpy.run_path({str(BIN / 'trytond')!r}, run_name='__main__')"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (directory / "trytond.log").read_text()
            try:
                requests.post(
                    f"http://127.0.0.1:{self.port}/",
                    json={"method": "common.server.version", "params": []},
                    timeout=2,
                )
                return
            except requests.ConnectionError:
                time.sleep(0.3)
        raise RuntimeError("trytond did not start")

    def session(self):
        from proteus import config

        return config.set_xmlrpc_session(self.url, "admin", PASSWORD)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def set_up_company(server: TrytonServer) -> None:
    """What the organiser does once in Tryton: its company, in yuan."""
    from proteus import Model, Wizard

    with server.session() as cfg:
        Currency, Party, User = (
            Model.get("currency.currency"),
            Model.get("party.party"),
            Model.get("res.user"),
        )
        currency = Currency(name="Renminbi", code="CNY", symbol="¥")
        currency.save()
        wizard = Wizard("company.company.config")
        wizard.execute("company")
        organiser = Party(name="Expo Organiser")
        organiser.save()
        wizard.form.party = organiser
        wizard.form.currency = currency
        wizard.execute("add")
        cfg._context = User.get_preferences(True, {})


def template_database(tmp_path_factory) -> Path:
    """An initialised trytond database with sale_opportunity and a company, cached on disk."""
    version = importlib.metadata.version("trytond")
    cached = CACHE / f"trytond-{version}-sale_opportunity.sqlite"
    if cached.exists():
        return cached
    work = tmp_path_factory.mktemp("tryton-template")
    conf = write_conf(work, free_port())
    (work / "show.sqlite").touch()
    (work / "pass").write_text(PASSWORD + "\n", encoding="utf-8")
    subprocess.run(
        [
            BIN / "trytond-admin",
            "-c",
            conf,
            "-d",
            "show",
            "-u",
            "sale_opportunity",
            "--activate-dependencies",
            "--email",
            "",
        ],
        env={**os.environ, "TRYTONPASSFILE": str(work / "pass")},
        check=True,
        timeout=900,
        capture_output=True,
    )
    server = TrytonServer(work)
    try:
        set_up_company(server)
    finally:
        server.stop()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    shutil.copy(work / "show.sqlite", partial)
    os.replace(partial, cached)
    return cached


@pytest.fixture(scope="module")
def tryton(tmp_path_factory):
    """One trytond for this file; the tests tell their records apart by identifier."""
    template = template_database(tmp_path_factory)
    directory = tmp_path_factory.mktemp("trytond")
    shutil.copy(template, directory / "show.sqlite")
    server = TrytonServer(directory)
    yield server
    server.stop()


def parties(server):
    from proteus import Model

    with server.session():
        found = Model.get("party.party").find([("identifiers.code", "like", "kiosk:%")])
        return {
            p.name: {
                "id": p.id,
                "written": str(p.write_date or p.create_date),
                "mechanisms": sorted((m.type, m.value) for m in p.contact_mechanisms),
                "city": p.addresses[0].city if p.addresses else None,
            }
            for p in found
        }


def opportunities(server):
    from proteus import Model

    with server.session():
        found = Model.get("sale.opportunity").find([("reference", "like", "kiosk:%")])
        return sorted((o.reference, o.party.name, o.state, o.company.party.name) for o in found)


def test_people_become_parties_hot_leads_opportunities_and_twice_changes_nothing(
    svc, make, runner, tryton
):
    acme, beta = make.exhibitor("Acme", "A1"), make.exhibitor("Beta", "B2")
    wang, _ = make.attendee(
        full_name="王小明", email="wang@example.com", phone="+8613912345678", city="上海"
    )
    anna, _ = make.attendee(full_name="Anna Schmidt", email="anna@example.com", company="X")
    quiet, _ = make.attendee(full_name="Quiet Person")
    gone, _ = make.attendee(full_name="Gone Person")
    with svc.store.write() as conn:
        show.lead(conn, acme, anna, DAY1, "hot")
        show.lead(conn, beta, anna, DAY1, "hot")
        show.lead(conn, beta, wang, DAY1, "warm")
        for person in (wang, anna, gone):
            show.consent(conn, person, "terms", True)
        show.consent(conn, quiet, "terms", False)
    erase(svc.store, svc.keys, gone, actor="test")
    url = tryton.url.replace("http://", f"http://admin:{PASSWORD}@")

    first = runner.invoke("sync", "tryton", "--url", url)
    assert first.exit_code == 0, first.output
    assert "parties 2 created, 0 updated, 0 unchanged; 2 opportunities created" in first.output
    assert "2 people left out" in first.output
    assert PASSWORD not in first.output
    made = parties(tryton)
    assert set(made) == {"王小明", "Anna Schmidt"}
    assert ("email", "wang@example.com") in made["王小明"]["mechanisms"]
    assert any(
        t == "mobile" and v.replace(" ", "") == "+8613912345678"
        for t, v in made["王小明"]["mechanisms"]
    )
    assert made["王小明"]["city"] == "上海"
    assert opportunities(tryton) == [
        (f"kiosk:expo-2026:lead:{anna}:{acme}", "Anna Schmidt", "lead", "Expo Organiser"),
        (f"kiosk:expo-2026:lead:{anna}:{beta}", "Anna Schmidt", "lead", "Expo Organiser"),
    ]

    second = runner.invoke("sync", "tryton", "--url", url)
    assert "parties 0 created, 0 updated, 2 unchanged; 0 opportunities" in second.output
    svc.store.conn.execute("DELETE FROM crm_sync_sent")  # even with the ledger lost
    svc.store.conn.commit()
    third = runner.invoke("sync", "tryton", "--url", url)
    assert "parties 0 created, 0 updated, 2 unchanged; 0 opportunities" in third.output
    assert parties(tryton) == made
    assert len(opportunities(tryton)) == 2

    with svc.store.write() as conn:
        row = conn.execute("SELECT * FROM attendees WHERE id = ?", (anna,)).fetchone()
        registry.apply_update(conn, row, {"email": "anna.schmidt@example.org"}, reason="desk")
    fourth = runner.invoke("sync", "tryton", "--url", url)
    assert "parties 0 created, 1 updated, 1 unchanged" in fourth.output
    assert ("email", "anna.schmidt@example.org") in parties(tryton)["Anna Schmidt"]["mechanisms"]


def test_a_wrong_password_is_one_clear_error(settings, tryton, capsys):
    from kiosk.cli import main

    url = tryton.url.replace("http://", "http://admin:wrong@")
    args = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    with pytest.raises(SystemExit) as exit_info:
        main(["sync", "tryton", "--url", url, *args])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "cannot log in to http://admin@127.0.0.1" in err and "wrong" not in err
