"""The README and the guides document every command, API route, configuration key and live event.

Each test walks the code (the click group, the Flask url_map, config.KEYS, the Socket.IO emits)
and fails naming what is missing, so the docs cannot fall behind the code unnoticed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from conftest import load_settings
from kiosk import config, create_app
from kiosk.attendees import fields
from kiosk.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
EVERYTHING = "\n".join([README, *GUIDES.values()])


def section(text: str, heading: str) -> str:
    """The body of a markdown section, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1 :]
    end = re.search(rf"^#{{1,{len(level)}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


SEPARATOR = re.compile(r"\|[-| :]+\|")


def first_cells(text: str) -> list[str]:
    """The first cell of every table body row of a markdown text (header rows left out)."""
    lines = text.splitlines()
    cells = []
    for i, line in enumerate(lines):
        if not line.startswith("|") or SEPARATOR.fullmatch(line):
            continue
        if i + 1 < len(lines) and SEPARATOR.fullmatch(lines[i + 1]):
            continue
        cells.append(re.split(r"(?<!\\)\|", line.strip())[1].strip())
    return cells


# --- commands -------------------------------------------------------------------------------


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()):
    """(path, command) for every command that does something, e.g. ('devices', 'add')."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(leaf_commands(cli))
COMMON_OPTIONS = {"--db", "--database-url", "--config", "--help", "-h"}
COMMAND_CELLS = [
    cell.strip("`")
    for cell in first_cells(section(README, "## Command line"))
    if cell.startswith("`kiosk ")
]


def command_cell(path: tuple[str, ...]) -> str | None:
    """The README's command-table cell for a command, e.g. `kiosk devices add --role ...`."""
    name = "kiosk " + " ".join(path)
    found = [c for c in COMMAND_CELLS if c == name or c.startswith(name + " ")]
    return found[0] if len(found) == 1 else None


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_has_one_row_in_the_readme(path):
    name = "kiosk " + " ".join(path)
    rows = [c for c in COMMAND_CELLS if c == name or c.startswith(name + " ")]
    assert len(rows) == 1, f"README's command table should have one row for `{name}`: {rows}"


@pytest.mark.parametrize(
    ("path", "option"),
    sorted(
        (path, opt)
        for path, command in COMMANDS.items()
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for opt in param.opts
        if opt.startswith("--") and opt not in COMMON_OPTIONS
    ),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_every_command_option_is_in_its_row(path, option):
    cell = command_cell(path) or ""
    assert re.search(rf"{re.escape(option)}\b", cell), (
        f"README's row for `kiosk {' '.join(path)}` does not name {option}"
    )


def test_the_readme_names_no_command_that_does_not_exist():
    for cell in COMMAND_CELLS:
        words = cell.split()[1:]
        assert any(tuple(words[: len(p)]) == p for p in COMMANDS), f"no such command: {cell}"


KIOSK_ENV = sorted(
    set(
        re.findall(
            r"KIOSK_[A-Z][A-Z_]+[A-Z]",
            "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "kiosk").rglob("*.py")),
        )
    )
    | {"KIOSK_SCREENSHOTS"}
)


@pytest.mark.parametrize("name", KIOSK_ENV)
def test_every_environment_variable_is_documented(name):
    assert f"`{name}`" in section(README, "## Command line")


# --- the import ----------------------------------------------------------------------------

IMPORT_COLUMNS = sorted(
    {
        *fields.TEXT_FIELDS,
        "category",
        "interests",
        "external_id",
        "consent_share_with_exhibitors",
    }
)


@pytest.mark.parametrize("column", IMPORT_COLUMNS)
def test_every_import_column_is_documented(column):
    assert f"`{column}`" in section(README, "### Importing registrations")


# --- the HTTP API --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def url_map(tmp_path_factory):
    app = create_app(load_settings(tmp_path_factory.mktemp("docs")), testing=True)
    return app.url_map


def routes(url_map, prefix: str) -> list[str]:
    """'METHOD /path' for every route under prefix, with <int:attendee_id> written <id>."""
    found = set()
    for rule in url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "<id>", rule.rule)
        found |= {f"{m} {path}" for m in rule.methods - {"HEAD", "OPTIONS"}}
    return sorted(found)


def documented_routes(text: str) -> set[str]:
    """'METHOD /path' written in a text's table cells, placeholders written <id>."""
    found = set()
    for match in re.finditer(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s\[]*)", text):
        found.add(f"{match[1]} {re.sub(r'<[^>]+>', '<id>', match[2])}")
    return found


def test_every_api_route_is_in_the_readme(url_map):
    missing = set(routes(url_map, "/api/")) - documented_routes(section(README, "## HTTP API"))
    assert not missing, f"README's HTTP API table misses {sorted(missing)}"


def test_the_readme_names_no_api_route_that_does_not_exist(url_map):
    documented = {r for r in documented_routes(EVERYTHING) if r.split(" ")[1].startswith("/api/")}
    unknown = documented - set(routes(url_map, "/api/"))
    assert not unknown, f"documented but not served: {sorted(unknown)}"


