"""`kiosk import history`: earlier editions matched to this show's people, rerun-safe."""

from __future__ import annotations

import pytest

from conftest import BOTH_DATABASES, show_args
from kiosk.crm import metrics
from kiosk.crm.people import iter_people
from kiosk.storage import history as sql

pytestmark = BOTH_DATABASES

CSV = """\ufeffexternal_id,email,edition,year,attended,category,booths
T-1,,expo-2025,2025,yes,buyer,12
,Li.Lei@Example.com,expo-2024,2024,1,,
,li.lei@example.com,expo-2025,2025,0,,
X-9,nobody@example.com,expo-2025,2025,yes,,
T-1,,,,yes,,
,,expo-2023,2023,yes,,
T-2,,expo-2022,twenty,yes,,
T-2,,expo-2022,2022,maybe,,
T-1,,expo-2025,2025,yes,buyer,12
"""


def test_history_rows_matched_on_external_id_then_email(svc, make, runner, tmp_path):
    anna, _ = make.attendee(full_name="Anna", external_id="T-1", email="anna@example.com")
    li, _ = make.attendee(full_name="Li Lei", email="li.lei@example.com")
    path = tmp_path / "history.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke("import", "history", str(path))
    assert result.exit_code == 0
    out = result.output
    assert f"{path}:6: edition: required (or year)" in out
    assert f"{path}:7: external_id: required (or email)" in out
    assert f"{path}:8: year: 'twenty' is not a year" in out
    assert f"{path}:9: attended: 'maybe' is not yes/no" in out
    assert f"{path}:10: edition: 'expo-2025' repeats line 2" in out
    assert "9 rows: 4 created, 0 updated, 0 unchanged, 5 rejected; 3 matched" in out
    rows = svc.store.query("SELECT * FROM history ORDER BY id")
    assert [(r["attendee_id"], r["edition"], r["attended"]) for r in rows] == [
        (anna, "expo-2025", 1),
        (li, "expo-2024", 1),
        (li, "expo-2025", 0),
        (None, "expo-2025", 1),
    ]
    assert rows[0]["data"] == '{"booths":"12"}'

    again = runner.invoke("import", "history", str(path))
    assert "4 unchanged" in again.output and "0 created" in again.output
    assert svc.store.one("SELECT count(*) AS n FROM history")["n"] == 4

    conn = svc.store.conn
    ctx = metrics.ShowContext.build(svc.settings, sql.editions(conn))
    stages = {p.id: metrics.compute(p, ctx)["loyalty"] for p in iter_people(conn)}
    assert stages[li]["earlier_editions"] == ["expo-2024"]
    assert stages[li]["missed_editions"] == ["expo-2025"]


def test_a_file_without_the_needed_columns_is_refused(settings, tmp_path, capsys):
    from kiosk.cli import main

    path = tmp_path / "h.csv"
    path.write_text("name,edition\nAnna,2025\n", encoding="utf-8")
    args = show_args(settings)
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "history", str(path), *args])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().endswith("missing column external_id or email")
