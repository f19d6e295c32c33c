"""The shape of the code: SQL and transactions live in kiosk/storage/ and nowhere else."""

import ast
import re
from pathlib import Path

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"
STORAGE = KIOSK / "storage"

# Statement shapes, in the upper case the project writes SQL in; "Create a device", "DELETE" (an
# HTTP method) or "BEGIN:VCARD" are not SQL.
SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b"
    r"|^\s*SELECT\s"
    r"|\b(?:INSERT|REPLACE)\s+(?:OR\s+[A-Z]+\s+)?INTO\b"
    r"|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b"
    r"|\b(?:CREATE|DROP|ALTER)\s+(?:UNIQUE\s+|TEMP\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|^\s*(?:BEGIN|COMMIT|ROLLBACK|END)(?:\s+(?:IMMEDIATE|DEFERRED|EXCLUSIVE|TRANSACTION))?"
    r"\s*;?\s*$"
    r"|^\s*(?:SAVEPOINT|RELEASE|PRAGMA)\s+\w+"
)


def sql_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal (f-string parts included) that holds SQL."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append((node.lineno, node.value))
    return found


def test_no_sql_outside_storage():
    offenders = [
        f"{path.relative_to(KIOSK.parent)}:{line}: {text.strip()[:70]!r}"
        for path in sorted(KIOSK.rglob("*.py"))
        if STORAGE not in path.parents
        for line, text in sql_strings(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "SQL belongs in kiosk/storage/:\n" + "\n".join(offenders)


def test_the_sql_finder_sees_statements_and_nothing_else():
    statements = [
        'conn.execute("SELECT count(*) FROM attendees")',
        'conn.execute(f"SELECT * FROM leads WHERE id IN ({marks})")',
        'q = ("SELECT id, printer FROM print_jobs"\n     " WHERE status = \'queued\'")',
        'conn.execute("UPDATE presence SET attendee_id = ? WHERE attendee_id = ?", args)',
        'conn.execute("INSERT INTO t (a) VALUES (?)", (1,))',
        'conn.execute("DELETE FROM nonces")',
        'conn.execute("BEGIN")',
        'conn.execute("BEGIN IMMEDIATE")',
        'conn.execute("PRAGMA journal_mode=WAL")',
        'db.execute("CREATE TABLE t (id INTEGER)")',
    ]
    for source in statements:
        assert sql_strings(source), source
    prose = [
        '"""Create a device; return it with its bearer token."""',
        'lines = ["BEGIN:VCARD", "VERSION:4.0"]',
        'methods = ("GET", "POST", "DELETE")',
        '"""Update a lead."""',
        'label = "select one, then update the form"',
    ]
    for source in prose:
        assert not sql_strings(source), source


CONNECTION_CALLS = {"execute", "executemany", "executescript", "rollback"}


def connection_calls(source: str) -> list[tuple[int, str]]:
    """(line, name) of every `x.execute(...)`-like call: a query or a hand-made transaction."""
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CONNECTION_CALLS
    ]


def test_no_queries_or_hand_made_transactions_outside_storage():
    offenders = [
        f"{path.relative_to(KIOSK.parent)}:{line}: .{name}()"
        for path in sorted(KIOSK.rglob("*.py"))
        if STORAGE not in path.parents
        for line, name in connection_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "read through kiosk/storage/ functions, in store.write() or store.snapshot():\n"
        + "\n".join(offenders)
    )
    hand_made = 'conn.execute("BEGIN")\ntry:\n    pass\nfinally:\n    conn.rollback()'
    assert [name for _, name in connection_calls(hand_made)] == ["execute", "rollback"]
    assert connection_calls("output.commit()\nwith store.snapshot() as conn:\n    pass") == []
