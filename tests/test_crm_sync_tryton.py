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

from conftest import free_port, show_args
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


def wait_for_trytond(proc: subprocess.Popen, port: int, log: Path, seconds: float) -> None:
    """Until trytond on this port answers an RPC call; its log in the error if it stops or
    does not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"trytond stopped: {log.read_text()}")
        try:
            requests.post(
                f"http://127.0.0.1:{port}/",
                json={"method": "common.server.version", "params": []},
                timeout=5,
            )
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"trytond did not answer within {seconds:.0f} s: {log.read_text()}")


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
        wait_for_trytond(self.proc, self.port, directory / "trytond.log", 120)

    def session(self):
        from proteus import config

        return config.set_xmlrpc_session(self.url, "admin", PASSWORD)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def initialise_database(work: Path, conf: Path) -> None:
    """Make the `show` database of `conf` with sale_opportunity and its dependencies (minutes)."""
    (work / "pass").write_text(PASSWORD + "\n", encoding="utf-8")
    subprocess.run(
        [BIN / "trytond-admin", "-c", conf, "-d", "show", "-u", "sale_opportunity"]
        + ["--activate-dependencies", "--email", ""],
        env={**os.environ, "TRYTONPASSFILE": str(work / "pass")},
        check=True,
        timeout=1800,
        capture_output=True,
    )


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
    initialise_database(work, conf)
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


@pytest.fixture(scope="module")
def countries(tryton):
    """The countries the organiser's Tryton knows (Tryton has none until they are imported)."""
    from proteus import Model

    with tryton.session():
        Country = Model.get("country.country")
        for code, name in (("CN", "China"), ("DE", "Germany")):
            Country(name=name, code=code).save()


def parties(server, like="kiosk:%"):
    from proteus import Model

    with server.session():
        found = Model.get("party.party").find([("identifiers.code", "like", like)])
        Note = Model.get("ir.note")
        return {
            p.name: {
                "id": p.id,
                "codes": sorted(i.code for i in p.identifiers),
                "mechanisms": sorted((m.type, m.value) for m in p.contact_mechanisms),
                "address": [
                    (a.party_name, a.name, a.city, a.country.code if a.country else None)
                    for a in p.addresses
                ],
                "lang": p.lang.code if p.lang else None,
                "categories": sorted(c.rec_name for c in p.categories),
                "notes": sorted(
                    n.message for n in Note.find([("resource", "=", f"party.party,{p.id}")])
                ),
            }
            for p in found
        }


def opportunities(server, like="kiosk:%"):
    from proteus import Model

    with server.session():
        found = Model.get("sale.opportunity").find([("reference", "like", like)])
        return sorted((o.reference, o.party.name, o.state, o.description) for o in found)


