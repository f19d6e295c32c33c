"""Confirmations: the export for the ticketing system's mailer, and `kiosk mail confirmations`
against a real SMTP server on 127.0.0.1: one message per person and code, each QR checks in."""

from __future__ import annotations

import csv
import email
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from email import policy

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from conftest import BOTH_DATABASES, ROOT, auth, load_settings, mail_toml, show_args
from kiosk.attendees import desk
from kiosk.crm.erase import erase
from kiosk.storage import mailings

PEOPLE = [
    {
        "full_name": "张伟",
        "email": "zhang.wei@example.com",
        "language": "zh",
        "category": "buyer",
        "phone": "+8613800138000",
    },
    {
        "full_name": "Anna Müller",
        "email": "anna@example.com",
        "language": "en",
        "category": "trade",
    },
    {
        "full_name": "欧阳娜娜",
        "email": "ouyang@example.com",
        "language": "zh",
        "company": "上海精密",
    },
    {"full_name": "Bob Stone", "email": "bob@example.com", "language": "en", "category": "media"},
]


@pytest.fixture
def settings(tmp_path, mail_sink, database_url):
    return load_settings(tmp_path, mail_toml(mail_sink.port), database_url=database_url)


@pytest.fixture
def people(make):
    """(id, code, fields) of each person of PEOPLE."""
    out = []
    for n, fields in enumerate(PEOPLE, 1):
        fields = {"company": "Acme", **fields}
        attendee_id, code = make.attendee(external_id=f"E-{n}", **fields)
        out.append((attendee_id, code, fields))
    return out


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def qr_of(msg) -> str:
    """The badge code the message's inline QR image decodes to (zxing-cpp, not our encoder)."""
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    assert images[0]["Content-Disposition"] is None or "inline" in images[0]["Content-Disposition"]
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].get_content())))
    assert len(found) == 1
    return found[0].text


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def every_text(msg) -> str:
    """Everything a reader of the message sees: headers, both bodies, the PDF's text."""
    parts = [str(msg["To"]), str(msg["Subject"])]
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html"):
            parts.append(part.get_content())
        elif kind == "application/pdf":
            parts.append(pdf_text(part.get_content()))
    return "\n".join(parts)


def check_in(client, kiosk_token, code):
    return client.post(
        "/api/v1/checkins",
        json={"code": code, "gate": "north", "direction": "in", "nonce": f"n-{code}"},
        headers=auth(kiosk_token),
    )


@BOTH_DATABASES
def test_every_person_gets_one_message_whose_qr_checks_in(
    runner, svc, people, mail_sink, client, make, caplog
):
    caplog.set_level(logging.DEBUG)
    result = runner.invoke("mail", "confirmations")
    assert result.exit_code == 0, result.output
    assert "4 sent, 0 refused, 0 failed" in result.output
    assert len(mail_sink.messages) == 4
    kiosk = make.device("kiosk")
    by_address = {}
    for rcpt, raw in mail_sink.messages:
        assert len(rcpt) == 1
        assert rcpt[0] not in by_address, "two messages for one person"
        by_address[rcpt[0]] = parse(raw)
    for attendee_id, code, fields in people:
        msg = by_address[fields["email"]]
        assert qr_of(msg) == code
        assert check_in(client, kiosk, code).status_code == 201
        seen = every_text(msg)
        assert fields["full_name"] in seen and code in seen
        # Nobody else's name, address or code is anywhere in it.
        for other_id, other_code, other in people:
            if other_id != attendee_id:
                assert other["full_name"] not in seen
                assert other["email"] not in seen
                assert other_code not in seen
        pdfs = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1 and pdfs[0].get_filename() == f"e-badge-{attendee_id}.pdf"
    # The person's language: Chinese subject for zh, English for en.
    assert "电子胸卡" in str(by_address["zhang.wei@example.com"]["Subject"])
    assert str(by_address["anna@example.com"]["Subject"]).endswith("your e-badge")
    # Nothing personal in the log, the audit row holds counts only.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("kiosk"))
    for _, code, fields in people:
        assert fields["email"] not in ours and code not in ours
    audit = svc.store.conn.execute(
        "SELECT after FROM audit_log WHERE action = 'mail.confirmations'"
    ).fetchone()
    assert json.loads(audit["after"])["sent"] == 4
    assert "@" not in audit["after"]


