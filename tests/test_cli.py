"""The kiosk command line: init, devices, exhibitors; errors are one line."""

import subprocess
import sys
import tomllib
from datetime import date

import zxingcpp
from PIL import Image

from conftest import ROOT
from kiosk.demo import shifted_config


def kiosk(*args, env_db=None):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_init_creates_then_migrates_nothing(tmp_path):
    db = str(tmp_path / "show.db")
    first = kiosk("init", "--db", db)
    assert first.returncode == 0
    assert "1 migrations applied" in first.stdout or "migrations applied" in first.stdout
    assert (tmp_path / "show.secret").exists()
    again = kiosk("init", "--db", db)
    assert again.returncode == 0 and "(0 migrations applied)" in again.stdout


def test_devices_add_prints_token_alone_on_last_line(runner, svc):
    result = runner.invoke("devices", "add", "--role", "kiosk", "--name", "north-1")
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("kt_") and " " not in token
    assert svc.devices.authenticate(token).gate == "north"  # from [kiosks.north-1] in the config


def test_exhibitor_then_its_device(runner, svc):
    result = runner.invoke("exhibitors", "add", "--name", "Acme 艾可", "--booth", "A101")
    exhibitor_id = result.stdout.strip().splitlines()[-1]
    assert exhibitor_id.isdigit()
    result = runner.invoke(
        "devices",
        "add",
        "--role",
        "exhibitor",
        "--name",
        "booth phone",
        "--exhibitor",
        exhibitor_id,
    )
    device = svc.devices.authenticate(result.stdout.strip().splitlines()[-1])
    assert device.role == "exhibitor" and device.exhibitor_id == int(exhibitor_id)


def test_bad_device_input_is_one_line_and_creates_nothing(tmp_path, settings, svc):
    common = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    for args in (
        ["--role", "kiosk", "--name", "k", "--gate", "west"],
        ["--role", "exhibitor", "--name", "e"],
        ["--role", "exhibitor", "--name", "e", "--exhibitor", "999"],
        ["--role", "janitor", "--name", "j"],
    ):
        proc = kiosk("devices", "add", *args, *common)
        assert proc.returncode != 0
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert svc.store.one("SELECT count(*) FROM devices")[0] == 0


def test_bad_config_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[event]\nname = "x"\n[categories.visitor]\nname = "v"\ncolor = "red"\n[gates]\n'
    )
    proc = kiosk("init", "--db", str(tmp_path / "k.db"), "--config", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "kiosk: error: categories.visitor.color: 'red' is not a colour like #1565C0"
    )


def test_demo_data_makes_a_show_whose_booth_phones_ask_questions(runner, app, client):
    result = runner.invoke("demo-data", "--people", "40")
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    booth = next(r[2] for r in rows if len(r) == 3 and r[0] == "exhibitor")
    me = client.get("/api/v1/exhibitor", headers={"Authorization": f"Bearer {booth}"})
    assert me.status_code == 200
    questions = {q["id"]: q for q in me.get_json()["questions"]}
    assert questions["volume"]["label"] == {"zh": "采购量", "en": "Purchase volume"}
    assert [o["id"] for o in questions["timeline"]["options"]] == ["now", "later", "browsing"]
    kiosk_token = next(r[2] for r in rows if len(r) == 3 and r[0] == "kiosk")
    found = client.get(
        "/api/v1/attendees?q=zhangwei", headers={"Authorization": f"Bearer {kiosk_token}"}
    )
    assert found.status_code == 200 and found.get_json()["attendees"]


def test_demo_data_prints_badge_codes_that_check_in_with_their_qr_images(
    runner, app, client, tmp_path
):
    result = runner.invoke("demo-data", "--people", "10", "--qr-dir", str(tmp_path / "qr"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    badges = [line.split()[-1] for line in lines if line.startswith("badge ")]
    images = sorted(line.split()[-1] for line in lines if line.startswith("qr "))
    assert len(badges) == 2 and len(images) == 2
    decoded = {zxingcpp.read_barcode(Image.open(path)).text for path in images}
    assert decoded == set(badges)
    kiosk_token = next(line.split()[2] for line in lines if line.startswith("kiosk "))
    for code in badges:
        res = client.post(
            "/api/v1/checkins",
            json={"code": code, "gate": "north"},
            headers={"Authorization": f"Bearer {kiosk_token}"},
        )
        assert res.status_code == 201, res.get_json()


def test_the_demo_show_happens_today():
    text = (ROOT / "config" / "event.toml").read_text(encoding="utf-8")
    moved = shifted_config(text, date(2027, 3, 1))
    settings = tomllib.loads(moved)
    assert settings["event"]["days"] == ["2027-03-01", "2027-03-02", "2027-03-03"]
    assert [s["starts"] for s in settings["sessions"].values()] == [
        "2027-03-01T10:00",
        "2027-03-02T14:00",
    ]
    assert shifted_config(text, date(2026, 11, 24)) == text
