"""Rate limits of the answer pages, counted in the database.

A counter per key (a survey link, a client address) and minute, incremented with one upsert: every
web process of `ela serve`, on every machine sharing the database, counts against the same limit.
A process-local counter would let N processes allow N times the limit.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.store.models import RateCounter


def link_key(token: str) -> str:
    return "link:" + hashlib.sha256(token.encode()).hexdigest()[:40]


def address_key(address: str) -> str:
    return "addr:" + address[:180]


def hit(session: Session, key: str, limit: int, now: datetime) -> tuple[bool, int]:
    """Count a request; (allowed, seconds until the window ends)."""
    minute = int(now.timestamp() // 60)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RateCounter.__table__
    statement = (
        dialect.insert(table)
        .values(key=key, minute=minute, count=1)
        .on_conflict_do_update(
            index_elements=["key", "minute"],
            set_={"count": table.c.count + 1},
        )
        .returning(table.c.count)
    )
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        # A new window for this key: the old ones are of no use any more.
        session.execute(delete(RateCounter).where(RateCounter.key == key, RateCounter.minute < minute))
    wait = 60 - int(now.timestamp()) % 60
    return count <= limit, wait
