"""`worker` and `writeback`: how stored work is taken, retried and written back."""

from __future__ import annotations

from pydantic import Field, field_validator

from adapters.settings import Section


class WorkerSettings(Section):
    poll_seconds: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    lease_seconds: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class WritebackSettings(Section):
    flush_seconds: float = Field(default=1.0, gt=0)
    coalesce_seconds: float = Field(default=2.0, ge=0)
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
