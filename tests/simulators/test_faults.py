"""simulators/faults.py: which injected failure applies to a request, how often, and what is refused.

How a simulator acts a rule out over HTTP (429 with Retry-After, latency, a dropped connection) is
tested with the Jira simulator in tests/simulators/jira/test_faults_control.py.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from simulators.faults import FaultSet


def test_a_rule_matches_on_method_and_a_path_search() -> None:
    faults = FaultSet()
    rule = faults.add(method="put", path=r"/issue/SD-\d+$", status=503, times=None)
    assert faults.take("PUT", "/rest/api/3/issue/SD-12") is rule
    assert faults.take("put", "/rest/api/2/issue/SD-7") is rule  # methods compare in any case
    assert faults.take("GET", "/rest/api/3/issue/SD-12") is None
    assert faults.take("PUT", "/rest/api/3/issue/SD-12/comment") is None
    assert rule.used == 2


def test_a_rule_without_method_or_path_matches_everything() -> None:
    faults = FaultSet()
    rule = faults.add(status=500, times=None)
    assert all(faults.take(m, p) is rule for m, p in [("GET", "/"), ("DELETE", "/x/y"), ("POST", "")])


def test_a_rule_is_used_its_number_of_times_then_lets_requests_through() -> None:
    faults = FaultSet()
    rule = faults.add(path="/myself", status=429, retry_after=2)  # once, by default
    assert faults.take("GET", "/myself") is rule
    assert faults.take("GET", "/myself") is None
    twice = faults.add(path="/myself", status=503, times=2)
    assert [faults.take("GET", "/myself") for _ in range(3)] == [twice, twice, None]
    listed = faults.list()
    assert [(r["id"], r["used"], r["times"]) for r in listed] == [(rule.id, 1, 1), (twice.id, 2, 2)]


def test_the_first_rule_with_uses_left_applies() -> None:
    faults = FaultSet()
    first = faults.add(path="/issue", status=429, times=1)
    forever = faults.add(path="/issue", status=503, times=None)
    later = faults.add(path="/issue", latency=1.0, times=None)
    assert [faults.take("GET", "/issue/1") for _ in range(3)] == [first, forever, forever]
    assert later.used == 0


def test_rules_are_removed_one_by_one_or_all_at_once() -> None:
    faults = FaultSet()
    one = faults.add(status=503, times=None)
    two = faults.add(latency=0.5, times=None)
    assert faults.remove(one.id) is True
    assert faults.remove(one.id) is False
    assert faults.take("GET", "/") is two
    three = faults.add(reset=True)
    assert three.id > two.id  # ids are never reused, so an old id cannot remove a new rule
    faults.clear()
    assert faults.list() == [] and faults.take("GET", "/") is None


def test_a_rule_describes_itself_as_the_control_api_lists_it() -> None:
    faults = FaultSet()
    rule = faults.add(method="get", path="/myself$", status=429, retry_after=1.5, times=3, body={"x": 1})
    assert faults.list() == [
        {
            "id": rule.id,
            "method": "GET",
            "path": "/myself$",
            "status": 429,
            "retry_after": 1.5,
            "latency": 0.0,
            "times": 3,
            "reset": False,
            "used": 0,
        }
    ]


def test_a_limited_rule_is_taken_exactly_its_times_across_threads() -> None:
    faults = FaultSet()
    rule = faults.add(status=503, times=100)
    taken: list[object] = []
    lock = threading.Lock()

    def serve() -> None:
        for _ in range(50):
            got = faults.take("GET", "/x")
            with lock:
                taken.append(got)

    threads = [threading.Thread(target=serve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(rule) == 100 == rule.used
    assert taken.count(None) == 300


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({}, "needs a status, a latency or reset=True"),
        ({"path": "/x"}, "needs a status, a latency or reset=True"),
        ({"status": 200}, "4xx or 5xx, not 200"),
        ({"status": 302}, "4xx or 5xx"),
        ({"status": 600}, "4xx or 5xx"),
        ({"status": "503"}, "4xx or 5xx, not '503'"),
        ({"status": True}, "4xx or 5xx"),
        ({"status": 503.0}, "4xx or 5xx"),
        ({"latency": -1}, "latency must be seconds, not negative"),
        ({"status": 503, "latency": -1}, "latency must be seconds"),
        ({"latency": "1"}, "latency must be seconds"),
        ({"latency": float("nan")}, "latency must be seconds"),
        ({"status": 429, "retry_after": "soon"}, "retry_after must be seconds"),
        ({"status": 429, "retry_after": -2}, "retry_after must be seconds"),
        ({"status": 503, "times": 0}, "times must be at least 1"),
        ({"status": 503, "times": "2"}, "times must be at least 1"),
        ({"status": 503, "times": 1.5}, "times must be at least 1"),
        ({"reset": "yes"}, "reset must be true or false"),
        ({"status": 503, "method": 5}, "method must be an HTTP method"),
        ({"status": 503, "path": "(unclosed"}, "path must be a regular expression: '(unclosed'"),
        ({"status": 503, "path": ["/x"]}, "path must be a regular expression"),
    ],
)
def test_a_bad_rule_is_refused_with_a_clear_error_and_nothing_added(
    options: dict[str, Any], refusal: str
) -> None:
    """The control API passes an admin's JSON straight in; a ValueError becomes its 400."""
    faults = FaultSet()
    with pytest.raises(ValueError) as caught:
        faults.add(**options)
    assert refusal in str(caught.value)
    assert faults.list() == []
    assert faults.add(status=503).id == 1  # a refusal used no id
