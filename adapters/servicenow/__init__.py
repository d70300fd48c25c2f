"""ServiceNow: incidents and Customer Service Management cases.

webhook (dispatch of the business rule's deliveries), auth, record, journal, roles, builder: deliveries
into TicketEvents, no network. http, writer, setup, poller: the Table API. settings: a site's YAML
section. business_rule.js: what an admin installs on the instance so it pushes its changes.
"""

from adapters.platform import Platform
from adapters.servicenow.poller import poller
from adapters.servicenow.roles import author_role
from adapters.servicenow.settings import ServiceNowSiteSettings, writer
from adapters.servicenow.setup import plan, setup
from adapters.servicenow.webhook import ADAPTER

PLATFORM: Platform[ServiceNowSiteSettings] = Platform(
    name="servicenow",
    label="ServiceNow",
    settings=ServiceNowSiteSettings,
    adapter=ADAPTER,
    writer=writer,
    author_role=author_role,
    setup=setup,
    plan=plan,
    poller=poller,
)

__all__ = ["PLATFORM"]