def test_every_page_is_in_the_readme(url_map):
    pages = section(README, "## Pages")
    for route in routes(url_map, "/"):
        method, path = route.split(" ")
        if method != "GET" or path.startswith(("/api/", "/static/")) or "<id>" in path:
            continue
        assert re.search(rf"`{re.escape(path)}[`#,]", pages), f"README's Pages misses {path}"


# --- configuration -------------------------------------------------------------------------

CONFIG_KEYS = sorted(
    f"{pattern.replace('*', 'ID')}.{key}" for pattern, keys in config.KEYS.items() for key in keys
)


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_every_config_key_is_in_the_readme(key):
    assert f"`{key}`" in section(README, "## Configuration")


# --- Socket.IO -----------------------------------------------------------------------------


def emitted_events() -> set[str]:
    """Every Socket.IO event name the server sends: the bridge's table, then the names given
    as a literal or a module constant to emit(...) or a pusher's _send(...) under kiosk/."""
    from kiosk.live.bridge import ROUTES

    names = {route.name for route in ROUTES.values() if route.name}
    for path in (ROOT / "kiosk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if not (name.endswith("emit") or name == "_send"):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            elif isinstance(first, ast.Name) and first.id in constants:
                names.add(constants[first.id])
    return names


def received_events() -> set[str]:
    """The events a client may send: the on_<name> handlers of the /live namespace."""
    from kiosk.live.namespace import LiveNamespace

    return {
        name[3:]
        for name in vars(LiveNamespace)
        if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
    }


def test_the_event_collector_still_sees_the_contract_events():
    # If the live code names its events some other way, teach emitted_events() the new form
    # rather than letting the tests below pass on a short list.
    expected = {"checkin", "registration", "lead", "scan", "alert", "stats", "dashboard"}
    assert expected | {"devices", "printers"} <= emitted_events()


LIVE = section(README, "## Live updates (Socket.IO)")


@pytest.mark.parametrize("event", sorted(emitted_events()))
def test_every_live_event_the_server_sends_is_in_the_readme(event):
    assert re.search(rf"^\| `{event}` \|", LIVE, re.M), f"README's live events table misses {event}"


@pytest.mark.parametrize("event", sorted(received_events()))
def test_every_live_event_a_client_may_send_is_in_the_readme(event):
    assert re.search(rf"^\| `{event}` \|", LIVE, re.M), f"README's client events miss {event}"


# --- structure -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["README.md", *GUIDES])
def test_no_table_row_is_repeated_within_a_file(name):
    text = README if name == "README.md" else GUIDES[name]
    cells = first_cells(text)
    repeated = sorted({c for c in cells if cells.count(c) > 1})
    assert not repeated, f"{name} repeats rows {repeated}"


def test_commands_and_routes_have_their_row_in_one_place_only():
    # The README's tables are the reference; guides explain in prose and link back.
    keyed = re.compile(r"^`(kiosk [a-z-]+( [a-z-]+)?|(GET|POST|PUT|PATCH|DELETE) /)")
    for name, text in GUIDES.items():
        rows = [c for c in first_cells(text) if keyed.match(c)]
        assert not rows, f"docs/{name} repeats README rows {rows}"


def test_the_layout_names_only_what_exists_and_everything_that_does():
    block = section(README, "## Development")
    named = set(re.findall(r"^(kiosk/[\w./]*)", block, re.M))
    for path in named:
        assert (ROOT / path).exists(), f"README's layout names {path}, which does not exist"
    for child in (ROOT / "kiosk").iterdir():
        if child.name.startswith(("_", ".")):
            continue
        if child.is_dir() or child.suffix == ".py":
            entry = f"kiosk/{child.name}" + ("/" if child.is_dir() else "")
            assert entry in named, f"README's layout misses {entry}"


def test_links_between_docs_point_to_files_that_exist():
    for name, text in {"README.md": README, **{f"docs/{k}": v for k, v in GUIDES.items()}}.items():
        base = (ROOT / name).parent
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (base / target).exists(), f"{name} links to missing {target}"


# --- security guide --------------------------------------------------------------------------

SECURITY = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
# The tables whose every key is a limit of the show floor, so the security guide names each one.
SECURITY_TABLES = ("server", "throttle")


@pytest.mark.parametrize(
    "key", [k for k in CONFIG_KEYS if k.split(".")[0] in SECURITY_TABLES], ids=str
)
def test_every_limit_is_in_the_security_guide(key):
    assert f"`{key}`" in SECURITY


def test_the_security_guide_names_only_config_keys_that_exist():
    tables = {pattern.split(".")[0] for pattern in config.KEYS}
    named = {
        key for key in re.findall(r"`([a-z_]+\.[a-z_]+)`", SECURITY) if key.split(".")[0] in tables
    }
    assert named, "the security guide names no configuration key"
    assert named <= set(CONFIG_KEYS), sorted(named - set(CONFIG_KEYS))
