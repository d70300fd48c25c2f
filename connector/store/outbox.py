"""The outbox: per ticket, ordered actions to its platform, held durably until each has landed once.

Actions: `fields` (coalesced: at most one pending per ticket, new values merge into it), `comment`
(public or internal) and `labels` (add / remove). Every action has an idempotency key, unique per site:
queueing the same key twice queues it once. A ticket's actions are taken through its lane, so one
worker at a time sends them, in order. Before an action goes out it is marked `sending` (committed);
the next worker that finds it so does not know whether it landed, and reads it back from the platform
before sending it again (see connector.outbox).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store import lanes
from connector.store.audit import audit
from connector.store.models import Lane, OutboxAction, utcnow
from connector.store.upsert import insert_ignore

Values = dict[str, Any]
KINDS = ("fields", "comment", "labels", "priority", "issue")  # the platform's; rooms add their own
OPEN = ("pending", "sending")
# What the audit log calls each kind's outcomes: "writeback.sent", "comment.reconciled", ...
AUDIT_NAMES = {"fields": "writeback"}  # other kinds are named as they are


@dataclass(frozen=True)
class ClaimedAction:
    id: int
    lane_id: int
    platform: str
    site: str
    ticket_key: str
    kind: str
    key: str
    payload: Values
    attempts: int  # attempts so far, this one included once `begin` has counted it
    uncertain: bool  # a previous attempt may have reached the platform (its worker died mid-call)
    due_at: datetime
    first_sent_at: datetime | None

    @property
    def values(self) -> Values:
        """The field values of a `fields` action."""
        return dict(self.payload.get("values", {}))


@dataclass(frozen=True)
class ClaimedLane:
    id: int
    platform: str
    site: str
    ticket_key: str
    actions: tuple[ClaimedAction, ...] = field(default=())


def _insert(
    session: Session,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    due_at: datetime,
) -> int | None:
    now = utcnow()
    new_id = insert_ignore(
        session,
        OutboxAction.__table__,  # type: ignore[arg-type]
        {
            "platform": platform,
            "site": site,
            "ticket_key": ticket_key,
            "kind": kind,
            "key": key,
            "payload": json.dumps(dict(payload), sort_keys=True, default=str),
            "state": "pending",
            "attempts": 0,
            "due_at": due_at,
            "created_at": now,
            "updated_at": now,
        },
    )
    if new_id is not None:
        lanes.wake(
            session,
            lanes.OUTBOX,
            platform=platform,
            site=site,
            ticket_key=ticket_key,
            due_at=due_at,
            advance=True,
        )
    return new_id


def enqueue_fields(
    session: Session,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    values: Mapping[str, Any],
    delay: timedelta,
    leading: bool = False,
) -> int:
    """Merge `values` into the ticket's pending `fields` action, creating it due in `delay` (the
    coalescing window: a burst of comments within it becomes one platform call).

    `leading`: the window starts at the ticket's last write instead. A ticket not written within
    `delay` is written at once (an isolated comment is seen within the flush interval); values that
    follow within the window wait for its end and go out together."""
    for _ in range(3):
        row = _pending_fields(session, platform, site, ticket_key)
        if row is not None:
            payload = json.loads(row.payload)
            payload["values"] = {**payload.get("values", {}), **values}
            row.payload = json.dumps(payload, sort_keys=True, default=str)
            return row.id
        now = utcnow()
        due_at = now + delay
        if leading:
            last = _last_fields_write(session, platform, site, ticket_key)
            due_at = now if last is None or last + delay <= now else last + delay
        new_id = _insert(
            session,
            platform=platform,
            site=site,
            ticket_key=ticket_key,
            kind="fields",
            key=f"fields:{uuid.uuid4().hex}",
            payload={"values": dict(values)},
            due_at=due_at,
        )
        if new_id is not None:
            return new_id
        # Another process created the pending action between our read and insert: merge into it.
    raise RuntimeError(f"could not queue a write-back for {site}/{ticket_key}")


def enqueue(
    session: Session,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    due_at: datetime | None = None,
) -> int | None:
    """An action of any kind to carry out once (after `due_at`, default now); None when an action with
    this key was queued before. `fields` actions are queued with `enqueue_fields`, which coalesces."""
    if kind == "fields":
        raise ValueError("queue field values with enqueue_fields: they merge into the pending action")
    return _insert(
        session,
        platform=platform,
        site=site,
        ticket_key=ticket_key,
        kind=kind,
        key=key,
        payload=payload,
        due_at=due_at or utcnow(),
    )


def enqueue_comment(
    session: Session, *, platform: str, site: str, ticket_key: str, text: str, public: bool, key: str
) -> int | None:
    """A comment to post once; None when an action with this key was queued before."""
    return enqueue(
        session,
        platform=platform,
        site=site,
        ticket_key=ticket_key,
        kind="comment",
        key=key,
        payload={"text": text, "public": public},
    )


def enqueue_labels(
    session: Session,
    *,
    platform: str,
    site: str,
    ticket_key: str,
    key: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> int | None:
    """Labels to add and remove once; None when an action with this key was queued before."""
    return enqueue(
        session,
        platform=platform,
        site=site,
        ticket_key=ticket_key,
        kind="labels",
        key=key,
        payload={"add": list(add), "remove": list(remove)},
    )


def _last_fields_write(session: Session, platform: str, site: str, ticket_key: str) -> datetime | None:
    """When the ticket's fields were last sent (or are being sent)."""
    return session.scalar(
        select(func.max(OutboxAction.first_sent_at)).where(
            OutboxAction.platform == platform,
            OutboxAction.site == site,
            OutboxAction.ticket_key == ticket_key,
            OutboxAction.kind == "fields",
            OutboxAction.state.in_(("sending", "done")),
        )
    )


