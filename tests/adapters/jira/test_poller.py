"""Jira pull mode: JQL search gives the events the webhooks give, with the same ids; it pages, overlaps,
speaks the account's time zone, and uses the search Jira Cloud still has."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from adapters.base import Headers, InboundRequest, RoleRules
from adapters.events import EventKind
from adapters.jira.poller import JiraPoller
from adapters.jira.settings import JiraSiteSettings, writer
from adapters.jira.webhook import ADAPTER
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import client, default_openapi_spec, running_simulator
from simulators.testing import WebhookReceiver

CUSTOMER, AGENT = "casey@customer.example", "alex.agent@example.com"


def _site(url: str, **extra: Any) -> JiraSiteSettings:
    data: dict[str, Any] = {
        "platform": "jira",
        "url": url,
        "auth": {"email": "ela-connector@example.com", "api_token": "ela-admin-token"},
        "pull": {"enabled": True},
    }
    data.update(extra)
    return JiraSiteSettings.model_validate(data)


def _poller(site: JiraSiteSettings) -> JiraPoller:
    return JiraPoller(site, writer(site))


@pytest.fixture
def jira() -> Iterator[JiraSimulator]:
    with running_simulator(default_openapi_spec(), webhook_time_scale=0.01) as sim:
        yield sim
        assert [str(v) for v in sim.violations] == []


def test_the_search_gives_the_events_the_webhooks_give(jira: JiraSimulator) -> None:
    with WebhookReceiver() as hook:
        jira.register_webhook(hook.url, secret="s" * 20)
        key = jira.create_issue("SUP", "VPN drops", reporter=CUSTOMER)
        comment = jira.add_comment(key, "Still broken!", author=CUSTOMER)
        jira.add_comment(key, "Looking now.", author=AGENT, public=False)
        jira.transition(key, "In Progress", actor=AGENT)
        assert jira.wait_for_webhooks(10)
    pushed = {
        e.event_id: e
        for r in hook.received
        for e in ADAPTER.parse(InboundRequest(Headers(r.headers), r.body), "j", RoleRules()).events
    }
    page = _poller(_site(jira.base_url)).poll(None, site="j", rules=RoleRules())
    assert {e.event_id for e in page.events} == set(pushed)
    texts = {e.comment.id: (e.comment.text, e.comment.public) for e in page.events if e.comment}
    assert texts[comment] == ("Still broken!", True)
    assert page.events[0].kind is EventKind.created
    searches = [r for r in jira.requests if "search" in r.path]
    assert {r.path for r in searches} == {"/rest/api/3/search/jql"}
    assert searches[0].json["expand"] == "changelog"
    assert searches[0].json["jql"].startswith('updated >= "') and searches[0].json["jql"].endswith(
        " ORDER BY updated ASC"
    )


def test_an_edited_comment_has_the_id_its_webhook_has(jira: JiraSimulator) -> None:
    key = jira.create_issue("SUP", "VPN drops", reporter=CUSTOMER)
    comment_id = jira.add_comment(key, "Still broken!", author=AGENT)
    jira.advance_clock(5)
    with WebhookReceiver() as hook:
        jira.register_webhook(hook.url, events=["comment_updated"], secret="s" * 20)
        path = f"/rest/api/2/issue/{key}/comment/{comment_id}"
        edit = client(jira, "agent").put(path, json={"body": "Still broken!!"})
        assert edit.status_code == 200, edit.text
        assert jira.wait_for_webhooks(10)
    received = hook.received[0]
    [edited] = ADAPTER.parse(
        InboundRequest(Headers(received.headers), received.body), "j", RoleRules()
    ).events
    page = _poller(_site(jira.base_url)).poll(None, site="j", rules=RoleRules())
    assert edited.event_id in {e.event_id for e in page.events if e.kind is EventKind.comment_edited}


def test_polls_page_overlap_and_filter_by_project(jira: JiraSimulator) -> None:
    keys = [jira.create_issue("SUP", f"Printer {n}", reporter=CUSTOMER) for n in range(5)]
    jira.create_issue("DEV", "Build broken")
    stopped = _poller(_site(jira.base_url, pull={"enabled": True, "page_size": 2, "max_pages": 2})).poll(
        None, site="j", rules=RoleRules()
    )
    assert stopped.more and len(stopped.events) == 4
    poller = _poller(_site(jira.base_url, poll_projects=["SUP"]))
    first = poller.poll(None, site="j", rules=RoleRules())
    assert sorted(e.ticket.key for e in first.events) == sorted(keys)
    again = poller.poll(first.cursor, site="j", rules=RoleRules())
    assert {e.event_id for e in again.events} == {e.event_id for e in first.events}  # the overlap
    assert first.cursor is not None and datetime.fromisoformat(first.cursor).tzinfo is not None


@responses.activate
def test_jql_speaks_the_accounts_time_zone_and_data_center_pages_by_start() -> None:
    url = "https://jira.example.com"
    responses.get(f"{url}/rest/api/2/myself", json={"key": "ela", "timeZone": "Europe/Berlin"})
    responses.post(
        f"{url}/rest/api/2/search",
        json={
            "startAt": 0,
            "maxResults": 1,
            "total": 2,
            "issues": [
                {
                    "id": "1",
                    "key": "SD-1",
                    "fields": {
                        "created": "2026-01-01T10:00:00.000+0000",
                        "updated": "2026-01-01T10:00:00.000+0000",
                    },
                }
            ],
        },
    )
    responses.post(
        f"{url}/rest/api/2/search",
        json={
            "startAt": 1,
            "maxResults": 1,
            "total": 2,
            "issues": [
                {
                    "id": "2",
                    "key": "SD-2",
                    "fields": {
                        "created": "2026-01-01T11:00:00.000+0000",
                        "updated": "2026-01-01T11:30:00.000+0000",
                    },
                }
            ],
        },
    )
    site = _site(
        url,
        deployment="datacenter",
        api_version="2",
        auth={"personal_access_token": "pat-0123456789"},
        pull={"enabled": True, "page_size": 1, "overlap_seconds": 60},
    )
    poller = JiraPoller(site, writer(site), clock=lambda: datetime(2026, 1, 1, 9, 30, 45, tzinfo=UTC))
    page = poller.poll(None, site="dc", rules=RoleRules())
    bodies = [json.loads(c.request.body) for c in responses.calls if c.request.url.endswith("/search")]
    # 08:30:45 UTC, an hour back, is 09:30 in Berlin (floored to the minute, as JQL compares).
    assert bodies[0]["jql"] == 'updated >= "2026-01-01 09:30" ORDER BY updated ASC'
    assert [b.get("startAt", 0) for b in bodies] == [0, 1]
    assert [e.ticket.key for e in page.events] == ["SD-1", "SD-2"]
    assert page.cursor == "2026-01-01T11:30:00+00:00"
