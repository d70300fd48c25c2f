"""The tables the simulated instance has, their columns and column types, and its built-in choices.

Column types follow the dictionary's internal types: `string`, `integer`, `boolean`, `float`,
`glide_date_time` (stored as UTC `YYYY-MM-DD HH:MM:SS`), `reference` (a sys_id, to `target`), `journal_input`
(write-only on the record: each write is a new sys_journal_field row) and `GUID`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    type: str
    target: str | None = None  # the referenced table
    label: str = ""
    max_length: int = 255


def _ref(target: str) -> Column:
    return Column("reference", target)


SYS = {
    "sys_id": Column("GUID"),
    "sys_created_on": Column("glide_date_time"),
    "sys_created_by": Column("string"),
    "sys_updated_on": Column("glide_date_time"),
    "sys_updated_by": Column("string"),
    "sys_mod_count": Column("integer"),
}
TASK = {
    **SYS,
    "number": Column("string"),
    "sys_class_name": Column("string"),
    "short_description": Column("string"),
    "description": Column("string", max_length=4000),
    "state": Column("integer"),
    "priority": Column("integer"),
    "impact": Column("integer"),
    "urgency": Column("integer"),
    "active": Column("boolean"),
    "assigned_to": _ref("sys_user"),
    "assignment_group": _ref("sys_user_group"),
    "opened_by": _ref("sys_user"),
    "opened_at": Column("glide_date_time"),
    "resolved_at": Column("glide_date_time"),
    "closed_at": Column("glide_date_time"),
    "close_notes": Column("string", max_length=4000),
    "comments": Column("journal_input", max_length=4000),
    "work_notes": Column("journal_input", max_length=4000),
}
TABLES: dict[str, dict[str, Column]] = {
    "incident": {
        **TASK,
        "caller_id": _ref("sys_user"),
        "category": Column("string"),
        "close_code": Column("string"),
    },
    "sn_customerservice_case": {**TASK, "contact": _ref("sys_user"), "consumer": _ref("sys_user")},
    "sys_user": {
        **SYS,
        "user_name": Column("string"),
        "name": Column("string"),
        "email": Column("string"),
        "active": Column("boolean"),
        "time_zone": Column("string"),
    },
    "sys_user_group": {**SYS, "name": Column("string")},
    "sys_user_grmember": {**SYS, "user": _ref("sys_user"), "group": _ref("sys_user_group")},
    "sys_user_role": {**SYS, "name": Column("string")},
    "sys_user_has_role": {**SYS, "user": _ref("sys_user"), "role": _ref("sys_user_role")},
    "sys_journal_field": {
        **SYS,
        "name": Column("string"),
        "element": Column("string"),
        "element_id": Column("string"),
        "value": Column("string", max_length=4000),
    },
    "sys_audit": {
        **SYS,
        "tablename": Column("string"),
        "documentkey": Column("string"),
        "fieldname": Column("string"),
        "oldvalue": Column("string"),
        "newvalue": Column("string"),
        "record_checkpoint": Column("integer"),
        "user": Column("string"),
        "reason": Column("string"),
    },
    "sys_dictionary": {
        **SYS,
        "name": Column("string"),
        "element": Column("string"),
        "column_label": Column("string"),
        "internal_type": Column("string"),
        "max_length": Column("integer"),
        "choice": Column("integer"),
        "active": Column("boolean"),
        "comments": Column("string"),
    },
    "sys_choice": {
        **SYS,
        "name": Column("string"),
        "element": Column("string"),
        "value": Column("string"),
        "label": Column("string"),
        "sequence": Column("integer"),
        "language": Column("string"),
        "inactive": Column("boolean"),
    },
}
TICKET_TABLES = ("incident", "sn_customerservice_case")
NUMBER_PREFIX = {"incident": "INC", "sn_customerservice_case": "CS"}
# What a reference to a record of each table shows.
DISPLAY_FIELD = {"sys_user": "name", "sys_user_group": "name", "sys_user_role": "name"}
# Columns nobody writes through the API (the platform sets them).
READ_ONLY = frozenset(SYS) | {"number", "sys_class_name"}
# Column types a dictionary entry may create, as ServiceNow names them.
CREATABLE_TYPES = {"string": "string", "float": "float", "decimal": "float", "integer": "integer"}

CHOICES: dict[tuple[str, str], dict[str, str]] = {
    ("incident", "state"): {
        "1": "New",
        "2": "In Progress",
        "3": "On Hold",
        "6": "Resolved",
        "7": "Closed",
        "8": "Canceled",
    },
    ("sn_customerservice_case", "state"): {
        "1": "New",
        "10": "Open",
        "18": "Awaiting Info",
        "6": "Resolved",
        "3": "Closed",
        "7": "Cancelled",
    },
    ("*", "priority"): {
        "1": "1 - Critical",
        "2": "2 - High",
        "3": "3 - Moderate",
        "4": "4 - Low",
        "5": "5 - Planning",
    },
    ("*", "impact"): {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
    ("*", "urgency"): {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
}
# The base instance's priority lookup: (impact, urgency) -> priority.
PRIORITY_MATRIX = {
    ("1", "1"): "1",
    ("1", "2"): "2",
    ("1", "3"): "3",
    ("2", "1"): "2",
    ("2", "2"): "3",
    ("2", "3"): "4",
    ("3", "1"): "3",
    ("3", "2"): "4",
    ("3", "3"): "5",
}
# Who may read and write which table (any one of the roles; admin may do everything).
ACL: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "incident": (frozenset({"itil"}), frozenset({"itil"})),
    "sn_customerservice_case": (
        frozenset({"sn_customerservice_agent"}),
        frozenset({"sn_customerservice_agent"}),
    ),
    "sys_journal_field": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_user": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_user_grmember": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_user_has_role": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_user_group": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_user_role": (frozenset({"itil", "sn_customerservice_agent"}), frozenset()),
    "sys_audit": (frozenset(), frozenset()),  # admin only, as on a base instance
    "sys_dictionary": (frozenset({"personalize_dictionary"}), frozenset()),
    "sys_choice": (frozenset({"personalize_dictionary"}), frozenset()),
}
