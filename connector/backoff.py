"""How long to wait before trying again: one rule for every kind of retried work."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol


class BackoffSettings(Protocol):
    @property
    def backoff_initial_seconds(self) -> float: ...

    @property
    def backoff_max_seconds(self) -> float: ...


def backoff_seconds(
    attempt: int, settings: BackoffSettings, rng: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with full jitter: spreads the retries of many tickets after an outage
    instead of sending them back in one wave."""
    ceiling = min(settings.backoff_max_seconds, settings.backoff_initial_seconds * math.pow(2, attempt - 1))
    return max(settings.backoff_initial_seconds / 2, ceiling * rng())
