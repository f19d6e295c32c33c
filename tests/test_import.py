"""kiosk import attendees: BOM or not, bad rows by line, idempotent, updates logged."""

import json

from conftest import BOTH_DATABASES

HEADER = "external_id,full_name,company,job_title,email,phone,country,category,consent_share_with_exhibitors\n"


def write(tmp_path, text, *, bom=False, name="reg.csv"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def count(svc, sql):
    return svc.store.one(sql)[0]


@BOTH_DATABASES
def test_import_with_bom_reports_bad_rows_and_imports_the_rest(tmp_path, runner, svc):
    path = write(
        tmp_path,
        HEADER
        + "T-1,张伟,华为技术,采购经理,Zhang.Wei@Example.COM,13912345678,CN,buyer,yes\n"
        + "T-2,Anna Müller,Bosch,Engineer,anna@example.de,+49 151 23456789,DE,trade,no\n"
        + "T-3,,NoName Ltd,,nobody@example.com,,CN,visitor,\n"
        + "T-4,Bad Email,X,,not-an-email,,CN,visitor,1\n"
        + "T-5,Bad Cat,X,,ok@example.com,,CN,alien,0\n"
        + "T-6,Bad Consent,X,,ok6@example.com,,CN,visitor,maybe\n",
        bom=True,
    )
    result = runner.invoke("import", "attendees", str(path))
    assert result.exit_code == 0, result.output
    assert "6 rows: 2 created, 0 updated, 0 unchanged, 4 rejected" in result.stdout
    assert f"{path}:4: full_name: required" in result.stderr
    assert f"{path}:5: email:" in result.stderr
    assert f"{path}:6: category: unknown category 'alien'" in result.stderr
    assert f"{path}:7: consent_share_with_exhibitors" in result.stderr
    row = svc.store.one("SELECT * FROM attendees WHERE external_id = 'T-1'")
    assert row["full_name"] == "张伟"
    assert row["email"] == "Zhang.Wei@example.com"
    assert row["email_key"] == "zhang.wei@example.com"
    assert row["phone"] == "+8613912345678"
    assert row["source"] == "import"
    consent = svc.store.one("SELECT * FROM consents WHERE attendee_id = :id", {"id": row["id"]})
    assert consent["consent"] == "share_with_exhibitors" and consent["granted"] == 1
    assert consent["version"] == "2026-1" and consent["text"]
    assert count(svc, "SELECT count(*) FROM badges") == 2


@BOTH_DATABASES
def test_same_file_twice_changes_nothing(tmp_path, runner, svc):
    path = write(
        tmp_path,
        HEADER
        + "T-1,张伟,华为,,zw@example.com,13912345678,CN,buyer,yes\n"
        + "T-2,Anna,Bosch,,anna@example.de,,DE,trade,\n",
    )
    runner.invoke("import", "attendees", str(path))
    before = [
        count(svc, f"SELECT count(*) FROM {t}")
        for t in ("attendees", "interactions", "badges", "consents")
    ]
    result = runner.invoke("import", "attendees", str(path))
    assert "0 created, 0 updated, 2 unchanged" in result.stdout
    after = [
        count(svc, f"SELECT count(*) FROM {t}")
        for t in ("attendees", "interactions", "badges", "consents")
    ]
    assert before == after


@BOTH_DATABASES
def test_changed_row_updates_the_person_and_is_logged(tmp_path, runner, svc):
    runner.invoke(
        "import",
        "attendees",
        str(write(tmp_path, HEADER + "T-1,张伟,华为,,zw@example.com,,CN,trade,no\n")),
    )
    changed = write(
        tmp_path,
        HEADER + "T-1,张伟,华为技术有限公司,总经理,zw@example.com,,CN,vip,yes\n",
        name="v2.csv",
    )
    result = runner.invoke("import", "attendees", str(changed))
    assert "1 updated" in result.stdout
    row = svc.store.one("SELECT * FROM attendees WHERE external_id = 'T-1'")
    assert row["company"] == "华为技术有限公司" and row["category"] == "vip"
    assert count(svc, "SELECT count(*) FROM attendees") == 1
    log = svc.store.one("SELECT data FROM interactions WHERE type = 'updated'")
    assert json.loads(log["data"])["fields"] == ["category", "company", "job_title"]
    consents = svc.store.query(
        "SELECT granted FROM consents WHERE consent = 'share_with_exhibitors' ORDER BY id"
    )
    assert [c["granted"] for c in consents] == [0, 1]  # withdrawal history kept, latest wins


@BOTH_DATABASES
def test_row_without_external_id_matches_on_lower_cased_email(tmp_path, runner, svc):
    runner.invoke(
        "import",
        "attendees",
        str(write(tmp_path, HEADER + ",Anna Müller,Bosch,,Anna@Example.de,,DE,trade,\n")),
    )
    runner.invoke(
        "import",
        "attendees",
        str(
            write(
                tmp_path,
                HEADER + ",Anna Müller,Bosch Rexroth,,anna@EXAMPLE.de,,DE,trade,\n",
                name="2.csv",
            )
        ),
    )
    assert count(svc, "SELECT count(*) FROM attendees") == 1
    assert svc.store.one("SELECT company FROM attendees")[0] == "Bosch Rexroth"


@BOTH_DATABASES
def test_repeated_external_id_in_one_file_is_reported(tmp_path, runner, svc):
    path = write(
        tmp_path,
        HEADER + "T-1,A,X,,a@example.com,,CN,visitor,\n" + "T-1,B,Y,,b@example.com,,CN,visitor,\n",
    )
    result = runner.invoke("import", "attendees", str(path))
    assert "repeats line 2" in result.stderr
    assert count(svc, "SELECT count(*) FROM attendees") == 1


@BOTH_DATABASES
def test_minimal_headers_and_blank_lines(tmp_path, runner, svc):
    path = write(
        tmp_path, "full_name,email\r\nLi Lei,li@example.com\r\n\r\n韩梅梅,han@example.com\r\n"
    )
    result = runner.invoke("import", "attendees", str(path))
    assert "2 created" in result.stdout
    assert count(svc, "SELECT count(*) FROM attendees WHERE category = 'visitor'") == 2


def test_unreadable_files_fail_with_one_line_and_write_nothing(tmp_path, svc, settings):
    import subprocess
    import sys

    from conftest import ROOT, show_args

    cases = {
        "latin1.csv": "full_name\nJos\xe9\n".encode("latin-1"),
        "noname.csv": b"email\nx@example.com\n",
        "empty.csv": b"",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "import",
                "attendees",
                str(path),
                *show_args(settings),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert proc.returncode != 0
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("kiosk: error:")
    assert count(svc, "SELECT count(*) FROM attendees") == 0