@BOTH_DATABASES
def test_a_rerun_sends_only_new_people_and_new_codes(runner, svc, people, mail_sink, make):
    assert runner.invoke("mail", "confirmations").exit_code == 0
    assert len(mail_sink.messages) == 4
    again = runner.invoke("mail", "confirmations")
    assert "0 sent" in again.output and "4 already sent" in again.output
    assert len(mail_sink.messages) == 4
    # A newcomer and a reprint: exactly those two go out, the reprint with its new code.
    newcomer_id, newcomer_code = make.attendee(full_name="Cleo New", email="cleo@example.com")
    reprinted_id = people[1][0]
    new_code = desk.reprint(svc.store, svc.keys, reprinted_id, actor="test", device_id=None)
    third = runner.invoke("mail", "confirmations")
    assert "2 sent" in third.output, third.output
    fresh = {rcpt[0]: parse(raw) for rcpt, raw in mail_sink.messages[4:]}
    assert set(fresh) == {"cleo@example.com", "anna@example.com"}
    assert qr_of(fresh["anna@example.com"]) == new_code != people[1][1]
    assert qr_of(fresh["cleo@example.com"]) == newcomer_code
    # An erased person holds no live badge any more and gets nothing.
    erase(svc.store, svc.keys, newcomer_id, actor="test")
    assert "0 sent" in runner.invoke("mail", "confirmations").output
    kept = svc.store.conn.execute(
        "SELECT state, address_digest FROM mail_ledger WHERE attendee_id = :newcomer_id",
        {"newcomer_id": newcomer_id},
    ).fetchall()
    assert [tuple(r) for r in kept] == [("sent", "")]  # counted, nothing of the address left


@BOTH_DATABASES
def test_a_refused_address_is_reported_and_the_run_goes_on(runner, svc, people, mail_sink):
    mail_sink.refuse.add("anna@example.com")
    result = runner.invoke("mail", "confirmations")
    assert result.exit_code == 0
    assert "3 sent, 1 refused" in result.output
    assert f"refused: attendee {people[1][0]} (external id E-2) <anna@example.com>: 550" in (
        result.output
    )
    assert sorted(r[0] for r, _ in mail_sink.messages) == sorted(
        p[2]["email"] for p in people if p[2]["email"] != "anna@example.com"
    )
    # Refused stays refused for the same address; a corrected address is tried again.
    assert "1 refused before" in runner.invoke("mail", "confirmations").output
    with svc.store.write() as conn:
        conn.execute(
            "UPDATE attendees SET email = 'anna.m@example.com' WHERE id = :id", {"id": people[1][0]}
        )
    assert "1 sent" in runner.invoke("mail", "confirmations").output
    assert mail_sink.messages[-1][0] == ["anna.m@example.com"]


