"""The flusher's pacing: a site's calls evenly spaced at its rate, no burst after a quiet spell; and the
Jira simulator's rate limit that it is measured against (429 with Retry-After, as Jira Cloud)."""

from __future__ import annotations

import threading
from itertools import pairwise

from connector.pacing import Pacer
from simulators.jira.testing import client, running_simulator
from simulators.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_calls_are_spaced_at_the_site_rate_and_sites_are_paced_apart() -> None:
    clock = Clock()
    rates = {"busy": 50.0, "other": 5.0}
    pacer = Pacer(rates.__getitem__, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(10):
        pacer.wait("busy")
        starts.append(clock.now)
    gaps = [round(b - a, 6) for a, b in pairwise(starts)]
    assert gaps == [0.02] * 9  # 50 a second, none early
    assert pacer.wait("other") == 0  # another site has its own budget
    clock.now += 60  # a quiet minute banks nothing: the next two calls are still 1/50 s apart
    assert pacer.wait("busy") == 0
    assert round(pacer.wait("busy"), 6) == 0.02


def test_the_simulator_answers_429_with_retry_after_past_its_rate() -> None:
    clock = Clock()
    with running_simulator() as sim:
        sim.site.rate_limit = TokenBucket(2.0, 2.0, clock=clock)
        admin = client(sim, "admin")
        statuses = [admin.get("/rest/api/3/myself") for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert statuses[2].headers["Retry-After"] == "1"
        assert statuses[2].json()["errorMessages"] == ["Rate limit exceeded."]
        clock.now += 0.5  # one request's worth of budget back
        assert admin.get("/rest/api/3/myself").status_code == 200
        assert admin.get("/rest/api/3/myself").status_code == 429
        assert sim.site.rate_limit.taken == 3 and sim.site.rate_limit.refused == 2
