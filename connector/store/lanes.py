"""Lanes: one row per ticket per queue, so that workers lease tickets, not items.

New work wakes its ticket's lane (`wake`, an upsert); a worker claims due lanes (`claim`) and, when done
with a lane's items, settles it (`settle`): ready again if items remain, idle otherwise. Settling takes
the lane's row lock and looks for remaining items in the same transaction, and `wake` runs after the
item's insert in the waker's transaction; so an item that arrives while its lane is being settled is
always seen by one of the two, and never stranded in an idle lane.

Lock order: a transaction that takes several tickets' lanes (the intake's group commit waking them, a
worker's transaction settling them) takes them in `lock_order`, by ticket rather than by arrival or by
row id. On PostgreSQL two transactions taking the same two lanes in opposite orders deadlock (the
server aborts one of them after a second); with one order for all, one simply waits for the other.
SQLite has one writer at a time and cannot deadlock this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from connector.store import leases
from connector.store.models import Lane

EVENTS = "events"
OUTBOX = "outbox"


@dataclass(frozen=True)
class ClaimedLane:
    id: int
    platform: str
    site: str
    ticket_key: str
    taken_over: bool


def lock_order(platform: str, site: str, ticket_key: str) -> tuple[str, str, str]:
    """The order in which one transaction takes several tickets' lanes (see the module's note)."""
    return (platform, site, ticket_key)


@cache
def _wake_statement(dialect: str, advance: bool) -> Any:
    # Built once per dialect and mode, executed with parameters: this runs on the webhook hot path.
    table = Lane.__table__
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    statement = insert.values(
        queue=bindparam("queue"),
        platform=bindparam("platform"),
        site=bindparam("site"),
        ticket_key=bindparam("ticket_key"),
        state="ready",
        due_at=bindparam("due_at"),
    )
    current = table.c
    new = statement.excluded
    # An idle lane becomes due when the new item is. A held lane keeps its lease as its due time (its
    # holder looks for new items before letting go). A waiting lane keeps its time (a retry's backoff
    # holds back the ticket's later events) unless `advance`: then the earlier of the two.
    choices = [(current.state == "idle", new.due_at)]
    if advance:
        choices.append((and_(current.claimed_by.is_(None), new.due_at < current.due_at), new.due_at))
    return statement.on_conflict_do_update(
        index_elements=["queue", "platform", "site", "ticket_key"],
        set_={"state": "ready", "due_at": case(*choices, else_=current.due_at)},
    )


def wake(
    session: Session,
    queue: str,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    due_at: datetime,
    advance: bool = False,
) -> None:
    """Make the ticket's lane ready for work due at `due_at` (creating the lane on first use)."""
    statement = _wake_statement(session.get_bind().dialect.name, advance)
    session.execute(
        statement,
        {"queue": queue, "platform": platform, "site": site, "ticket_key": ticket_key, "due_at": due_at},
    )


def claim(session: Session, queue: str, worker: str, limit: int, lease: timedelta) -> list[ClaimedLane]:
    claims = leases.claim(
        session,
        Lane,
        worker=worker,
        limit=limit,
        lease=lease,
        ready="ready",
        where=[Lane.queue == queue],
        extra=(Lane.platform, Lane.site, Lane.ticket_key),
    )
    return [
        ClaimedLane(c.id, str(c.columns[0]), str(c.columns[1]), str(c.columns[2]), c.taken_over)
        for c in claims
    ]


def heads(
    session: Session, model: Any, claimed: Sequence[ClaimedLane], per_lane: int, *, open_states: Sequence[str]
) -> dict[int, list[int]]:
    """The ids of each lane's open items (`model` rows in `open_states`), oldest first, at most
    `per_lane` each, in one statement of a fixed shape (so it is compiled once). Each lane's part is a
    short range scan of the model's (platform, site, ticket_key, state, id) index that stops at its
    limit, however deep the ticket's backlog."""
    found: dict[int, list[int]] = {lane.id: [] for lane in claimed}
    if not claimed:
        return found
    item = aliased(model)
    oldest = (
        select(item.id)
        .where(
            item.platform == Lane.platform,
            item.site == Lane.site,
            item.ticket_key == Lane.ticket_key,
            item.state.in_(list(open_states)),
        )
        .order_by(item.id)
        .limit(per_lane)
    )
    chosen = Lane.id.in_(bindparam("lanes", expanding=True))
    if session.get_bind().dialect.name == "postgresql":
        # LATERAL runs the limited scan once per lane. (Written as a correlated IN, PostgreSQL plans
        # a nested loop over every row of the model instead.)
        heads_of = oldest.lateral("heads_of")
        statement = select(Lane.id, heads_of.c.id).join(heads_of, true()).where(chosen)
    else:
        # SQLite has no LATERAL; it evaluates the correlated IN once per lane, as a list of ids to
        # look up by primary key.
        statement = select(Lane.id, model.id).join(model, model.id.in_(oldest.correlate(Lane))).where(chosen)
    for lane_id, item_id in session.execute(statement, {"lanes": list(found)}):
        found[lane_id].append(item_id)
    for ids in found.values():
        ids.sort()
    return found


def settle(session: Session, lane_id: int, worker: str, next_due: Callable[[Lane], datetime | None]) -> bool:
    """Let go of a held lane: ready at `next_due(lane)` when items remain, idle when it returns None.
    `next_due` runs after the lane's row is locked, so it sees every item whose waker is done with the
    lane. False when the lane was no longer this worker's."""
    lane = leases.held(session, Lane, lane_id, worker)
    if lane is None:
        return False
    due = next_due(lane)
    if due is None:
        leases.settle(lane, state="idle")
    else:
        leases.settle(lane, state="ready", due_at=due)
    return True


def settle_all(
    session: Session,
    lane_ids: Sequence[int],
    worker: str,
    open_items: Callable[[Any], ColumnElement[bool]],
    *,
    now: datetime,
    hold: Mapping[int, datetime],
) -> None:
    """`settle` for many lanes in three statements: those still `worker`'s are locked in lock order,
    then made ready at `now` where `open_items(Lane)` (a correlated condition) finds items left, idle
    elsewhere; a lane in `hold` is ready at its own time instead (one statement each)."""
    if not lane_ids:
        return
    held = select(Lane.id).where(Lane.id.in_(list(lane_ids)), Lane.claimed_by == worker)
    if session.get_bind().dialect.name == "postgresql":
        # ORDER BY under FOR UPDATE: PostgreSQL locks the rows in the order it returns them.
        held = held.order_by(Lane.platform, Lane.site, Lane.ticket_key).with_for_update()
    ours = list(session.scalars(held))
    if not ours:
        return
    for lane_id in sorted(set(ours) & set(hold)):
        session.execute(
            update(Lane)
            .where(Lane.id == lane_id)
            .values(claimed_by=None, state="ready", due_at=hold[lane_id])
            .execution_options(synchronize_session="fetch")
        )
    ours = [lane_id for lane_id in ours if lane_id not in hold]
    if not ours:
        return
    ready = list(session.scalars(select(Lane.id).where(Lane.id.in_(ours), open_items(Lane))))
    idle = sorted(set(ours) - set(ready))
    for ids, values in ((ready, {"state": "ready", "due_at": now}), (idle, {"state": "idle"})):
        if ids:
            session.execute(
                update(Lane)
                .where(Lane.id.in_(ids))
                .values(claimed_by=None, **values)
                .execution_options(synchronize_session="fetch")
            )
