"""The layering rules, checked on the source: `gui/` and `cli/` reach the database only through the core's
services, and the core has no import cycle (every import counts, including those inside functions and
under `TYPE_CHECKING`).

An AST walk rather than grep, so that a rule broken inside a function or a string-built import is caught
the same way a top-level one is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "thidua_desktop"
PACKAGE = "thidua_desktop"

# A session is opened through one of these names; gui/ and cli/ must call services instead.
SESSION_OPENERS = {"sessions", "write_sessions", "transaction"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _python_files(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module name an import statement in `path` names (absolute, relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from pkg import module` imports the sub-module
                yield node.lineno, f"{module}.{alias.name}"


@pytest.mark.parametrize("layer", ["gui", "cli"])
def test_gui_and_cli_never_touch_sqlalchemy_or_sessions(layer: str) -> None:
    offences: list[str] = []
    for path in _python_files(PACKAGE_ROOT / layer):
        for line, module in _imports(path):
            if module == "sqlalchemy" or module.startswith("sqlalchemy."):
                offences.append(f"{path.relative_to(PACKAGE_ROOT)}:{line} imports {module}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in SESSION_OPENERS:
                offences.append(f"{path.relative_to(PACKAGE_ROOT)}:{node.lineno} opens a session (.{node.attr})")
    assert not offences, "gui/cli must call the core's services:\n" + "\n".join(offences)


def _core_graph() -> dict[str, set[str]]:
    core = PACKAGE_ROOT / "core"
    modules = {_module_name(path): path for path in _python_files(core)}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _line, imported in _imports(path):
            # `from a.b import c` names a.b.c, which is a module only sometimes: keep the longest module.
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_core_has_no_import_cycle() -> None:
    cycles = _cycles(_core_graph())
    assert not cycles, "import cycles in thidua_desktop/core:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_cycle_detector_can_fail() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_grows_past_a_room() -> None:
    too_big = [
        f"{path.relative_to(PACKAGE_ROOT)}: {n} lines"
        for path in _python_files(PACKAGE_ROOT)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 650
    ]
    assert not too_big, "split by responsibility:\n" + "\n".join(too_big)
