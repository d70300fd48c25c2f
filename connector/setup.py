"""`ela setup`: the fields a site maps results to, found or created on its platform."""

from __future__ import annotations

from adapters.base import TicketWriter
from adapters.platform import SetupPlan, SetupResult
from adapters.settings import SiteSettings
from connector.platforms import platform_for
from connector.results import field_specs
from connector.settings import Settings


class SetupUnsupported(Exception):
    pass


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
