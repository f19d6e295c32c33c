"""The package keeps its layers: storage <- domain <- web, live and the command line; no circles.

Read from the source with `ast`, imports inside functions included, so a lazy import cannot hide
an arrow that runs back up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kiosk"

# The lowest layer first. A module may import its own layer and the layers below it.
FOUNDATION = {
    "kiosk.config",
    "kiosk.errors",
    "kiosk.events",
    "kiosk.secrets",
    "kiosk.tls",
}
INTERFACES = ("kiosk.web", "kiosk.live")
APP = {"kiosk", "kiosk.server"}  # create_app() wires every layer together; the server runs it
COMMAND_LINE = ("kiosk.cli", "kiosk.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".") if _is_package(importer) else importer.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str) -> set[str]:
    """The kiosk modules a module imports, wherever in the file the import stands."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(name, node)
            # `from kiosk import events` imports the module kiosk.events, not kiosk itself.
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def _within(name: str, packages) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def layer(name: str) -> int:
    """0 foundation, 1 storage, 2 domain, 3 web and live, 4 the app, 5 the command line."""
    if name in FOUNDATION:
        return 0
    if _within(name, ("kiosk.storage",)):
        return 1
    if _within(name, INTERFACES):
        return 3
    if name in APP:
        return 4
    if _within(name, COMMAND_LINE):
        return 5
    return 2


def test_the_layer_rules_know_every_module():
    assert len(MODULES) > 40
    assert {layer(name) for name in MODULES} == {0, 1, 2, 3, 4, 5}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_runs_back_up_a_layer(name):
    upward = sorted(t for t in GRAPH[name] if layer(t) > layer(name))
    assert not upward, f"{name} (layer {layer(name)}) imports higher layers: {upward}"


def test_live_and_web_do_not_import_each_other():
    crossing = sorted(
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        if (name.startswith("kiosk.live") and target.startswith("kiosk.web"))
        or (name.startswith("kiosk.web") and target.startswith("kiosk.live"))
    )
    assert not crossing


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) < 3))
def test_domain_and_storage_never_import_flask(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    names = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    }
    assert not names & {"flask", "flask_socketio", "werkzeug"}, name


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_no_import_circles():
    assert _circles() == []


def test_the_checker_sees_a_circle_and_an_upward_arrow(monkeypatch):
    monkeypatch.setitem(GRAPH, "kiosk.storage", GRAPH["kiosk.storage"] | {"kiosk.checkin.service"})
    assert _circles()
    assert layer("kiosk.checkin.service") > layer("kiosk.storage")
