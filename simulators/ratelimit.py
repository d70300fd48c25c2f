"""A token bucket, as platforms limit their REST APIs: `rate` requests per second on average, bursts
of up to `burst`; past that, 429 with Retry-After (the seconds until a request would be taken)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate: float, burst: float | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not math.isfinite(rate) or rate <= 0:
            raise ValueError("a rate limit needs a rate above 0")
        # Below one token the bucket could never hold a whole request: it would refuse everything while
        # telling every client to come back soon.
        if burst is not None and (not math.isfinite(burst) or burst < 1):
            raise ValueError("a rate limit's burst must be at least 1 request")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self.clock = clock
        self._tokens = self.burst
        self._at = clock()
        self._lock = threading.Lock()
        self.taken = 0
        self.refused = 0

    def take(self) -> float | None:
        """None when the request may go; else the seconds to wait (for Retry-After)."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            # The tolerance absorbs float rounding: a client that waited exactly the seconds it was told
            # refills to 0.9999999... tokens, and must not be refused a second time.
            if self._tokens >= 1 - 1e-9:
                self._tokens = max(0.0, self._tokens - 1)
                self.taken += 1
                return None
            self.refused += 1
            return (1 - self._tokens) / self.rate


def retry_after_header(wait: float) -> str:
    """Jira sends whole seconds; at least 1, so a client never retries at once."""
    return str(max(1, math.ceil(wait)))
