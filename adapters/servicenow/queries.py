"""Every encoded query the connector sends to the Table API, written by pysnow's QueryBuilder.

QueryBuilder spells the operators (`=`, `IN`, `>`, `>=`, `ORDERBY`, `ORDERBYDESC`) and the joins (`^`),
and refuses a condition without a field or an operator. `TableApi.records()` takes nothing else, so a
query cannot be pasted together from strings anywhere in the adapter.

Times: QueryBuilder writes a datetime as the Table API's `YYYY-MM-DD HH:MM:SS`, converted to UTC when
it carries a zone and as it is when it does not. A plain date-time in a query sent through the web
services is read as UTC (`gs.dateGenerate`, which QueryBuilder's `between` writes, would mean the
reading user's zone, so it is not used). Every time here is converted to UTC first, and one without a
zone is refused: Python would read it as the machine's local time and QueryBuilder as UTC.

Values: QueryBuilder does not escape them, and an encoded query has no escape. A `^` in a value would
end the condition and start another, a `,` in an IN list would add an option, and a value starting
with `javascript:` is run by the instance. Values are refused with a clear error when they hold any
of those; they come from the platform (a journal entry's author, a record's sys_id) or from the YAML
(the connector's user name, column names), never from a customer's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from adapters.errors import PermanentWriteError
from adapters.servicenow.pysnow_import import QueryBuilder

Query = QueryBuilder
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,79}")


def term(text: str) -> str:
    """`text` as one value of a condition, or PermanentWriteError when it would be read as more."""
    if not isinstance(text, str) or not text:
        raise PermanentWriteError(f"{text!r} is not a value an encoded query can hold")
    if "^" in text or "\n" in text or text.lstrip().lower().startswith("javascript:"):
        raise PermanentWriteError(
            f"{text!r} cannot be put in a ServiceNow encoded query (a ^, a line break or javascript:)"
        )
    return text


def _options(values: Sequence[str]) -> list[str]:
    checked = [term(v) for v in values]
    if not checked or any("," in v for v in checked):
        raise PermanentWriteError(f"{list(values)!r} cannot be an IN list (empty, or a value with a comma)")
    return checked


def _field(name: str) -> str:
    if not _FIELD.fullmatch(name):
        raise ValueError(f"{name!r} is not a ServiceNow column name")
    return name


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone: give every time to a query in UTC or with its zone")
    return moment.astimezone(UTC)


def _where(name: str) -> QueryBuilder:
    return QueryBuilder().field(_field(name))


def equals(field: str, text: str) -> Query:
    return _where(field).equals(term(text))


def ids_in(sys_ids: Sequence[str]) -> Query:
    return _where("sys_id").equals(_options(sys_ids))


def created_since(since: datetime) -> Query:
    """The records created at or after `since`, oldest first."""
    return (
        _where("sys_created_on")
        .greater_than_or_equal(_utc(since))
        .AND()
        .field("sys_created_on")
        .order_ascending()
    )


def audit_since(tables: Sequence[str], fields: Sequence[str], since: datetime) -> Query:
    """The audit rows of `fields` on `tables` written at or after `since`, oldest first.
    record_checkpoint 0 is the insert: creation is its own event."""
    return (
        _where("tablename")
        .equals(_options(tables))
        .AND()
        .field("fieldname")
        .equals(_options(fields))
        .AND()
        .field("record_checkpoint")
        .greater_than(0)
        .AND()
        .field("sys_created_on")
        .greater_than_or_equal(_utc(since))
        .AND()
        .field("sys_created_on")
        .order_ascending()
    )


def journal_since(tables: Sequence[str], elements: Sequence[str], since: datetime) -> Query:
    """The journal entries (`elements`) on records of `tables` made at or after `since`, oldest first."""
    return (
        _where("name")
        .equals(_options(tables))
        .AND()
        .field("element")
        .equals(_options(elements))
        .AND()
        .field("sys_created_on")
        .greater_than_or_equal(_utc(since))
        .AND()
        .field("sys_created_on")
        .order_ascending()
    )


def entries_by(sys_id: str, elements: Sequence[str], user_name: str, since: datetime) -> Query:
    """The journal entries `user_name` made on one record at or after `since`, newest first."""
    return (
        _where("element_id")
        .equals(term(sys_id))
        .AND()
        .field("element")
        .equals(_options(elements))
        .AND()
        .field("sys_created_by")
        .equals(term(user_name))
        .AND()
        .field("sys_created_on")
        .greater_than_or_equal(_utc(since))
        .AND()
        .field("sys_created_on")
        .order_descending()
    )


def column_on(tables: Sequence[str], element: str) -> Query:
    """The dictionary entries of column `element` on any of `tables`."""
    return _where("name").equals(_options(tables)).AND().field("element").equals(term(element))


def active_choices(table: str, element: str) -> Query:
    """The choices of `table`.`element` that are not marked inactive."""
    return (
        _where("name")
        .equals(term(table))
        .AND()
        .field("element")
        .equals(term(element))
        .AND()
        .field("inactive")
        .equals("false")
    )
