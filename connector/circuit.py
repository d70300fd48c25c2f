"""A per-site circuit breaker: a platform that fails call after call is down, not failing one ticket.

Backing off per action works for a ticket the platform refuses once; during an outage every action
would spend its attempts in parallel and be marked failed, so a long outage left tickets stale after the
platform came back. Counted here instead, per site: `failures` transient failures in a row (5xx,
timeouts, refused connections; any landed call resets the count) open the circuit, and the site is
paused (5 s, doubling up to `max_seconds`) without spending its actions' attempts. When the pause
ends, the next call is a probe: if it lands the circuit closes, if it fails the circuit opens again,
for twice as long. Per process, like the pacer; the pause itself is stored with the site, so every
worker process waits it out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FIRST_PAUSE_SECONDS = 5.0


@dataclass
class _SiteState:
    failures: int = 0  # transient failures in a row
    opened: int = 0  # times the circuit opened since the site last answered
    until: float = 0.0  # the clock's time the current pause ends


class Circuit:
    def __init__(
        self, failures: int, max_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.max_seconds = max_seconds
        self.clock = clock
        self._sites: dict[str, _SiteState] = {}
        self._lock = threading.Lock()

    def failed(self, site: str) -> float | None:
        """A transient failure. Returns how long the site is to pause when this one opens the
        circuit, else None (the action backs off and counts the attempt, as usual)."""
        with self._lock:
            state = self._sites.setdefault(site, _SiteState())
            state.failures += 1
            if state.failures < self.threshold:
                return None
            now = self.clock()
            if now < state.until:
                # Calls that were already under way when the circuit opened: the same pause, not
                # a longer one per call.
                return state.until - now
            pause = min(self.max_seconds, FIRST_PAUSE_SECONDS * 2.0**state.opened)
            state.opened += 1
            state.until = now + pause
            return pause

    def landed(self, site: str) -> None:
        """A call reached the platform and was answered: the site is up."""
        with self._lock:
            self._sites.pop(site, None)
