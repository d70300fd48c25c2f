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
    baseline: str = ""  # the ratio to the baseline measured in the same run, with what it is
    met: bool | None = None  # the target met? None: no target, or nothing measured

    @property
    def shown(self) -> str:
        return show(self.value, self.unit)


def below(value: Number | None, limit: Number) -> bool | None:
    """Whether a measured value is under its target's limit; None when it was not measured."""
    return None if value is None else value < limit


def at_most(value: Number | None, limit: Number) -> bool | None:
    return None if value is None else value <= limit


def at_least(value: Number | None, limit: Number) -> bool | None:
    return None if value is None else value >= limit


def ratio(value: Number | None, base: Number | None, of: str) -> str:
    """`0.31 of bare Flask`: the figure against its baseline from the same run."""
    if value is None or not base:
        return ""
    return f"{value / base:.2f} of {of}"


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


def postgres_durability(url: str) -> str:
    """What the server does with a commit, from its own settings: "default durability" when fsync,
    synchronous_commit and full_page_writes are all on, else which of them are off (CI's throwaway
    server runs with fsync off)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            off = [
                name
                for name in ("fsync", "synchronous_commit", "full_page_writes")
                if str(conn.execute(text(f"SHOW {name}")).scalar()) == "off"
            ]
    finally:
        engine.dispose()
    return "default durability" if not off else ", ".join(f"{name}=off" for name in off)


def postgres_label(url: str) -> str:
    """How a figure names the PostgreSQL it was measured on."""
    return f"PostgreSQL, {postgres_durability(url)}"


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
    """The machine a run measured: what the table's machine line says."""
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
    known = set(Figure.__dataclass_fields__)
    return [Figure(**{k: v for k, v in row.items() if k in known}) for row in document.get("figures", [])]


def verdict(figure: Figure) -> str:
    """The table's last column: yes, **no**, n/a (a target, nothing measured), or blank (no target)."""
    if figure.met is None:
        return "n/a" if figure.target else ""
    return "yes" if figure.met else "**no**"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(figures: Sequence[Figure]) -> str:
    """The one table: each measurement with its target, figure, ratio to its baseline, and whether the
    target is met (blank where the issue sets no target). Notes follow the figure in brackets."""
    rows = [
        "| bench | measurement | target | figure | ratio / baseline | target met? |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        figure = f.shown + (f" ({f.note})" if f.note else "")
        cells = (f.bench, f.what, f.target, figure, f.baseline, verdict(f))
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows)


def print_figures(figures: Sequence[Figure]) -> None:
    """A bench's own figures, one a line, for a person reading its output."""
    width = max((len(f.what) for f in figures), default=10)
    for f in figures:
        target = f"  (target {f.target}: {'met' if f.met else 'missed'})" if f.met is not None else ""
        target = target or (f"  (target {f.target})" if f.target else "")
        base = f"  {f.baseline}" if f.baseline else ""
        note = f"  [{f.note}]" if f.note else ""
        print(f"{f.what:<{width}}  {f.shown}{base}{target}{note}", flush=True)
