"""Who wrote a journal entry, from the ticket and what is known of the author alone."""

from __future__ import annotations

import pytest

from adapters.base import RoleRules
from adapters.events import AuthorRole, Person, Ticket
from adapters.servicenow.roles import account_type, author_role

CALLER = Person(id="caller-1", name="Casey")
TICKET = Ticket(key="INC0010001", requester=CALLER, participants=(Person(id="opened-for-1"),))
RULES = RoleRules(
    customer_domains=frozenset({"customer.example"}), system_accounts=frozenset({"integration.bot"})
)


@pytest.mark.parametrize(
    ("author", "role"),
    [
        (None, AuthorRole.agent),
        (Person(id="caller-1", account_type="agent"), AuthorRole.customer),  # an agent raising their own
        (Person(id="opened-for-1"), AuthorRole.customer),
        (Person(id="x", account_type="agent"), AuthorRole.agent),
        (Person(id="x", account_type="agent", email="a@customer.example"), AuthorRole.agent),
        (Person(id="x", email="someone@mail.customer.example"), AuthorRole.customer),
        (Person(id="x", account_type="end_user"), AuthorRole.customer),
        (Person(id="x"), AuthorRole.agent),  # nothing known: not scored
        (Person(id="x", account_type="system"), AuthorRole.system),
        (Person(id="x", name="integration.bot", account_type="agent"), AuthorRole.system),
    ],
)
def test_author_roles(author: Person | None, role: AuthorRole) -> None:
    assert author_role(author, TICKET, RULES) is role


def test_what_is_known_of_an_author() -> None:
    def kind(user: str, roles: list[str] | None, in_group: bool | None) -> str | None:
        return account_type(
            user, roles=roles, in_assignment_group=in_group, agent_roles=["itil"], system_accounts=["bot"]
        )

    assert kind("alex", ["ITIL"], False) == "agent"
    assert kind("sam", [], True) == "agent"
    assert kind("casey", [], False) == "end_user"
    assert kind("casey", None, None) is None
    assert kind("casey", [], None) is None  # roles known, membership not: not enough to say
    assert kind("bot", ["itil"], True) == "system"
    assert kind("system", [], False) == "system"
