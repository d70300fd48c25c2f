"""Jira Cloud, Jira Data Center and Jira Service Management.

webhook (dispatch of deliveries), auth, ticket, comment, changelog, roles: deliveries into TicketEvents,
no network. http, writer, fields, adf, setup: writing results back. settings: a site's YAML section.
"""

from adapters.jira.poller import poller
from adapters.jira.roles import author_role
from adapters.jira.settings import JiraSiteSettings, ticket_url, writer
from adapters.jira.setup import plan, setup
from adapters.jira.webhook import ADAPTER
from adapters.platform import Platform

PLATFORM: Platform[JiraSiteSettings] = Platform(
    name="jira",
    label="Jira",
    settings=JiraSiteSettings,
    adapter=ADAPTER,
    writer=writer,
    author_role=author_role,
    setup=setup,
    plan=plan,
    poller=poller,
    chatty_loggers=("atlassian",),  # atlassian-python-api logs bodies at DEBUG
    ticket_url=ticket_url,
)

__all__ = ["PLATFORM"]
