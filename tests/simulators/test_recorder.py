"""simulators/recorder.py: what a simulator was asked and what it found wrong, kept safely across threads
and within a bound."""

from __future__ import annotations

import json
import threading

from simulators.openapi_check import Violation
from simulators.recorder import RecordedRequest, RequestLog


def _request(n: int) -> RecordedRequest:
    return RecordedRequest(method="GET", path=f"/rest/api/3/issue/SD-{n}", query={}, json=None)


def test_requests_and_violations_are_kept_in_the_order_they_came() -> None:
    log = RequestLog()
    for n in range(3):
        log.add_request(_request(n))
    wrong = Violation("unknown_operation", "GET", "/rest/api/3/nope", "no such operation")
    log.add_violation(wrong)
    assert [r.path for r in log.requests()] == [f"/rest/api/3/issue/SD-{n}" for n in range(3)]
    assert log.violations() == [wrong]


def test_what_a_caller_is_given_is_a_copy() -> None:
    log = RequestLog()
    log.add_request(_request(1))
    seen = log.requests()
    seen.clear()
    log.violations().append(Violation("x", "GET", "/", "y"))
    assert len(log.requests()) == 1 and log.violations() == []


def test_the_limit_keeps_the_newest_requests() -> None:
    log = RequestLog(limit=3)
    for n in range(10):
        log.add_request(_request(n))
    assert [r.path.rsplit("-", 1)[1] for r in log.requests()] == ["7", "8", "9"]


def test_requests_and_violations_are_cleared_separately() -> None:
    log = RequestLog()
    log.add_request(_request(1))
    log.add_violation(Violation("x", "GET", "/", "y"))
    log.clear(violations=False)
    assert log.requests() == [] and len(log.violations()) == 1
    log.add_request(_request(2))
    log.clear(requests=False)
    assert len(log.requests()) == 1 and log.violations() == []
    log.clear()
    assert log.requests() == [] and log.violations() == []


def test_no_request_is_lost_when_many_threads_record_at_once() -> None:
    log = RequestLog()

    def record(worker: int) -> None:
        for n in range(500):
            log.add_request(_request(worker * 1000 + n))

    threads = [threading.Thread(target=record, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = [r.path for r in log.requests()]
    assert len(paths) == len(set(paths)) == 4000


def test_a_recorded_request_reads_back_as_json_with_what_was_found_out_later() -> None:
    record = RecordedRequest(
        method="PUT", path="/rest/api/3/issue/SD-1", query={"notifyUsers": ["false"]}, json={"fields": {}}
    )
    record.status, record.user, record.operation, record.fault = 429, "557058:admin", "editIssue", 3
    as_dict = json.loads(json.dumps(record.to_dict()))
    assert as_dict == {
        "method": "PUT",
        "path": "/rest/api/3/issue/SD-1",
        "query": {"notifyUsers": ["false"]},
        "json": {"fields": {}},
        "status": 429,
        "user": "557058:admin",
        "operation": "editIssue",
        "fault": 3,
        "at": record.at,
        "duration": 0.0,
    }
    assert record.at > 1_700_000_000  # stamped with the wall clock when made
