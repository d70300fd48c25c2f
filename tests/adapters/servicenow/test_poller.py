"""Pull mode against the simulated instance: the same events as the business rule's deliveries, across
pages and overlapping polls, with the cursor moving only forward."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, RoleRules
from adapters.errors import PermanentWriteError
from adapters.events import AuthorRole, EventKind
from adapters.servicenow.poller import ServiceNowPoller
from adapters.servicenow.settings import writer
from adapters.servicenow.webhook import parse
from simulators.servicenow import ServiceNowSimulator
from simulators.testing import WebhookReceiver
from tests.adapters.servicenow.conftest import SECRET, site_settings


def _poller(sim: ServiceNowSimulator, **pull: Any) -> ServiceNowPoller:
    site = site_settings(sim.base_url, pull={"enabled": True, **pull})
    return ServiceNowPoller(site, writer(site))


def _story(sim: ServiceNowSimulator) -> str:
    key = sim.create_incident("VPN drops", caller="casey.customer", comment="It is broken again!")
    sim.add_comment(key, "On it.", author="alex.agent")
    sim.add_comment(key, "I will look too.", author="sam.support")
    sim.update(key, {"state": "2", "work_notes": "Gateway logs pulled."}, actor="alex.agent")
    sim.assign(key, "alex.agent", actor="alex.agent")
    return key


def test_pull_gives_the_events_push_gives(sim: ServiceNowSimulator) -> None:
    with WebhookReceiver() as hook:
        sim.install_business_rule(hook.url, SECRET)
        _story(sim)
        assert sim.wait_for_webhooks(10)
    pushed = {
        event.event_id: event
        for received in hook.received
        for event in parse(
            InboundRequest(Headers(received.headers), received.body), "prod", RoleRules()
        ).events
    }
    page = _poller(sim).poll(None, site="prod", rules=RoleRules())
    pulled = {event.event_id: event for event in page.events}
    assert set(pulled) == set(pushed)
    for event_id, event in pulled.items():
        twin = pushed[event_id]
        assert (event.kind, event.occurred_at, event.ticket.key) == (
            twin.kind,
            twin.occurred_at,
            twin.ticket.key,
        )
        if event.comment is not None:
            assert twin.comment is not None
            assert (event.comment.text, event.comment.public, event.comment.author_role) == (
                twin.comment.text,
                twin.comment.public,
                twin.comment.author_role,
            )
    roles = {e.comment.text: e.comment.author_role for e in page.events if e.comment}
    assert roles == {
        "It is broken again!": AuthorRole.customer,
        "On it.": AuthorRole.agent,
        "I will look too.": AuthorRole.agent,  # a member of the assignment group, without a role
        "Gateway logs pulled.": AuthorRole.agent,
    }
    kinds = [e.kind for e in page.events]
    assert kinds[0] is EventKind.created and EventKind.transitioned in kinds and EventKind.updated in kinds


def test_the_next_poll_overlaps_and_finds_only_what_is_new(sim: ServiceNowSimulator) -> None:
    poller = _poller(sim, overlap_seconds=120)
    key = _story(sim)
    first = poller.poll(None, site="prod", rules=RoleRules())
    again = poller.poll(first.cursor, site="prod", rules=RoleRules())
    assert {e.event_id for e in again.events} == {e.event_id for e in first.events}  # the overlap, no more
    sim.advance_clock(600)
    sim.add_comment(key, "Works now, thanks!", author="casey.customer")
    later = poller.poll(again.cursor, site="prod", rules=RoleRules())
    assert {e.event_id for e in later.events} - {e.event_id for e in first.events} == {
        e.event_id for e in later.events if e.comment and e.comment.text == "Works now, thanks!"
    }
    marks, next_marks = json.loads(first.cursor or "{}"), json.loads(later.cursor or "{}")
    assert all(next_marks[s] >= marks[s] for s in marks) and next_marks["journal"] > marks["journal"]
    # The journal's mark moved past the overlap: its older entries are not read again.
    final = poller.poll(later.cursor, site="prod", rules=RoleRules())
    assert [e.comment.text for e in final.events if e.comment] == ["Works now, thanks!"]


def test_a_poll_pages_through_the_link_header_and_stops_at_its_limit(sim: ServiceNowSimulator) -> None:
    for n in range(7):
        sim.create_incident(f"Printer {n}", caller="casey.customer")
    stopped = _poller(sim, page_size=2, max_pages=2).poll(None, site="prod", rules=RoleRules())
    assert stopped.more and len([e for e in stopped.events if e.kind is EventKind.created]) == 4
    whole = _poller(sim, page_size=2, max_pages=10).poll(None, site="prod", rules=RoleRules())
    assert not whole.more and len(whole.events) == 7
    pages = [r for r in sim.requests if r.path == "/api/now/table/incident" and "sysparm_offset" in r.query]
    assert sorted(int(r.query["sysparm_offset"][0]) for r in pages)[:3] == [2, 2, 4]  # followed from Link


def test_without_read_access_to_the_audit_the_poll_fails_saying_so(sim: ServiceNowSimulator) -> None:
    sim.instance.add_user(
        "ela.plain", "Plain", "plain@example.com", roles=("itil",), password="plain-password"
    )
    site = site_settings(
        sim.base_url, auth={"user": "ela.plain", "password": "plain-password"}, tables=["incident"]
    )
    with pytest.raises(PermanentWriteError, match="sys_audit: give the connector's user read access"):
        ServiceNowPoller(site, writer(site)).poll(None, site="prod", rules=RoleRules())


def test_a_deleted_record_leaves_its_entries_out(sim: ServiceNowSimulator) -> None:
    key = _story(sim)
    sim.delete(key, actor="alex.agent")
    # Pull mode cannot see deletions (only the business rule reports them): a record gone is not found.
    assert _poller(sim).poll(None, site="prod", rules=RoleRules()).events == ()


def test_an_author_whose_name_no_query_can_hold_does_not_stop_the_poll(sim: ServiceNowSimulator) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer")
    sim.instance.add_user("odd^name", "Odd Name", "odd@example.com", roles=("itil",), password="odd-password")
    sim.add_comment(key, "Looking into it.", author="odd^name")
    page = _poller(sim).poll(None, site="prod", rules=RoleRules())
    [comment] = [e.comment for e in page.events if e.comment is not None]
    # Not looked up (a ^ would end the condition): an author nothing could be learnt of is an agent.
    assert (comment.text, comment.author_role) == ("Looking into it.", AuthorRole.agent)
    assert not any("odd" in q for r in sim.requests for q in r.query.get("sysparm_query", []))