def test_dry_run_writes_one_eml_per_message_and_sends_nothing(
    runner, svc, people, mail_sink, tmp_path
):
    out = tmp_path / "eml"
    result = runner.invoke("mail", "confirmations", "--dry-run", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "4 written" in result.output
    assert mail_sink.messages == []
    files = sorted(out.glob("*.eml"))
    assert [f.name for f in files] == sorted(f"confirmation-{p[0]}.eml" for p in people)
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600
    codes = {qr_of(parse(path.read_bytes())) for path in files}
    assert codes == {p[1] for p in people}
    # The ledger is untouched: the real run still sends all four.
    assert mailings.counts(svc.store.conn) == {}
    assert "4 sent" in runner.invoke("mail", "confirmations").output


def test_export_read_back_with_csv_and_a_pdf_reader(runner, svc, people, tmp_path):
    out = tmp_path / "confirmations"
    desk.reprint(svc.store, svc.keys, people[0][0], actor="test", device_id=None)
    erase(svc.store, svc.keys, people[3][0], actor="test")
    result = runner.invoke("export", "--format", "confirmations", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = (out / "confirmations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "external_id",
        "full_name",
        "email",
        "language",
        "category",
        "badge_code",
        "qr_file",
        "pdf_file",
    ]
    # Only live badges: the erased person is out, the reprint's new code replaced the old.
    assert [r["external_id"] for r in rows] == ["E-1", "E-2", "E-3"]
    assert rows[0]["badge_code"] != people[0][1]
    assert [r["badge_code"] for r in rows[1:]] == [people[1][1], people[2][1]]
    assert [r["language"] for r in rows] == ["zh", "en", "zh"]
    for row in rows:
        png = Image.open(out / row["qr_file"])
        assert png.width >= 300  # big enough for a phone screen held to a scanner
        assert zxingcpp.read_barcodes(png)[0].text == row["badge_code"]
        text = pdf_text((out / row["pdf_file"]).read_bytes())
        assert row["full_name"] in text and row["badge_code"] in text
    assert "入口" in pdf_text((out / rows[0]["pdf_file"]).read_bytes())
    assert "Entrances" in pdf_text((out / rows[1]["pdf_file"]).read_bytes())
    # Exporting again after another erasure leaves no stale files behind.
    erase(svc.store, svc.keys, people[2][0], actor="test")
    assert runner.invoke("export", "--format", "confirmations", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in (out / "pdf").iterdir()) == sorted(
        f"{p[0]}.pdf" for p in people[:2]
    )


def test_kill_9_mid_run_then_rerun_nobody_gets_two(settings, svc, make, mail_sink):
    for n in range(8):
        make.attendee(full_name=f"Person {n}", email=f"p{n}@example.com")
    mail_sink.hold_after = 3  # the third message is taken, then the server stalls
    argv = [
        sys.executable,
        "-m",
        "kiosk",
        "mail",
        "confirmations",
        *show_args(settings),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(mail_sink.messages) < 3 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    mail_sink.released = True
    assert len(mail_sink.messages) == 3
    rerun = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "5 sent" in rerun.stdout and "2 already sent" in rerun.stdout
    assert "1 in doubt" in rerun.stdout
    received = [rcpt[0] for rcpt, _ in mail_sink.messages]
    assert len(received) == len(set(received)) == 8  # everyone once, the cut-off one included
    assert (
        "0 sent" in subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True).stdout
    )


def test_mail_settings_errors_are_one_clear_line(tmp_path, mail_sink):
    from kiosk.mailing import setup

    settings = load_settings(
        tmp_path,
        mail_toml(mail_sink.port, '\n[invitations]\nregistration_url = "https://x.example"\n'),
    )
    settings.extra["mail"]["security"] = "ssl"
    with pytest.raises(ValueError, match="mail.security: 'ssl' is not one of starttls, tls, none"):
        setup.load(settings)
    settings.extra["mail"]["security"] = "starttls"
    settings.extra["mail"]["username"] = "expo"
    with pytest.raises(ValueError, match="KIOSK_SMTP_PASSWORD"):
        setup.load(settings, environ={})
    loaded = setup.load(settings, environ={"KIOSK_SMTP_PASSWORD": "s3cret"})
    assert loaded.password == "s3cret" and loaded.port == mail_sink.port


@BOTH_DATABASES
def test_the_people_page_shows_sent_failed_and_pending(
    staff_client, runner, svc, people, mail_sink
):
    import re

    def card():
        html = staff_client.get("/staff/people").get_data(as_text=True)
        row = re.search(r'data-kind="confirmation">(.*?)</tr>', html, re.S).group(1)
        return [int(n) for n in re.findall(r'class="(?:sent|failed|pending)">(\d+)<', row)]

    assert card() == [0, 0, 4]
    mail_sink.refuse.add("bob@example.com")
    runner.invoke("mail", "confirmations")
    assert card() == [3, 1, 0]
    desk.reprint(svc.store, svc.keys, people[0][0], actor="test", device_id=None)
    assert card() == [3, 1, 1]  # the reprint's new code is due
    html = staff_client.get("/staff/people").get_data(as_text=True)
    assert "邮件" in html and "邀请函" in html


def self_signed(folder):
    """A certificate for 127.0.0.1 made here, and an SSL context serving it."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context


def test_starttls_with_a_sign_in_and_the_shows_own_ca(tmp_path):
    from aiosmtpd.smtp import AuthResult

    from conftest import MailSink, Runner

    cert, context = self_signed(tmp_path)

    def check(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"expo" and auth_data.password == b"s3cret")

    sink = MailSink(tls_context=context, require_starttls=True, auth=check)
    try:
        extra = f'username = "expo"\nsecurity = "starttls"\nca_file = "{cert}"\n'
        toml = mail_toml(sink.port).replace('security = "none"\n', extra)
        settings = load_settings(tmp_path, toml)
        from kiosk.services import open_services

        svc = open_services(settings)
        from conftest import Factory

        Factory(svc).attendee(full_name="Tess Tls", email="tess@example.com")
        runner = Runner(settings)
        done = runner.invoke("mail", "confirmations", env={"KIOSK_SMTP_PASSWORD": "s3cret"})
        assert "1 sent" in done.output, done.output
        assert [r for r, _ in sink.messages] == [["tess@example.com"]]
        svc.store.close()
    finally:
        sink.stop()


def test_without_a_cjk_font_the_pdfs_still_come_with_a_warning(svc, people, monkeypatch, tmp_path):
    from kiosk.mailing import confirmations, ebadge

    monkeypatch.setattr(ebadge, "CJK_FAMILY", "No Such Font Family")
    done = confirmations.export(svc.store, svc.settings, svc.keys, tmp_path / "latin")
    assert "no CJK font" in done.warning and "fonts-noto-cjk" in done.warning
    assert done.people == 4
    text = pdf_text((tmp_path / "latin" / f"pdf/{people[1][0]}.pdf").read_bytes())
    assert "Anna Müller" in text and people[1][1] in text


def test_without_mail_settings_the_command_names_the_missing_key(tmp_path, capsys):
    from kiosk.cli import main

    settings = load_settings(tmp_path)  # the demo show: no [mail] table
    where = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    with pytest.raises(SystemExit) as stop:
        main(["mail", "confirmations", *where])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == "kiosk: error: mail.host: missing (the SMTP server)"
    with pytest.raises(SystemExit):
        main(["mail", "confirmations", "--dry-run", *where])
    assert "--dry-run needs --out DIR" in capsys.readouterr().err
