"""INSERT ... ON CONFLICT DO NOTHING on both backends: the idempotency primitive of the store."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def _statement(dialect: str, table: Table) -> Insert:
    # Built once and executed with parameters: constructing `.values(**row)` per call costs more than
    # the insert itself on the webhook hot path.
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> int | None:
    """Insert a row unless it collides with a unique constraint. Returns the new primary key, or None."""
    statement = _statement(session.get_bind().dialect.name, table)
    return session.execute(statement, values).scalar_one_or_none()
