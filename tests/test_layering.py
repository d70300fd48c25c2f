"""Dependencies point one way: connector -> adapters, sentiment; simulators stand alone."""

from __future__ import annotations

import ast
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


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & PRODUCT


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_it_may(package: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for other in sorted(imported_packages(path) - {package} - ALLOWED[package])
    ]
    assert offences == []


def test_only_the_demo_runs_a_simulator() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "connector").rglob("*.py")
        if "simulators" in imported_packages(path)
    )
    assert users == ["connector/demo.py"]


def test_the_check_sees_imports() -> None:
    # The rule above is only as good as the import scan: it must find both import forms.
    assert imported_packages(ROOT / "connector" / "pipeline.py") >= {"adapters", "sentiment", "connector"}
