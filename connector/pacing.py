"""Pacing of a site's calls: an even spacing of requests per second, per site and process.

A platform's rate limit is a budget over time (a cloud desk answers 429 with Retry-After once it is
spent). An outbox that bursts spends it at once, then waits out the penalty; one that spaces its
calls at the site's rate never pays it. Kept simple on purpose: one rate per site, no ramp-up after a
429 and no circuit breaker; with several worker processes each paces on its own, so give each its
share of the site's limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
        self._lock = threading.Lock()

    def wait(self, site: str) -> float:
        """Block until the site's next call may go; returns the seconds waited."""
        interval = 1.0 / self.rate_for(site)
        with self._lock:
            now = self.clock()
            # A site that was idle does not bank its unused calls: no burst after a quiet spell.
            slot = max(now, self._next.get(site, now))
            self._next[site] = slot + interval
        wait = slot - now
        if wait > 0:
            self.sleep(wait)
        return wait
