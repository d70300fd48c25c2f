"""`worker` and `writeback`: how stored work is taken, retried and written back."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from adapters.settings import Section


class WorkerSettings(Section):
    poll_seconds: float = Field(default=0.25, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    # Events processed in one transaction (one disk flush): more is faster, fewer holds SQLite's one
    # write lock (which webhooks also need) for less time.
    transaction_events: int = Field(default=20, ge=1, le=1000)
    lease_seconds: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class WritebackSettings(Section):
    flush_seconds: float = Field(default=0.25, gt=0)
    coalesce_seconds: float = Field(default=2.0, ge=0)
    # last_write: a ticket not written within the window is written at once, later values within the
    # window go out together at its end; first_value: every change waits for the window.
    coalesce_from: Literal["last_write", "first_value"] = "last_write"
    # Tickets whose actions one worker process sends at the same time (platform calls wait on the
    # network: one at a time, a 200 ms platform allows 5 calls a second).
    concurrency: int = Field(default=4, ge=1, le=64)
    # A site failing this many calls in a row (5xx, timeouts, refused connections) is paused, 5 s
    # then doubling up to `circuit_max_seconds`; its actions wait without spending their attempts.
    circuit_failures: int = Field(default=5, ge=1)
    circuit_max_seconds: float = Field(default=300.0, gt=0)
    max_attempts: int = Field(default=12, ge=1)
    backoff_initial_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    # Calls per second to each site, spread evenly instead of bursting into its rate limit (429);
    # per worker process. Override it for one site by name.
    requests_per_second: float = Field(default=10.0, gt=0)
    site_requests_per_second: dict[str, float] = Field(default_factory=dict)

    @field_validator("site_requests_per_second")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(site for site, rate in value.items() if rate <= 0)
        if bad:
            raise ValueError(f"rates must be above 0 (sites {', '.join(bad)})")
        return value

    def rate_for(self, site: str) -> float:
        return self.site_requests_per_second.get(site, self.requests_per_second)
