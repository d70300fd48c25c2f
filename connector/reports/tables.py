"""A report as tables, and those tables as aligned text or CSV (JSON is each report's own `as_dict`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("table", "csv", "json")


class Percent(float):
    """A share in percent: shown as 93.2%, written to CSV as 93.2."""


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)  # lines printed under the table (not in CSV)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Percent):
        return f"{value:.1f}%"
    return str(value)


def _line(values: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> str:
    parts = [v.rjust(w) if right else v.ljust(w) for v, w, right in zip(values, widths, numeric, strict=True)]
    return "  ".join(parts).rstrip()


def as_text(tables: Sequence[Table]) -> str:
    """Aligned columns: text left, numbers right."""
    blocks = []
    for table in tables:
        cells = [[_cell(v) for v in row] for row in table.rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(table.columns)]
        numeric = [
            bool(table.rows) and all(isinstance(r[i], int | float) or r[i] is None for r in table.rows)
            for i in range(len(table.columns))
        ]
        lines = [table.title, _line(list(table.columns), widths, numeric)]
        lines += [_line(r, widths, numeric) for r in cells] or ["(none)"]
        lines += list(table.notes)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def as_csv(tables: Sequence[Table]) -> str:
    """Each table with its header row, tables separated by an empty line (spreadsheets open it as is).
    Numbers stay numbers: a percentage is written as its value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, table in enumerate(tables):
        if number:
            out.write("\n")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().rstrip("\n")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return round(value, 1) if isinstance(value, Percent) else value