def test_people_and_exhibitors_become_parties_with_organiser_opportunities(
    svc, make, runner, tryton, countries
):
    acme, beta = make.exhibitor("Acme", "A1"), make.exhibitor("Beta", "B2")
    wang, _ = make.attendee(
        full_name="王小明",
        email="wang@example.com",
        phone="+8613912345678",
        city="上海",
        country="CN",
        company="上海机械",
        job_title="采购经理",
    )
    anna, _ = make.attendee(
        full_name="Anna Schmidt",
        email="anna@example.com",
        company="X GmbH",
        job_title="Head of Procurement",
        country="DE",
        language="en",
        category="buyer",
        phone="+4915123456789",
    )
    quiet, _ = make.attendee(full_name="Quiet Person")
    gone, _ = make.attendee(full_name="Gone Person")
    with svc.store.write() as conn:
        show.check_in(conn, anna, DAY1)
        show.lead(conn, acme, anna, DAY1, "hot")
        show.lead(conn, beta, anna, DAY1, "hot")
        show.lead(conn, beta, wang, DAY1, "warm")
        for person in (wang, anna, gone):
            show.consent(conn, person, "terms", True)
        show.consent(conn, quiet, "terms", False)
    erase(svc.store, svc.keys, gone, actor="test")
    url = tryton.url.replace("http://", f"http://admin:{PASSWORD}@")

    # two sessions at once, one record a batch: the batches overlap in Tryton
    first = runner.invoke("sync", "tryton", "--url", url, "--workers", "2", "--batch-size", "1")
    assert first.exit_code == 0, first.output
    # two people and two exhibitors; a key account to follow up and two booths to re-book
    assert "parties 4 created, 0 updated, 0 unchanged; 3 opportunities created" in first.output
    assert "2 people left out" in first.output
    assert PASSWORD not in first.output
    made = parties(tryton)
    assert set(made) == {"王小明", "Anna Schmidt", "Acme", "Beta"}
    w, a = made["王小明"], made["Anna Schmidt"]
    assert w["codes"] == ["kiosk:email:wang@example.com"]
    assert ("email", "wang@example.com") in w["mechanisms"]
    assert any(t == "mobile" and v.replace(" ", "") == "+8613912345678" for t, v in w["mechanisms"])
    assert w["address"] == [("王小明, 采购经理", "上海机械", "上海", "CN")]
    assert (w["lang"], a["lang"]) == ("zh_CN", "en")
    assert a["address"] == [("Anna Schmidt, Head of Procurement", "X GmbH", "", "DE")]
    assert "Kiosk / key account" in a["categories"]
    assert "Kiosk / category: buyer" in a["categories"]
    assert "Kiosk / key account" not in w["categories"]
    assert any(c.startswith("Kiosk / lifecycle: ") for c in w["categories"])
    note = a["notes"][0]
    assert note.startswith("[expo-2026] kiosk\nattended: yes") and "hot leads: 2" in note
    assert "key account: " in note
    assert made["Acme"]["categories"] == ["Kiosk / exhibitor"]
    assert opportunities(tryton) == [
        ("kiosk:expo-2026:key-account:email:anna@example.com", "Anna Schmidt", "lead",
         "expo-2026: key account Anna Schmidt, X GmbH"),
        ("kiosk:expo-2026:rebook:acme", "Acme", "lead", "expo-2026: re-book Acme (booth A1)"),
        ("kiosk:expo-2026:rebook:beta", "Beta", "lead", "expo-2026: re-book Beta (booth B2)"),
    ]  # fmt: skip

    second = runner.invoke("sync", "tryton", "--url", url)
    assert "parties 0 created, 0 updated, 4 unchanged; 0 opportunities" in second.output
    with svc.store.write() as conn:
        conn.execute("DELETE FROM crm_sync_sent")  # even with the ledger lost
    third = runner.invoke("sync", "tryton", "--url", url, "--workers", "3", "--batch-size", "1")
    assert "parties 0 created, 0 updated, 4 unchanged; 0 opportunities" in third.output
    assert parties(tryton) == made
    assert len(opportunities(tryton)) == 3

    with svc.store.write() as conn:
        row = conn.execute("SELECT * FROM attendees WHERE id = :anna", {"anna": anna}).fetchone()
        registry.apply_update(conn, row, {"email": "anna.schmidt@example.org"}, reason="desk")
    fourth = runner.invoke("sync", "tryton", "--url", url)
    assert "parties 0 created, 1 updated, 3 unchanged" in fourth.output
    anna_now = parties(tryton)["Anna Schmidt"]
    assert anna_now["id"] == a["id"]  # found through the ledger, now known by both keys
    assert ("email", "anna.schmidt@example.org") in anna_now["mechanisms"]
    assert anna_now["codes"] == [
        "kiosk:email:anna.schmidt@example.org",
        "kiosk:email:anna@example.com",
    ]


def test_the_next_edition_updates_the_parties_of_this_one(tmp_path, tryton, countries):
    from click.testing import CliRunner

    from conftest import EVENT_TOML, Factory, load_settings
    from kiosk.cli import cli
    from kiosk.services import open_services

    url = tryton.url.replace("http://", f"http://admin:{PASSWORD}@")
    editions = {
        2030: [
            ("Lena Returning", "lena@example.com", "L-1"),
            ("Only Then", "then@example.com", ""),
        ],
        2031: [
            ("Lena Returning", "lena.new@example.com", "L-1"),
            ("First Time", "first@example.com", ""),
        ],
    }
    outputs = {}
    for year, people in editions.items():
        text = EVENT_TOML.read_text(encoding="utf-8").replace('"expo-2026"', f'"expo-{year}"')
        directory = tmp_path / str(year)
        directory.mkdir()
        settings = load_settings(directory, text.replace("edition = 2026", f"edition = {year}"))
        services = open_services(settings)
        try:
            make = Factory(services)
            for name, email, crm_id in people:
                pid, _ = make.attendee(full_name=name, email=email, crm_id=crm_id, country="CN")
                with services.store.write() as conn:
                    show.consent(conn, pid, "terms", True)
        finally:
            services.store.close()
        argv = ["sync", "tryton", "--url", url, "--db", str(settings.db_path)]
        result = CliRunner().invoke(cli, [*argv, "--config", str(settings.config_path)])
        assert result.exit_code == 0, result.output
        outputs[year] = result.output
    assert "parties 2 created, 0 updated" in outputs[2030]
    assert "parties 1 created, 1 updated" in outputs[2031]  # Lena's party is updated
    lena = parties(tryton, "kiosk:crm:L-1")["Lena Returning"]
    assert lena["codes"] == ["kiosk:crm:L-1"]
    assert ("email", "lena.new@example.com") in lena["mechanisms"]
    assert [n.split("\n", 1)[0] for n in lena["notes"]] == [
        "[expo-2030] kiosk",
        "[expo-2031] kiosk",
    ]


