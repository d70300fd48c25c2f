"""Pacing of a site's calls: an even spacing of requests per second, per site and process, that halves
after a 429 and ramps back up as calls succeed.

A platform's rate limit is a budget over time (a cloud desk answers 429 with Retry-After once it is
spent). An outbox that bursts spends it at once, then waits out the penalty; one that spaces its
calls at the site's rate never pays it. The configured rate is the ceiling. A 429 says the budget is
smaller than that right now (other clients spend it too, or the limit was lowered): the rate halves,
down to a floor, and every call that lands adds back a twentieth of the ceiling, so a site recovers
its full rate within a few seconds of calls without bursting into the next 429 (additive increase,
multiplicative decrease, as TCP does). With several worker processes each paces on its own, so give
each its share of the site's limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# After a 429 the rate never drops below this share of the ceiling (or below MIN_RATE).
FLOOR_SHARE = 1 / 16
MIN_RATE = 0.2  # calls per second
RAMP_STEPS = 20  # calls that land to climb from the floor back to the ceiling, at most


class Pacer:
    def __init__(
        self,
        rate_for: Callable[[str], float],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate_for = rate_for
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._rate: dict[str, float] = {}  # sites slowed down by a 429, until they ramp back up
        self._lock = threading.Lock()

    def rate(self, site: str) -> float:
        """The site's current rate: its ceiling, or less after a 429."""
        ceiling = self.rate_for(site)
        with self._lock:
            return min(ceiling, self._rate.get(site, ceiling))

    def wait(self, site: str) -> float:
        """Block until the site's next call may go; returns the seconds waited."""
        interval = 1.0 / self.rate(site)
        with self._lock:
            now = self.clock()
            # A site that was idle does not bank its unused calls: no burst after a quiet spell.
            slot = max(now, self._next.get(site, now))
            self._next[site] = slot + interval
        wait = slot - now
        if wait > 0:
            self.sleep(wait)
        return wait

    def slow_down(self, site: str) -> float:
        """A 429: halve the site's rate (down to the floor). Returns the new rate."""
        ceiling = self.rate_for(site)
        floor = max(MIN_RATE, ceiling * FLOOR_SHARE)
        with self._lock:
            current = min(ceiling, self._rate.get(site, ceiling))
            self._rate[site] = rate = max(floor, current / 2)
        return rate

    def landed(self, site: str) -> None:
        """A call went through: ramp the site's rate back up toward its ceiling."""
        with self._lock:
            if site not in self._rate:
                return
            ceiling = self.rate_for(site)
            rate = self._rate[site] + ceiling / RAMP_STEPS
            if rate >= ceiling:
                del self._rate[site]
            else:
                self._rate[site] = rate
