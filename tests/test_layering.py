"""The shape of the code: dependencies point one way (connector -> adapters, sentiment; simulators stand
alone), no import cycles, and the connector names no platform."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = {"connector", "adapters", "sentiment", "simulators"}
# What each package may import of the others (besides itself).
ALLOWED = {
    "connector": {"adapters", "sentiment", "simulators"},  # simulators: only for `ela demo`
    "adapters": {"sentiment"},  # comment text is cleaned with sentiment's cleaner before it is scored
    "sentiment": set(),
    "simulators": set(),
}


def product_files() -> Iterator[Path]:
    for package in sorted(PRODUCT):
        yield from sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports(path: Path) -> set[str]:
    """Every module a file imports at run time (at module level or inside functions; not the imports
    under `if TYPE_CHECKING:`), as dotted names: `from a.b import c` names a.b.c when that is a module,
    else a.b. (Importing a.b.c also runs a/b/__init__.py first; like other import linters, we count only
    the module named.)"""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if _type_checking_block(node):
            skipped.update(id(child) for child in ast.walk(node))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base)
    return found


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in product_files()}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_it_may(package: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for other in sorted({m.split(".")[0] for m in imports(path)} & PRODUCT - {package} - ALLOWED[package])
    ]
    assert offences == []


def test_only_the_demo_runs_a_simulator() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "connector").rglob("*.py")
        if any(m.split(".")[0] == "simulators" for m in imports(path))
    )
    assert users == ["connector/demo.py"]


def test_the_check_sees_imports() -> None:
    # The rules above are only as good as the import scan: it must find both import forms, relative ones,
    # and imports inside functions, and resolve `from package import module`.
    found = imports(ROOT / "connector" / "pipeline" / "__init__.py")
    assert {"adapters.events", "connector.pipeline.mood", "sentiment.engines"} <= found
    assert "connector.store.Store" not in import_graph()["connector.runtime"]
    assert "connector.store" in import_graph()["connector.runtime"]


def test_there_is_no_import_cycle_between_product_modules() -> None:
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# The one place the connector may name a platform: the registry's list of built-in platform packages.
_REGISTRY_LINE = re.compile(r'^BUILT_IN = \("adapters\.\w+"(?:, "adapters\.\w+")*,?\)$')


def test_the_connector_names_no_platform() -> None:
    named = []
    for path in sorted((ROOT / "connector").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"jira|servicenow|atlassian", line, re.IGNORECASE) and not _REGISTRY_LINE.match(
                line
            ):
                named.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert named == []
