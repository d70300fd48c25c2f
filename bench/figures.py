"""What every benchmark shares: its figures in a machine-readable form (`--json FILE`), the machine
they were measured on, percentiles, and the one markdown table `bench/run_all.py` prints.

A figure is a measurement, printed beside its target when the issue sets one; nothing here passes or
fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Number = int | float


@dataclass(frozen=True)
class Figure:
    bench: str  # which benchmark measured it: ingest, e2e, claim, ...
    what: str  # what was measured, with the conditions that matter (database, rate, ...)
    value: Number | str | None  # None: not measured (the note says why)
    unit: str = ""
    target: str = ""  # the target, in words, e.g. "< 1 s"
    note: str = ""

    @property
    def shown(self) -> str:
        return show(self.value, self.unit)


def show(value: Number | str | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isinf(value):
        return "never"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        text = f"{value:,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip() if unit not in ("", "x") else text


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100): a value that was measured, never an interpolation.
    Infinite values (what never happened: a write that never landed) count, and sort last."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def postgres_version(url: str | None) -> str | None:
    if not url:
        return None
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return version
    except Exception as exc:  # a figure of the machine, not worth failing a run for
        return f"unknown ({type(exc).__name__})"


def machine(postgres_url: str | None = None) -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "load": [round(x, 2) for x in load_average()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(postgres_url),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(before: dict[str, Any], after: dict[str, Any] | None = None) -> str:
    load = "/".join(f"{x:.2f}" for x in before["load"])
    if after is not None:
        load += " before, " + "/".join(f"{x:.2f}" for x in after["load"]) + " after"
    parts = [
        f"{before['cpu']}, {before['cores']} cores",
        f"load average (1/5/15 min) {load}",
        f"Python {before['python']}",
        f"SQLite {before['sqlite']}",
    ]
    if before.get("postgresql"):
        parts.append(f"PostgreSQL {before['postgresql']}")
    parts.append(before["date"])
    return "; ".join(parts)


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        dest="json_path",
        type=Path,
        metavar="FILE",
        help="also write the figures to FILE as JSON (what bench/run_all.py collects)",
    )


def write_json(
    path: Path | None, bench: str, figures: Sequence[Figure], before: dict[str, Any], **extra: Any
) -> None:
    if path is None:
        return
    document = {
        "bench": bench,
        "argv": sys.argv[1:],
        "machine": before,
        "machine_after": machine(before.get("postgresql_url")),
        "figures": [asdict(f) for f in figures],
        **extra,
    }
    path.write_text(json.dumps(document, indent=1, default=str) + "\n")


def read_figures(document: dict[str, Any]) -> list[Figure]:
    return [Figure(**row) for row in document.get("figures", [])]


def markdown_table(figures: Sequence[Figure]) -> str:
    rows = ["| bench | what | figure | target | note |", "|---|---|---|---|---|"]
    for f in figures:
        cells = (f.bench, f.what, f.shown, f.target, f.note)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)
