"""Invitations from the imported history: segments, consent and erasure, and one mail each."""

from __future__ import annotations

import csv
import email
import io
from email import policy

import pytest

from conftest import BOTH_DATABASES, load_settings, mail_toml
from kiosk.attendees import registration
from kiosk.attendees.fields import clean_person
from kiosk.crm.erase import erase
from kiosk.storage.attendees import insert_consent

EXTRA = """
[consents.marketing]
required = false
version = "2026-1"
text = { zh = "我愿意收到主办方的展会邀请。", en = "Send me the organiser's show invitations." }

[invitations]
registration_url = "https://expo.example.org/register"
"""

HISTORY = """external_id,email,edition,year,attended,category,full_name,language,consent_marketing
H-1,h1@example.com,2023,2023,yes,visitor,李雷,zh,yes
H-1,h1@example.com,2024,2024,yes,visitor,李雷,zh,yes
H-1,h1@example.com,2025,2025,yes,visitor,李雷,zh,yes
H-2,h2@example.com,2023,2023,yes,trade,Hanna Lapse,en,yes
H-2,h2@example.com,2025,2025,no,trade,Hanna Lapse,en,yes
H-3,h3@example.com,2024,2024,yes,visitor,No Consent,en,no
H-3,h3@example.com,2025,2025,yes,visitor,No Consent,en,no
H-4,h4@example.com,2024,2024,yes,visitor,Never Asked,en,
H-4,h4@example.com,2025,2025,yes,visitor,Never Asked,en,
X-1,x1@example.com,2023,2023,yes,exhibitor,Exhibit Or,en,yes
X-1,x1@example.com,2024,2024,yes,exhibitor,Exhibit Or,en,yes
X-1,x1@example.com,2025,2025,yes,exhibitor,Exhibit Or,en,yes
A-1,,2024,2024,yes,visitor,,,
A-1,,2025,2025,yes,visitor,,,
A-2,,2025,2025,yes,visitor,,,
A-2,,2024,2024,yes,visitor,,,
"""


@pytest.fixture
def settings(tmp_path, mail_sink, database_url):
    return load_settings(tmp_path, mail_toml(mail_sink.port, EXTRA), database_url=database_url)


def register(svc, external_id, name, address, marketing):
    person = clean_person(
        {"full_name": name, "email": address, "category": "visitor", "language": "en"},
        svc.settings,
    )
    person["external_id"] = external_id
    applicant = registration.Applicant(person, {"terms": True, "marketing": marketing})
    with svc.store.write() as conn:
        return registration.create(conn, svc.settings, svc.keys, applicant, source="test")


@pytest.fixture
def show(svc, runner, tmp_path):
    """Two registered people with history (one consents, one is erased) and the CRM's rows."""
    kept = register(svc, "A-1", "Ada Known", "ada@example.com", True).attendee_id
    gone = register(svc, "A-2", "Erased Person", "gone@example.com", True).attendee_id
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    assert runner.invoke("import", "history", str(path)).exit_code == 0
    erase(svc.store, svc.keys, gone, actor="test")
    return kept, gone


def listed(runner, tmp_path, segment):
    out = tmp_path / segment
    result = runner.invoke("invitations", "--segment", segment, "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = (out / "invitations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return result.output, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@BOTH_DATABASES
def test_segments_list_who_is_in_and_why(runner, show, tmp_path):
    kept, _ = show
    output, rows = listed(runner, tmp_path, "regulars")
    assert {r["email"] for r in rows} == {"h1@example.com", "ada@example.com", "x1@example.com"}
    ada = next(r for r in rows if r["email"] == "ada@example.com")
    assert ada["attendee_id"] == str(kept) and ada["registered"] == "yes"
    assert ada["reasons"].startswith("regulars: attended 2 editions (2024, 2025)")
    li = next(r for r in rows if r["email"] == "h1@example.com")
    assert li["full_name"] == "李雷" and li["language"] == "zh" and li["registered"] == "no"
    # Left out and only counted: no consent (H-3 said no, H-4 was never asked), the erased.
    assert "2 without the marketing consent, 1 erased" in output
    assert "gone@example.com" not in output + str(rows)

    _, lapsed = listed(runner, tmp_path, "lapsed")
    assert [r["email"] for r in lapsed] == ["h2@example.com"]
    assert lapsed[0]["reasons"] == "lapsed: last came to 2023, missed 2025"

    _, key = listed(runner, tmp_path, "key-accounts")
    assert [r["email"] for r in key] == ["x1@example.com"]
    assert "key-accounts: exhibitor at 3 editions" in key[0]["reasons"]

    _, everyone = listed(runner, tmp_path, "all")
    assert sorted(r["email"] for r in everyone) == [
        "ada@example.com",
        "h1@example.com",
        "h2@example.com",
        "x1@example.com",
    ]


@BOTH_DATABASES
def test_withdrawing_the_consent_takes_a_person_out(runner, svc, show, tmp_path):
    kept, _ = show
    with svc.store.write() as conn:
        insert_consent(
            conn, attendee_id=kept, consent="marketing", granted=False, version="2026-1", text="x"
        )
    _, rows = listed(runner, tmp_path, "all")
    assert "ada@example.com" not in {r["email"] for r in rows}


@BOTH_DATABASES
def test_each_invitee_is_mailed_once_with_the_registration_link(runner, show, mail_sink):
    result = runner.invoke("mail", "invitations", "--segment", "regulars")
    assert result.exit_code == 0, result.output
    assert "3 sent" in result.output
    again = runner.invoke("mail", "invitations", "--segment", "all")
    assert "1 sent" in again.output and "3 already sent" in again.output  # only Hanna is new
    received = [rcpt[0] for rcpt, _ in mail_sink.messages]
    assert sorted(received) == [
        "ada@example.com",
        "h1@example.com",
        "h2@example.com",
        "x1@example.com",
    ]
    for rcpt, raw in mail_sink.messages:
        msg = email.message_from_bytes(raw, policy=policy.default)
        body = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "https://expo.example.org/register" in body and "expo.example.org/register" in html
        for other in received:
            if other != rcpt[0]:
                assert other not in raw.decode("ascii", "replace")
    li = next(raw for rcpt, raw in mail_sink.messages if rcpt[0] == "h1@example.com")
    assert "诚邀您参加" in str(email.message_from_bytes(li, policy=policy.default)["Subject"])


def test_mailing_invitations_needs_the_registration_link(tmp_path, mail_sink, runner):
    (tmp_path / "other").mkdir()
    settings = load_settings(tmp_path / "other", mail_toml(mail_sink.port))
    from kiosk.cli import main

    with pytest.raises(SystemExit) as stop:
        main(
            [
                "mail",
                "invitations",
                "--segment",
                "all",
                "--db",
                str(settings.db_path),
                "--config",
                str(settings.config_path),
            ]
        )
    assert stop.value.code == 2
