"""`kiosk erase`: a person anonymised on request, the counts kept, the erasure audited."""

from __future__ import annotations

import json

import crm_show as show

from kiosk.stats.counts import compute

DAY1 = "2026-11-24T01:30:00.000Z"


def test_erase_blanks_the_person_keeps_counts_and_audits(svc, make, runner):
    acme = make.exhibitor()
    pid, code = make.attendee(
        full_name="张伟", company="Secret Ltd", email="zw@example.com", phone="+8613912345678"
    )
    with svc.store.write() as conn:
        show.check_in(conn, pid, DAY1)
        show.lead(conn, acme, pid, DAY1, "hot", notes="call 张伟 at home")
        show.survey(conn, pid, DAY1, 4, 8, return_intent=True, comment="张伟 says hi")
        show.history(conn, pid, "expo-2025", 2025, email_key="zw@example.com")
    before = compute(svc.store.conn, svc.settings)
    interactions = svc.store.one("SELECT count(*) AS n FROM interactions")["n"]

    result = runner.invoke("erase", str(pid), "--reason", "request 42")
    assert result.exit_code == 0 and f"attendee {pid} erased" in result.output

    row = dict(svc.store.one("SELECT * FROM attendees WHERE id = ?", (pid,)))
    assert row["status"] == "erased" and row["full_name"] == f"erased #{pid}"
    assert row["email"] == row["phone"] == row["company"] == row["search_keys"] == ""
    assert row["category"] == "visitor"
    lead = svc.store.one("SELECT * FROM leads WHERE attendee_id = ?", (pid,))
    assert lead["rating"] == "hot" and lead["notes"] == ""
    assert svc.store.one("SELECT comment FROM survey_responses")["comment"] == ""
    assert svc.store.one("SELECT email_key FROM history")["email_key"].startswith("erased:")
    assert (
        svc.store.one("SELECT revoked_reason FROM badges WHERE attendee_id = ?", (pid,))[0]
        == "erased"
    )

    after = compute(svc.store.conn, svc.settings)
    for key in ("checked_in", "by_gate", "by_hour", "leads"):
        assert after[key] == before[key]
    assert svc.store.one("SELECT count(*) AS n FROM interactions")["n"] == interactions + 1
    audit = svc.store.one("SELECT * FROM audit_log WHERE action = 'attendee.erase'")
    assert audit["target"] == f"attendee:{pid}"
    text = audit["before"] + audit["after"]
    assert "张伟" not in text and "zw@example.com" not in text
    assert json.loads(audit["after"])["reason"] == "request 42"
    dump = "\n".join(str(tuple(r)) for r in svc.store.query("SELECT * FROM attendees"))
    assert "张伟" not in dump and "Secret" not in dump


def test_erasing_twice_or_an_unknown_person_is_a_clear_error(svc, make, settings, capsys):
    import pytest

    from kiosk.cli import main

    pid, _ = make.attendee()
    args = ["--db", str(settings.db_path), "--config", str(settings.config_path)]
    main(["erase", str(pid), *args])
    for target, message in ((pid, "already erased"), (9999, "no such person")):
        with pytest.raises(SystemExit) as exit_info:
            main(["erase", str(target), *args])
        assert exit_info.value.code == 1
        assert message in capsys.readouterr().err
