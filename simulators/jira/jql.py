"""A small JQL subset, enough for a poller: `project = SUP AND updated >= "2024-05-01 10:00" ORDER BY
updated ASC`.

Supported: clauses joined by AND on project, key/issuekey, status, statusCategory, issuetype/type,
assignee, reporter, labels, created, updated, resolved, and custom fields by name ("ELA status") or id
(cf[10050]) of the select, text, number and date-time kinds; operators = != > >= < <= IN, NOT IN,
IS [NOT] EMPTY; absolute dates (yyyy-MM-dd [HH:mm]), relative ones (-5m, -2h, -1d, -1w) and the functions
now(), startOfDay(), endOfDay(), startOfWeek(), endOfWeek() (with an optional offset such as
startOfWeek(-1w); weeks start on Sunday, as for Jira's default en_US locale); ORDER BY.
Real Jira accepts far more; anything else is answered 400 and recorded as `not_implemented`, so a
client relying on it shows up rather than silently getting the wrong issues. Times are UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from simulators.jira.errors import JiraError
from simulators.jira.model import ISSUE_TYPES, Field, Issue
from simulators.jira.state import JiraState

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|(!=|>=|<=|=|>|<|\(|\)|,)|([^\s=!<>(),"\']+))')
_RELATIVE = re.compile(r"^([+-]?\d+)([mhdw])$")
_UNITS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_DATE_FIELDS = {
    "created": "created",
    "createddate": "created",
    "updated": "updated",
    "updateddate": "updated",
    "resolved": "resolutiondate",
    "resolutiondate": "resolutiondate",
}


def _unsupported(detail: str) -> JiraError:
    return JiraError(
        400,
        [f"Error in the JQL Query: {detail} (not supported by the Jira simulator)."],
        violation="not_implemented",
    )


def _tokens(jql: str) -> list[tuple[str, bool]]:
    """(text, quoted) pairs."""
    out: list[tuple[str, bool]] = []
    position = 0
    text = jql.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise JiraError(400, [f"Error in the JQL Query: unexpected character at position {position}."])
        dq, sq, symbol, word = found.groups()
        if dq is not None or sq is not None:
            out.append((dq if dq is not None else sq or "", True))
        else:
            out.append((symbol or word, False))
        position = found.end()
    return out


def search(state: JiraState, jql: str) -> list[Issue]:
    tokens = _tokens(jql)
    order: list[tuple[str, bool]] = []
    lowered = [t.lower() if not quoted else None for t, quoted in tokens]
    for index in range(len(tokens) - 1):
        if lowered[index] == "order" and lowered[index + 1] == "by":
            order = _order(state, tokens[index + 2 :])
            tokens = tokens[:index]
            break
    predicates = _clauses(state, tokens)
    with state.lock:
        found = [issue for issue in state.issues.values() if all(p(issue) for p in predicates)]
    for field, descending in reversed(order or [("created", True)]):
        found.sort(key=functools.partial(_sort_key, field=field), reverse=descending)
    return found


def _order(state: JiraState, tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    order: list[tuple[str, bool]] = []
    words = [t for t, _ in tokens if t != ","]
    index = 0
    while index < len(words):
        field = words[index].lower()
        descending = False
        if index + 1 < len(words) and words[index + 1].lower() in ("asc", "desc"):
            descending = words[index + 1].lower() == "desc"
            index += 1
        custom = _custom_field(state, field)
        if custom is not None and custom.kind in ("datetime", "number"):
            field = f"custom:{custom.id}"  # (here an empty value sorts as the smallest)
        elif field not in ("created", "updated", "key", "issuekey", "priority", "resolved"):
            raise _unsupported(f"ORDER BY {field}")
        order.append((field, descending))
        index += 1
    return order


def _sort_key(issue: Issue, *, field: str) -> Any:
    if field.startswith("custom:"):
        return issue.fields.get(field.removeprefix("custom:")) or 0
    if field in ("key", "issuekey"):
        return (issue.project.key, int(issue.key.split("-")[1]))
    if field == "priority":
        return issue.fields.get("priority") or "9"
    return issue.fields.get(_DATE_FIELDS.get(field, field)) or 0


def _clauses(state: JiraState, tokens: list[tuple[str, bool]]) -> list[Callable[[Issue], bool]]:
    predicates: list[Callable[[Issue], bool]] = []
    index = 0
    while index < len(tokens):
        field = tokens[index][0].lower()
        index += 1
        op, index = _operator(tokens, index)
        if op in ("in", "not in"):
            values, index = _list(tokens, index)
        else:
            if index >= len(tokens):
                raise JiraError(400, ["Error in the JQL Query: expected a value at the end of the query."])
            values, index = [tokens[index][0]], index + 1
            if index < len(tokens) and tokens[index] == ("(", False):  # a function: now(), startOfWeek(-1w)
                end = next((i for i in range(index, len(tokens)) if tokens[i] == (")", False)), None)
                if end is None:
                    raise JiraError(400, ["Error in the JQL Query: expected ')' after the arguments."])
                values = [f"{values[0]}({''.join(t for t, _ in tokens[index + 1 : end])})"]
                index = end + 1
        predicates.append(_predicate(state, field, op, values))
        if index < len(tokens):
            if tokens[index][0].lower() != "and":
                raise _unsupported(f"'{tokens[index][0]}' (only AND joins clauses)")
            index += 1
    return predicates


def _operator(tokens: list[tuple[str, bool]], index: int) -> tuple[str, int]:
    words = [t.lower() for t, _ in tokens[index : index + 2]]
    if words[:2] == ["not", "in"]:
        return "not in", index + 2
    if words[:2] == ["is", "not"]:
        return "is not", index + 2
    if words and words[0] in ("=", "!=", ">", ">=", "<", "<=", "in", "is"):
        return words[0], index + 1
    raise _unsupported(f"operator {' '.join(words) or '(none)'}")


def _list(tokens: list[tuple[str, bool]], index: int) -> tuple[list[str], int]:
    if index >= len(tokens) or tokens[index][0] != "(":
        raise JiraError(400, ["Error in the JQL Query: expected '(' after IN."])
    values: list[str] = []
    index += 1
    while index < len(tokens) and tokens[index][0] != ")":
        if tokens[index][0] != ",":
            values.append(tokens[index][0])
        index += 1
    return values, index + 1


def _custom_field(state: JiraState, name: str) -> Field | None:
    with state.lock:
        fields = [f for f in state.fields.values() if f.custom]
    return next((f for f in fields if name in (c.lower() for c in f.clause_names)), None)


def _custom_predicate(state: JiraState, field: Field, op: str, values: list[str]) -> Callable[[Issue], bool]:
    if field.kind == "datetime":
        compare = _COMPARE.get(op)
        if compare is None:
            raise _unsupported(f"{op} on {field.name}")
        bound = _moment(values[0], state.now())
        return lambda issue: (
            issue.fields.get(field.id) is not None and compare(int(issue.fields[field.id]), bound)
        )
    if field.kind not in ("option", "options", "string", "number"):
        raise _unsupported(f"searching the {field.kind} field '{field.name}'")
    if op not in ("=", "!=", "in", "not in"):
        raise _unsupported(f"{op} on {field.name}")
    wanted = {v.lower() for v in values}
    positive = op in ("=", "in")

    def matches(issue: Issue) -> bool:
        stored = issue.fields.get(field.id)
        if stored is None or stored == []:
            return False  # as in Jira, != and NOT IN never match an empty field
        items = stored if isinstance(stored, list) else [stored]
        present = {str(i).lower() for i in items}
        if field.kind in ("option", "options"):
            names = state.option_values(field)
            present |= {names.get(str(i), "").lower() for i in items}
        elif field.kind == "number":
            present |= {format(float(i), "g") for i in items}
            wanted_numbers = {format(float(v), "g") for v in wanted if _is_number(v)}
            return bool(present & (wanted | wanted_numbers)) == positive
        return bool(present & wanted) == positive

    return matches


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">": int.__gt__,
    ">=": int.__ge__,
    "<": int.__lt__,
    "<=": int.__le__,
    "=": int.__eq__,
    "!=": int.__ne__,
}


def _predicate(state: JiraState, field: str, op: str, values: list[str]) -> Callable[[Issue], bool]:
    custom = _custom_field(state, field)
    if custom is not None:
        if op in ("is", "is not"):
            if values[0].lower() not in ("empty", "null"):
                raise JiraError(400, ["Error in the JQL Query: IS takes EMPTY or NULL."])
            return lambda issue: (issue.fields.get(custom.id) in (None, "", [])) == (op == "is")
        return _custom_predicate(state, custom, op, values)
    if op in ("is", "is not"):
        if values[0].lower() not in ("empty", "null"):
            raise JiraError(400, ["Error in the JQL Query: IS takes EMPTY or NULL."])
        getter = _getter(state, field)
        return lambda issue: (getter(issue) in (None, "", [])) == (op == "is")
    if field in _DATE_FIELDS:
        bound = _moment(values[0], state.now())
        stored = _DATE_FIELDS[field]
        compare = _COMPARE.get(op)
        if compare is None:
            raise _unsupported(f"{op} on {field}")
        return lambda issue: (
            issue.fields.get(stored) is not None and compare(int(issue.fields[stored]), bound)
        )
    if op not in ("=", "!=", "in", "not in"):
        raise _unsupported(f"{op} on {field}")
    getter = _getter(state, field)
    wanted = {v.lower() for v in values}
    positive = op in ("=", "in")

    def matches(issue: Issue) -> bool:
        value = getter(issue)
        present = {str(v).lower() for v in value} if isinstance(value, list) else {str(value).lower()}
        return bool(present & wanted) == positive

    return matches


def _getter(state: JiraState, field: str) -> Callable[[Issue], Any]:
    def status_names(issue: Issue) -> list[str]:
        status = issue.project.workflow.status(issue.fields["status"])
        return [status.name, status.id]

    def category(issue: Issue) -> list[str]:
        status = issue.project.workflow.status(issue.fields["status"])
        return [status.category.name, status.category.key, str(status.category.id)]

    def issue_type(issue: Issue) -> list[str]:
        return [t.name for t in ISSUE_TYPES if t.id == issue.fields["issuetype"]] + [
            issue.fields["issuetype"]
        ]

    getters: dict[str, Callable[[Issue], Any]] = {
        "project": lambda issue: [issue.project.key, issue.project.id, issue.project.name],
        "key": lambda issue: [issue.key, issue.id],
        "issuekey": lambda issue: [issue.key, issue.id],
        "status": status_names,
        "statuscategory": category,
        "issuetype": issue_type,
        "type": issue_type,
        "assignee": lambda issue: issue.fields.get("assignee"),
        "reporter": lambda issue: issue.fields.get("reporter"),
        "labels": lambda issue: issue.fields.get("labels") or [],
    }
    if field not in getters:
        raise _unsupported(f"field '{field}'")
    return getters[field]


_FUNCTION = re.compile(r"^(now|startofday|endofday|startofweek|endofweek)\(([+-]?\d+[mhdw])?\)$")
_DAY = 86_400_000


def _function_moment(name: str, offset: str | None, now: int) -> int:
    moment = dt.datetime.fromtimestamp(now / 1000, tz=dt.UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    week = day - dt.timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
    starts = {
        "now": moment,
        "startofday": day,
        "endofday": day + dt.timedelta(days=1) - dt.timedelta(milliseconds=1),
        "startofweek": week,
        "endofweek": week + dt.timedelta(days=7) - dt.timedelta(milliseconds=1),
    }
    base = int(starts[name].timestamp() * 1000)
    if offset:
        found = _RELATIVE.match(offset)
        assert found is not None
        base += int(found.group(1)) * _UNITS[found.group(2)]
    return base


def _moment(value: str, now: int) -> int:
    function = _FUNCTION.match(value.lower())
    if function:
        return _function_moment(function.group(1), function.group(2), now)
    relative = _RELATIVE.match(value)
    if relative:
        return now + int(relative.group(1)) * _UNITS[relative.group(2)]
    for pattern in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            moment = dt.datetime.strptime(value, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return int(moment.timestamp() * 1000)
    raise JiraError(
        400,
        [
            f"Error in the JQL Query: date value '{value}' for field is invalid. Valid formats "
            "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a "
            "period format e.g. '-5d', '4w 2d'."
        ],
    )
