"""The one place that knows which adapter and which writer serve each platform.

Adding a platform = an adapter module, a writer, and an entry in each table below.
"""

from __future__ import annotations

import importlib
import threading

from adapters.base import Adapter, RoleRules, TicketWriter
from adapters.events import AuthorRole, Person, Ticket
from connector.settings import JiraSiteSettings, Settings

_ADAPTER_MODULES = {"jira": "adapters.jira"}


def adapter_for(platform: str) -> Adapter:
    module = _ADAPTER_MODULES.get(platform)
    if module is None:
        raise KeyError(f"no adapter for platform {platform!r}")
    adapter: Adapter = importlib.import_module(module).ADAPTER
    return adapter


def author_role(platform: str, author: Person | None, ticket: Ticket, rules: RoleRules) -> AuthorRole:
    """The platform's own rule for who wrote a comment, applied to what the store knows of the ticket."""
    if platform == "jira":
        from adapters.jira_roles import author_role as jira_author_role

        return jira_author_role(author, ticket, rules)
    raise KeyError(f"no author rule for platform {platform!r}")


def jira_writer(site: JiraSiteSettings) -> TicketWriter:
    from adapters.jira_writer import JiraTarget, JiraWriter

    target = JiraTarget(
        url=str(site.url).rstrip("/"),
        email=site.auth.email,
        api_token=site.auth.api_token.get_secret_value() if site.auth.api_token else None,
        personal_access_token=(
            site.auth.personal_access_token.get_secret_value() if site.auth.personal_access_token else None
        ),
        deployment=site.deployment,
        api_version=site.api_version,
        fields=site.fields.mapped(),
        service_desk=site.service_desk,
    )
    return JiraWriter(target)


class Writers:
    """One writer per site, built on first use (a writer caches the site's field ids)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._writers: dict[str, TicketWriter] = {}
        self._lock = threading.Lock()

    def __call__(self, site_name: str) -> TicketWriter | None:
        with self._lock:
            writer = self._writers.get(site_name)
            if writer is None:
                site = self.settings.sites.get(site_name)
                if site is None:
                    return None
                writer = jira_writer(site)
                self._writers[site_name] = writer
            return writer
