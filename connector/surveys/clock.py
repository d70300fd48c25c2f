"""The time the surveys room reads: injected, so that tests move it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from connector.store.models import utcnow

Clock = Callable[[], datetime]
SYSTEM_CLOCK: Clock = utcnow
