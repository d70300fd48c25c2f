"""A subset of ServiceNow's encoded queries: conditions joined by `^` (AND), and `ORDERBY<field>` /
`ORDERBYDESC<field>`.

Operators: = != > >= < <= IN NOT IN STARTSWITH ENDSWITH LIKE NOT LIKE ISEMPTY ISNOTEMPTY. Values are
compared as the column stores them: integers as numbers, times (UTC `YYYY-MM-DD HH:MM:SS`) and text
as text. Not supported, and recorded as violations: `^OR` / `^NQ`, dot-walking (`role.name`),
`javascript:` values. A condition on a column the table does not have is ignored and every record
matches it, which is what a base instance does (`glide.invalid_query.returns_no_rows` is false) and
why a client must never rely on one: the simulator records it as a violation too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.servicenow.schema import Column

Record = dict[str, str]
_OPERATORS = (
    "ISNOTEMPTY",
    "ISEMPTY",
    "NOT IN",
    "NOTIN",
    "NOT LIKE",
    "STARTSWITH",
    "ENDSWITH",
    "LIKE",
    "IN",
    ">=",
    "<=",
    "!=",
    "=",
    ">",
    "<",
)
_FIELD = re.compile(r"[a-z][a-z0-9_.]*")


@dataclass
class Query:
    conditions: list[Callable[[Record], bool]] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    problems: list[str] = field(default_factory=list)  # violations: what a client must not rely on

    def matches(self, record: Record) -> bool:
        return all(condition(record) for condition in self.conditions)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse(text: str, columns: dict[str, Column]) -> Query:
    query = Query()
    if not text:
        return query
    for part in text.split("^"):
        if not part:
            continue
        if part.startswith(("OR", "NQ")) and not part.startswith("ORDERBY"):
            query.problems.append(f"^{part[:2]} is not supported by the simulator")
            continue
        if part.startswith("ORDERBYDESC"):
            query.order.append((part[len("ORDERBYDESC") :], True))
            continue
        if part.startswith("ORDERBY"):
            query.order.append((part[len("ORDERBY") :], False))
            continue
        name_match = _FIELD.match(part)
        if name_match is None:
            query.problems.append(f"condition {part[:60]!r} does not start with a field name")
            continue
        name = name_match.group(0)
        rest = part[len(name) :]
        operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
        if operator is None:
            query.problems.append(f"condition {part[:60]!r} has no operator the simulator knows")
            continue
        value = rest[len(operator) :]
        if "." in name:
            query.problems.append(f"dot-walking ({name}) is not supported by the simulator")
            continue
        if value.startswith("javascript:"):
            query.problems.append(f"{name}: javascript: values are not supported by the simulator")
            continue
        if name not in columns:
            query.problems.append(f"{name}: no such column, the condition is ignored (every record matches)")
            continue
        query.conditions.append(_condition(name, operator, value, columns[name]))
    for column, _ in query.order:
        if column not in columns:
            query.problems.append(f"ORDERBY {column}: no such column")
    query.order = [(c, d) for c, d in query.order if c in columns]
    return query


def _condition(name: str, operator: str, value: str, column: Column) -> Callable[[Record], bool]:
    numeric = column.type in ("integer", "float")

    def compare(stored: str, wanted: str) -> int:
        if numeric:
            a, b = _number(stored), _number(wanted)
            if a is not None and b is not None:
                return (a > b) - (a < b)
        return (stored > wanted) - (stored < wanted)

    def get(record: Record) -> str:
        return record.get(name, "")

    if operator == "ISEMPTY":
        return lambda r: get(r) == ""
    if operator == "ISNOTEMPTY":
        return lambda r: get(r) != ""
    if operator in ("IN", "NOT IN", "NOTIN"):
        options = set(value.split(","))
        inside = operator == "IN"
        return lambda r: (get(r) in options) == inside
    if operator == "STARTSWITH":
        return lambda r: get(r).lower().startswith(value.lower())
    if operator == "ENDSWITH":
        return lambda r: get(r).lower().endswith(value.lower())
    if operator in ("LIKE", "NOT LIKE"):
        inside = operator == "LIKE"
        return lambda r: (value.lower() in get(r).lower()) == inside
    if operator == "=":
        return lambda r: compare(get(r), value) == 0 if get(r) != "" else value == ""
    if operator == "!=":
        return lambda r: compare(get(r), value) != 0
    checks: dict[str, Callable[[int], bool]] = {
        ">": lambda c: c > 0,
        ">=": lambda c: c >= 0,
        "<": lambda c: c < 0,
        "<=": lambda c: c <= 0,
    }
    check = checks[operator]
    # An empty value is not greater or smaller than anything.
    return lambda r: get(r) != "" and check(compare(get(r), value))


def ordered(records: list[Record], query: Query, columns: dict[str, Column]) -> list[Record]:
    found = list(records)
    for name, descending in reversed(query.order):
        numeric = columns[name].type in ("integer", "float")

        def key(record: Record, name: str = name, numeric: bool = numeric) -> tuple[int, float, str]:
            text = record.get(name, "")
            number = _number(text) if numeric else None
            return (0 if text else 1, number if number is not None else 0.0, text)

        found.sort(key=key, reverse=descending)
    return found