def test_a_wrong_password_is_one_clear_error(settings, tryton, capsys):
    from kiosk.cli import main

    url = tryton.url.replace("http://", "http://admin:wrong@")
    args = show_args(settings)
    with pytest.raises(SystemExit) as exit_info:
        main(["sync", "tryton", "--url", url, *args])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "cannot log in to http://admin@127.0.0.1" in err and "wrong" not in err


def test_erased_people_have_their_parties_anonymised(svc, make, runner, tryton, countries):
    from proteus import Model

    booth = make.exhibitor("Gamma", "G1")
    kept, _ = make.attendee(full_name="Kept Person", email="kept@example.com")
    liu, _ = make.attendee(
        full_name="刘洋",
        email="liu@example.com",
        phone="+8613912340000",
        company="刘氏贸易",
        job_title="总经理",
        city="上海",
        country="CN",
        category="buyer",
    )
    with svc.store.write() as conn:
        for person in (kept, liu):
            show.consent(conn, person, "terms", True)
        show.check_in(conn, liu, DAY1)
        show.lead(conn, booth, liu, DAY1, "hot")
        show.lead(conn, make.exhibitor("Delta", "D1"), liu, DAY1, "hot")
    url = tryton.url.replace("http://", f"http://admin:{PASSWORD}@")
    assert runner.invoke("sync", "tryton", "--url", url).exit_code == 0
    party = parties(tryton, "kiosk:email:liu@%")["刘洋"]
    # a party an earlier edition made for someone known by CRM id, not in this show's ledger
    with tryton.session():
        Party = Model.get("party.party")
        old = Party(name="Zhou Old", identifiers=[{"code": "kiosk:crm:Z-9"}])
        old.contact_mechanisms.new(type="email", value="zhou@example.com")
        old.save()
        old_code = old.code  # from Tryton's sequence: no personal data, kept
    zhou, _ = make.attendee(full_name="Zhou Old", email="zhou@new.example", crm_id="Z-9")

    erase(svc.store, svc.keys, liu, actor="test")
    erase(svc.store, svc.keys, zhou, actor="test")
    result = runner.invoke("sync", "tryton", "--url", url)
    assert result.exit_code == 0, result.output
    assert "2 parties of erased people anonymised" in result.output
    with tryton.session():
        Party = Model.get("party.party")
        for pid in (party["id"], old.id):
            (gone,) = Party.find([("id", "=", pid), ("active", "in", [True, False])])
            assert not gone.active and not gone.name
            assert gone.code == (f"kiosk-erased-{pid}" if pid == party["id"] else old_code)
            everything = [("party", "=", pid), ("active", "in", [True, False])]
            identifiers = Model.get("party.identifier").find(everything)
            assert [i.code for i in identifiers] == ["****"]
            mechanisms = Model.get("party.contact_mechanism").find(everything)
            assert len(mechanisms) == 1 + (pid == party["id"])
            assert all(not m.value for m in mechanisms)
            addresses = Model.get("party.address").find(everything)
            assert all(not (a.party_name or a.name or a.city) for a in addresses)
            notes = Model.get("ir.note").find([("resource", "=", f"party.party,{pid}")])
            assert notes == []
        (opportunity,) = Model.get("sale.opportunity").find([("party", "=", party["id"])])
        assert opportunity.state == "cancelled" and opportunity.description == "[erased]"
        assert "liu" not in opportunity.reference and not opportunity.comment
    assert "Kept Person" in parties(tryton, "kiosk:email:kept@%")
    again = runner.invoke("sync", "tryton", "--url", url)
    assert "0 parties of erased people anonymised" in again.output
