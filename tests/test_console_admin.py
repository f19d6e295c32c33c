"""Devices, exhibitors and the audit log managed from the console."""

import csv
import io
import json
import re

import zxingcpp
from PIL import Image

from conftest import BOTH_DATABASES, auth
from kiosk.storage.interactions import audit as write_audit


def post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def test_create_device_shows_token_once_with_a_pairing_qr(staff_client, svc):
    res = post(staff_client, "/staff/devices", name="north-2", role="kiosk", gate="north")
    page = res.get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    import base64

    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(qr))))
    assert decoded.text.endswith(f"/kiosk#token={token}")
    me = staff_client.get("/api/v1/me", headers=auth(token)).get_json()
    assert me["device"]["name"] == "north-2" and me["device"]["gate"] == "north"
    # The list never shows the token again.
    assert token not in staff_client.get("/staff/devices").get_data(as_text=True)
    assert (
        svc.store.one("SELECT actor FROM audit_log WHERE action = 'device.create'")[0]
        == "staff:alice"
    )


def test_bad_device_is_refused_naming_the_field(staff_client):
    res = post(staff_client, "/staff/devices", name="x", role="exhibitor")
    assert res.status_code == 422 and "exhibitor" in res.get_data(as_text=True)


@BOTH_DATABASES
def test_rename_and_revoke(staff_client, make, svc):
    token = make.device("kiosk", name="old name")
    device_id = staff_client.get("/api/v1/me", headers=auth(token)).get_json()["device"]["id"]
    post(staff_client, f"/staff/devices/{device_id}/rename", name="South entrance 2")
    assert "South entrance 2" in staff_client.get("/staff/devices").get_data(as_text=True)
    post(staff_client, f"/staff/devices/{device_id}/revoke")
    assert staff_client.get("/api/v1/me", headers=auth(token)).status_code == 401
    actions = [r["action"] for r in svc.store.query("SELECT action FROM audit_log")]
    assert "device.rename" in actions and "device.revoke" in actions


def test_console_accounts_are_not_listed_as_devices(staff_client):
    assert "console: alice" not in staff_client.get("/staff/devices").get_data(as_text=True)


@BOTH_DATABASES
def test_exhibitor_with_qualifying_questions(staff_client, svc):
    staff_client.get("/staff/people?lang=en")
    post(staff_client, "/staff/exhibitors", name="Acme", booth="A1")
    exhibitor_id = svc.store.one("SELECT id FROM exhibitors")["id"]
    lines = (
        "single: Budget this year? | <10k | 10k-100k | >100k\n"
        "multiple: Interested in | Robots | Sensors\n"
        "text: Project name"
    )
    post(
        staff_client, f"/staff/exhibitors/{exhibitor_id}", name="Acme", booth="A2", questions=lines
    )
    row = svc.store.one("SELECT booth, questions FROM exhibitors")
    questions = json.loads(row["questions"])
    assert row["booth"] == "A2" and [q["type"] for q in questions] == ["single", "multiple", "text"]
    assert questions[0]["label"] == {"zh": "Budget this year?", "en": "Budget this year?"}
    assert questions[0]["options"] == [
        {"id": "lt-10k", "label": {"zh": "<10k", "en": "<10k"}},
        {"id": "10k-100k", "label": {"zh": "10k-100k", "en": "10k-100k"}},
        {"id": "gt-100k", "label": {"zh": ">100k", "en": ">100k"}},
    ]
    res = post(
        staff_client,
        f"/staff/exhibitors/{exhibitor_id}",
        name="Acme",
        booth="A2",
        questions="single: Only one | yes",
    )
    assert "line 1" in staff_client.get(res.headers["Location"]).get_data(as_text=True)
    assert len(json.loads(svc.store.one("SELECT questions FROM exhibitors")[0])) == 3


@BOTH_DATABASES
def test_audit_page_and_formula_safe_export(staff_client, svc):
    with svc.store.write() as conn:
        write_audit(conn, '=HYPERLINK("http://x")', "@cmd", "+1", after={"a": 1})
    page = staff_client.get("/staff/audit").get_data(as_text=True)
    assert "staff.sign_in" in page and "@cmd" in page
    res = staff_client.get("/staff/audit.csv")
    assert res.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(res.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["id", "at", "actor", "action", "target", "before", "after"]
    formula = [r for r in rows if r[3] == "'@cmd"][0]
    assert formula[2].startswith("'=") and formula[4] == "'+1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
