"""author_role: who wrote a comment, from the payload and the site's RoleRules alone."""

from __future__ import annotations

import pytest

from adapters.base import RoleRules
from adapters.events import AuthorRole, Comment, Person, Ticket
from adapters.jira.roles import author_role, needs_group_lookup

REQUESTER = Person(id="qm:1:dana", name="Dana Cruz", email="dana@globex.example", account_type="atlassian")
PARTICIPANT = Person(id="qm:1:sam", name="Sam Po", email="sam@globex.example", account_type="atlassian")
AGENT = Person(
    id="5b10ac8d82e05b22cc7d4ef5", name="Alex Agent", email="alex@acme.example", account_type="atlassian"
)
TICKET = Ticket(key="ITSD-42", requester=REQUESTER, participants=(PARTICIPANT,), assignee=AGENT)


def test_app_account_is_system_even_if_it_is_the_requester() -> None:
    bot = Person(id="557058:f58131cb", name="Automation for Jira", account_type="app")
    assert author_role(bot, Ticket(key="A-1", requester=bot), RoleRules()) is AuthorRole.system


@pytest.mark.parametrize("configured", ["5B10AC8D82E05B22CC7D4EF5", "alex agent"])
def test_configured_system_account_matches_id_or_name_ignoring_case(configured: str) -> None:
    assert author_role(AGENT, TICKET, RoleRules(system_accounts=frozenset({configured}))) is AuthorRole.system


def test_portal_customer_account_is_customer() -> None:
    stranger = Person(id="qm:9:x", account_type="customer")
    assert author_role(stranger, Ticket(key="A-1"), RoleRules()) is AuthorRole.customer


def test_requester_and_participants_are_customers() -> None:
    assert author_role(REQUESTER, TICKET, RoleRules()) is AuthorRole.customer
    assert author_role(PARTICIPANT, TICKET, RoleRules()) is AuthorRole.customer
    assert author_role(AGENT, TICKET, RoleRules()) is AuthorRole.agent


def test_without_ids_the_requester_is_matched_by_email() -> None:
    ticket = Ticket(key="A-1", requester=Person(email="Dana@Globex.example"))
    assert author_role(Person(email="dana@globex.example"), ticket, RoleRules()) is AuthorRole.customer
    assert author_role(Person(email="other@globex.example"), ticket, RoleRules()) is AuthorRole.agent


def test_different_ids_are_different_people_even_with_the_same_email() -> None:
    ticket = Ticket(key="A-1", requester=Person(id="a", email="shared@globex.example"))
    assert author_role(Person(id="b", email="shared@globex.example"), ticket, RoleRules()) is AuthorRole.agent


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("pat@globex.example", AuthorRole.customer),
        ("pat@mail.globex.example", AuthorRole.customer),
        ("pat@notglobex.example", AuthorRole.agent),
        ("pat@globex.example.evil", AuthorRole.agent),
        (None, AuthorRole.agent),
    ],
)
def test_customer_domains_cover_subdomains_only(email: str | None, role: AuthorRole) -> None:
    rules = RoleRules(customer_domains=frozenset({"@Globex.Example"}))
    assert author_role(Person(id="u1", email=email), Ticket(key="A-1"), rules) is role


def test_an_unknown_author_is_an_agent() -> None:
    assert (
        author_role(None, TICKET, RoleRules(customer_domains=frozenset({"globex.example"})))
        is AuthorRole.agent
    )


def test_group_lookup_is_needed_only_for_named_agents_when_groups_are_configured() -> None:
    def comment(author: Person | None, role: AuthorRole) -> Comment:
        return Comment(id="1", author=author, author_role=role, text="hi", public=True)

    groups = RoleRules(customer_groups=frozenset({"globex-customers"}))
    assert needs_group_lookup(comment(AGENT, AuthorRole.agent), groups)
    assert not needs_group_lookup(comment(AGENT, AuthorRole.agent), RoleRules())
    assert not needs_group_lookup(comment(REQUESTER, AuthorRole.customer), groups)
    assert not needs_group_lookup(comment(None, AuthorRole.agent), groups)