def _pending_fields(session: Session, platform: str, site: str, ticket_key: str) -> OutboxAction | None:
    query = select(OutboxAction).where(
        OutboxAction.platform == platform,
        OutboxAction.site == site,
        OutboxAction.ticket_key == ticket_key,
        OutboxAction.kind == "fields",
        OutboxAction.state == "pending",
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _claimed(row: OutboxAction, lane_id: int) -> ClaimedAction:
    return ClaimedAction(
        row.id,
        lane_id,
        row.platform,
        row.site,
        row.ticket_key,
        row.kind,
        row.key,
        json.loads(row.payload),
        row.attempts,
        row.state == "sending",
        row.due_at,
        row.first_sent_at,
    )


# Open actions taken per ticket in one pass; a ticket with more gets the rest on its next turn.
ACTIONS_PER_TURN = 50


def claim(session: Session, worker: str, limit: int, lease: timedelta) -> list[ClaimedLane]:
    """Lease the lanes of up to `limit` tickets with due actions, each with its open actions in order."""
    claimed = lanes.claim(session, lanes.OUTBOX, worker, limit, lease)
    taken = lanes.heads(session, OutboxAction, claimed, ACTIONS_PER_TURN, open_states=OPEN)
    ids = [pk for pks in taken.values() for pk in pks]
    rows = {row.id: row for row in session.scalars(select(OutboxAction).where(OutboxAction.id.in_(ids)))}
    result = []
    for lane in claimed:
        actions = tuple(_claimed(rows[pk], lane.id) for pk in taken[lane.id] if pk in rows)
        if not actions:
            lanes.settle(session, lane.id, worker, lambda _lane: None)
            continue
        result.append(ClaimedLane(lane.id, lane.platform, lane.site, lane.ticket_key, actions))
    return result


def _owned(session: Session, action: ClaimedAction, worker: str) -> OutboxAction | None:
    """The action's row, if this worker still holds its ticket's lane (a lease that ran out may have
    been taken over)."""
    if not lane_held(session, action.lane_id, worker):
        return None
    row = session.get(
        OutboxAction, action.id, with_for_update=session.get_bind().dialect.name == "postgresql"
    )
    if row is None or row.state not in OPEN:
        return None
    return row


def lane_held(session: Session, lane_id: int, worker: str) -> bool:
    return session.scalar(select(Lane.claimed_by).where(Lane.id == lane_id)) == worker


def begin(session: Session, action: ClaimedAction, worker: str) -> ClaimedAction | None:
    """Record that the action is about to go out (commit before calling the platform); the returned
    copy counts this attempt. None when the lane is no longer this worker's."""
    row = _owned(session, action, worker)
    if row is None:
        return None
    uncertain = row.state == "sending"
    row.state = "sending"
    row.attempts += 1
    if row.first_sent_at is None:
        row.first_sent_at = utcnow()
    updated = _claimed(row, action.lane_id)
    return ClaimedAction(**{**updated.__dict__, "uncertain": uncertain})


def mark_sent(
    session: Session, action: ClaimedAction, worker: str, *, reconciled: bool, result: str | None = None
) -> bool:
    row = _owned(session, action, worker)
    if row is None:
        return False
    row.state = "done"
    row.last_error = None
    row.result = result
    outcome = "reconciled" if reconciled else "sent"
    audit(
        session,
        action.site,
        action.ticket_key,
        f"{AUDIT_NAMES.get(action.kind, action.kind)}.{outcome}",
        _detail(action),
    )
    return True


def mark_failed(session: Session, action: ClaimedAction, worker: str, error: str) -> bool:
    row = _owned(session, action, worker)
    if row is None:
        return False
    row.state = "failed"
    row.last_error = error[:4000]
    audit(
        session,
        action.site,
        action.ticket_key,
        f"{AUDIT_NAMES.get(action.kind, action.kind)}.failed",
        {**_detail(action), "error": error},
    )
    return True


def _detail(action: ClaimedAction) -> Values:
    if action.kind == "fields":
        return {"fields": action.values, "attempts": action.attempts}
    return {"key": action.key, **action.payload, "attempts": action.attempts}


def reschedule(
    session: Session, action: ClaimedAction, worker: str, *, due_at: datetime, error: str, count_attempt: bool
) -> bool:
    """Put an action back for a later attempt. For fields, values queued meanwhile for the ticket are
    newer and win; the two actions become one so the ticket still gets a single call."""
    row = _owned(session, action, worker)
    if row is None:
        return False
    if not count_attempt:
        row.attempts = max(0, row.attempts - 1)
    row.last_error = error[:4000]
    newer = (
        _pending_fields(session, action.platform, action.site, action.ticket_key)
        if action.kind == "fields"
        else None
    )
    if newer is None or newer.id == row.id:
        row.state = "pending"
        row.due_at = due_at
        return True
    payload = json.loads(newer.payload)
    payload["values"] = {**action.values, **payload.get("values", {})}
    newer.payload = json.dumps(payload, sort_keys=True, default=str)
    newer.due_at = max(newer.due_at, due_at)
    newer.attempts = max(newer.attempts, row.attempts)
    newer.last_error = row.last_error
    row.state = "superseded"
    return True


def release(session: Session, lane_id: int, worker: str) -> bool:
    """Let go of a ticket's lane: ready when its next open action is due, idle when none is open."""

    def next_due(lane: Lane) -> datetime | None:
        return session.scalar(
            select(func.min(OutboxAction.due_at)).where(
                OutboxAction.platform == lane.platform,
                OutboxAction.site == lane.site,
                OutboxAction.ticket_key == lane.ticket_key,
                OutboxAction.state.in_(OPEN),
            )
        )

    return lanes.settle(session, lane_id, worker, next_due)


def hold_lane(session: Session, lane_id: int, worker: str, until: datetime) -> bool:
    """Let go of a lane and keep it out of claims until `until` (its site is paused)."""
    return lanes.settle(session, lane_id, worker, lambda _lane: until)


def cancel_pending(session: Session, *, platform: str, site: str, ticket_key: str, reason: str) -> int:
    """Cancel the ticket's actions not yet sent (the ticket is gone), each recorded in the audit log."""
    rows = session.scalars(
        select(OutboxAction).where(
            OutboxAction.platform == platform,
            OutboxAction.site == site,
            OutboxAction.ticket_key == ticket_key,
            OutboxAction.state == "pending",
        )
    ).all()
    for row in rows:
        row.state = "cancelled"
        row.last_error = reason
        audit(
            session,
            site,
            ticket_key,
            f"{AUDIT_NAMES.get(row.kind, row.kind)}.cancelled",
            {"key": row.key, "kind": row.kind, "reason": reason},
        )
    return len(rows)


def counts_by_kind(session: Session) -> dict[str, dict[str, int]]:
    """Actions kept, by kind (the platform's first) and state."""
    counts: dict[str, dict[str, int]] = {}
    query = select(OutboxAction.kind, OutboxAction.state, func.count()).group_by(
        OutboxAction.kind, OutboxAction.state
    )
    for kind, state, count in session.execute(query):
        counts.setdefault(str(kind), {})[str(state)] = int(count)
    order = [k for k in KINDS if k in counts] + sorted(set(counts) - set(KINDS))
    return {kind: counts[kind] for kind in order}


def counts_by_state(session: Session, kind: str | None = None) -> dict[str, int]:
    query = select(OutboxAction.state, func.count()).group_by(OutboxAction.state)
    if kind is not None:
        query = query.where(OutboxAction.kind == kind)
    return {str(state): int(count) for state, count in session.execute(query)}


def retries_total(session: Session) -> int:
    """Attempts beyond the first, over every action kept."""
    total = session.scalar(
        select(func.coalesce(func.sum(OutboxAction.attempts - 1), 0)).where(OutboxAction.attempts > 1)
    )
    return int(total or 0)


def recent_failures(session: Session, limit: int = 10) -> list[OutboxAction]:
    query = (
        select(OutboxAction)
        .where(OutboxAction.state == "failed")
        .order_by(OutboxAction.updated_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def posted_comment_ids(session: Session, platform: str, site: str, ticket_key: str) -> list[str]:
    """Ids of comments other outbox actions already posted on the ticket (never matched twice)."""
    rows = session.scalars(
        select(OutboxAction.result).where(
            OutboxAction.platform == platform,
            OutboxAction.site == site,
            OutboxAction.ticket_key == ticket_key,
            OutboxAction.kind == "comment",
            OutboxAction.state == "done",
            OutboxAction.result.is_not(None),
        )
    )
    return [r for r in rows if r]


def requeue_failed(session: Session, *, site: str | None = None, ticket_key: str | None = None) -> int:
    """Failed actions back in the queue, due now, with a fresh count of attempts (`ela retry`)."""
    query = select(OutboxAction).where(OutboxAction.state == "failed")
    if site is not None:
        query = query.where(OutboxAction.site == site)
    if ticket_key is not None:
        query = query.where(OutboxAction.ticket_key == ticket_key)
    count = 0
    for row in session.scalars(query.order_by(OutboxAction.id)):
        if row.kind == "fields" and _pending_fields(session, row.platform, row.site, row.ticket_key):
            # Newer values wait for the ticket already: they win, this one is superseded by them.
            row.state = "superseded"
            continue
        row.state, row.attempts, row.due_at = "pending", 0, utcnow()
        audit(session, row.site, row.ticket_key, "outbox.requeued", {"key": row.key, "kind": row.kind})
        lanes.wake(
            session,
            lanes.OUTBOX,
            platform=row.platform,
            site=row.site,
            ticket_key=row.ticket_key,
            due_at=row.due_at,
            advance=True,
        )
        count += 1
    return count
