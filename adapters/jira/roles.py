"""Who wrote a comment: the customer, an agent, or a machine.

Only customers' words are scored for mood, so this decides what the mood timeline hears. It is a pure
function of what the payload says and the site's RoleRules; nothing here asks Jira anything.

Customer groups (`RoleRules.customer_groups`) cannot be decided here: group membership is in no webhook
payload and needs a REST call per user. `author_role` ignores them; `needs_group_lookup` tells the caller
(the connector, which may talk to Jira) which comments must have their author's groups resolved before
the role is final.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.base import RoleRules
from adapters.events import AuthorRole, Comment, Person, Ticket

# Jira Cloud's accountType: "atlassian" (a licensed user), "app" (Automation for Jira, Connect and Forge
# apps), "customer" (a JSM portal-only customer account).
_APP = "app"
_CUSTOMER = "customer"


def author_role(author: Person | None, ticket: Ticket, rules: RoleRules) -> AuthorRole:
    """`system` for apps and configured machine accounts; `customer` for portal customers, the requester,
    request participants and anyone writing from a customer e-mail domain; `agent` otherwise.

    An author the payload does not name (anonymous, deleted user) counts as an agent: scoring an agent's
    words as a customer's mood is worse than missing one customer message.
    """
    if author is None:
        return AuthorRole.agent
    if author.account_type == _APP or _named_in(author, rules.system_accounts):
        return AuthorRole.system
    if author.account_type == _CUSTOMER:
        return AuthorRole.customer
    if _same_person(author, ticket.requester) or any(_same_person(author, p) for p in ticket.participants):
        return AuthorRole.customer
    if _in_domains(author.email, rules.customer_domains):
        return AuthorRole.customer
    return AuthorRole.agent


def needs_group_lookup(comment: Comment, rules: RoleRules) -> bool:
    """True when the site names customer groups and only a group lookup can still make this comment's
    author a customer (the payload alone said agent)."""
    return (
        bool(rules.customer_groups) and comment.author_role is AuthorRole.agent and comment.author is not None
    )


def _named_in(author: Person, names: Iterable[str]) -> bool:
    """System accounts are configured by account id (Cloud), user key (Data Center) or display name."""
    wanted = {name.casefold() for name in names}
    return any(value is not None and value.casefold() in wanted for value in (author.id, author.name))


def _same_person(a: Person, b: Person | None) -> bool:
    if b is None:
        return False
    if a.id is not None and b.id is not None:
        return a.id == b.id
    return a.email is not None and b.email is not None and a.email.casefold() == b.email.casefold()


def _in_domains(email: str | None, domains: Iterable[str]) -> bool:
    """`acme.com` also covers `mail.acme.com`: one company's mail often comes from several subdomains."""
    if email is None or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].casefold()
    for configured in domains:
        wanted = configured.lstrip("@").casefold()
        if wanted and (domain == wanted or domain.endswith("." + wanted)):
            return True
    return False
