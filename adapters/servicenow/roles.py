"""Who wrote a journal entry: the customer, an agent, or a machine.

ServiceNow says who the ticket is for (caller, contact, opened for) and who works it (members of its
assignment group, anyone with a fulfiller role such as `itil`), but a journal entry names only its
author's user name. So whoever reads an entry (the business rule, which runs inside ServiceNow, or the
poller, which looks the user up once and keeps the answer) records what it learnt in the author's
`account_type`, and the rule below decides from that and the ticket alone, with no call to make:

- `system`: a machine (the `system` user of workflows and scheduled jobs, or a configured account);
- `agent`: holds one of the site's agent roles, or is a member of the ticket's assignment group;
- `end_user`: known to hold none of them and not in the group;
- absent: not known (the lookup failed or was not made).
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.base import RoleRules
from adapters.events import AuthorRole, Person, Ticket

SYSTEM, AGENT, END_USER = "system", "agent", "end_user"
# The user ServiceNow runs workflows, flows and scheduled jobs as.
BUILT_IN_SYSTEM_USERS = frozenset({"system"})


def account_type(
    user_name: str | None,
    *,
    roles: Iterable[str] | None,
    in_assignment_group: bool | None,
    agent_roles: Iterable[str],
    system_accounts: Iterable[str],
    sys_id: str | None = None,
) -> str | None:
    """What is known of an author, as the `account_type` their Person carries."""
    machines = {name.casefold() for name in system_accounts} | BUILT_IN_SYSTEM_USERS
    if any(v is not None and v.casefold() in machines for v in (user_name, sys_id)):
        return SYSTEM
    wanted = {role.casefold() for role in agent_roles}
    if in_assignment_group or (roles is not None and any(r.casefold() in wanted for r in roles)):
        return AGENT
    if roles is not None and in_assignment_group is not None:
        return END_USER
    return None


def author_role(author: Person | None, ticket: Ticket, rules: RoleRules) -> AuthorRole:
    """`system` for machines; `customer` for the caller, contact or opened-for (and the ticket's other
    customers), then `agent` for fulfillers, then `customer` for authors from a customer e-mail domain
    and for known end users; `agent` otherwise.

    The caller comes first: an agent who raised an incident for themselves is its customer. Fulfillers
    come before the e-mail domains: an internal service desk's agents write from the customers' domain.
    An author nothing is known of counts as an agent: scoring an agent's words as a customer's mood is
    worse than missing one customer message.
    """
    if author is None:
        return AuthorRole.agent
    machines = {name.casefold() for name in rules.system_accounts}
    if author.account_type == SYSTEM or any(
        v is not None and v.casefold() in machines for v in (author.id, author.name)
    ):
        return AuthorRole.system
    if any(_same(author, who) for who in (ticket.requester, *ticket.participants)):
        return AuthorRole.customer
    if author.account_type == AGENT:
        return AuthorRole.agent
    if _in_domains(author.email, rules.customer_domains) or author.account_type == END_USER:
        return AuthorRole.customer
    return AuthorRole.agent


def _same(a: Person, b: Person | None) -> bool:
    if b is None:
        return False
    if a.id is not None and b.id is not None:
        return a.id == b.id
    return a.email is not None and b.email is not None and a.email.casefold() == b.email.casefold()


def _in_domains(email: str | None, domains: Iterable[str]) -> bool:
    if email is None or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].casefold()
    return any(domain == d.casefold() or domain.endswith("." + d.casefold()) for d in domains if d)
