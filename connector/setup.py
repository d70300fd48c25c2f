"""`ela setup`: the fields a site maps results to, found or created on its platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from adapters.base import TicketWriter
from adapters.errors import RateLimited, TransientWriteError, WriteError
from adapters.platform import SetupPlan, SetupResult
from adapters.settings import SiteSettings
from connector.platforms import platform_for
from connector.results import field_specs
from connector.settings import Settings

T = TypeVar("T")

# Setup finds before it creates, so after a 429, a 5xx or a timeout it is simply run again from the
# start: what was created before the failure is found, not created twice. Cloud sites answer an
# admin's burst of field and option requests with 429 and Retry-After like any other client's.
ATTEMPTS = 6
LONGEST_WAIT = 120.0  # seconds: a Retry-After beyond it is reported rather than waited out


class SetupUnsupported(Exception):
    pass


def patiently(
    step: Callable[[], T],
    *,
    waiting: Callable[[WriteError, float, int], None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`step()`, run again after a rate limit (waiting out its Retry-After) or a transient failure
    (1, 2, 4 ... s), at most ATTEMPTS times; `waiting(error, seconds, attempt)` is told of each wait."""
    for attempt in range(1, ATTEMPTS):
        try:
            return step()
        except (RateLimited, TransientWriteError) as exc:
            seconds = float(2 ** (attempt - 1))
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                if exc.retry_after > LONGEST_WAIT:
                    raise WriteError(
                        f"{exc.message}; it asks to wait {exc.retry_after:.0f} s: run `ela setup` again later"
                    ) from exc
                seconds = max(exc.retry_after, 0.0)
            waiting(exc, seconds, attempt)
            sleep(seconds)
    return step()  # the last attempt: what it raises is the answer


def setup_site(site: SiteSettings, settings: Settings, writer: TicketWriter | None = None) -> SetupResult:
    """Find or create every field the site maps a result to (idempotent: a second run creates nothing)."""
    platform = platform_for(site.platform)
    if platform.setup is None:
        raise SetupUnsupported(f"{platform.label} sites have no setup step: create their fields by hand")
    return platform.setup(site, field_specs(site, settings), writer or platform.writer(site))


def plan_site(site: SiteSettings, settings: Settings, writer: TicketWriter | None = None) -> SetupPlan:
    """What `setup_site` would create, changing nothing (`ela setup --dry-run`)."""
    platform = platform_for(site.platform)
    if platform.plan is None:
        raise SetupUnsupported(f"{platform.label} sites have no dry run of their setup")
    return platform.plan(site, field_specs(site, settings), writer or platform.writer(site))
