"""Group commit in a real database: pieces of work that arrive together share one transaction, each
is answered only once that transaction is committed, and one that fails fails alone."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from connector.store import Store
from connector.store.audit import audit
from connector.store.group_commit import GroupCommit
from connector.store.models import AuditEntry


def entries(store: Store) -> Counter[str]:
    with store.session() as session:
        return Counter(session.scalars(select(AuditEntry.action)))


def test_work_arriving_together_is_committed_together_and_each_answered(store: Store) -> None:
    commits = GroupCommit(store)
    counts = {"commits": 0}

    @event.listens_for(store.engine, "commit")
    def count(connection: object) -> None:
        counts["commits"] += 1

    gate = threading.Event()

    def slow(session: Session) -> str:
        gate.wait(10)  # holds the writer while the others queue up behind it
        audit(session, None, None, "first", {})
        return "first"

    answers: list[str] = []

    def job(n: int) -> None:
        def write(session: Session) -> str:
            audit(session, None, None, f"job-{n}", {})
            return f"job-{n}"

        answers.append(commits.run(write))

    first = threading.Thread(target=lambda: answers.append(commits.run(slow)))
    first.start()
    threads = [threading.Thread(target=job, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    assert len(answers) == 0
    gate.set()
    for thread in [first, *threads]:
        thread.join(30)
    commits.close()
    assert sorted(answers) == sorted(["first", *(f"job-{n}" for n in range(20))])
    assert sum(entries(store).values()) == 21
    assert counts["commits"] < 21 / 2  # the twenty waiting behind the first shared commits


def test_a_failing_piece_fails_alone(store: Store) -> None:
    commits = GroupCommit(store)

    def good(session: Session) -> None:
        audit(session, None, None, "good", {})

    def bad(session: Session) -> None:
        audit(session, None, None, "bad", {})
        raise ValueError("this one is wrong")

    with pytest.raises(ValueError, match="this one is wrong"):
        commits.run(bad)
    commits.run(good)
    commits.close()
    assert entries(store) == Counter({"good": 1})
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
