"""Parsing rules beyond the fixtures: rejections, ignored events, idempotency keys, and edge cases made
by changing one field of a deep-copied real payload."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, ParseResult, RoleRules
from adapters.errors import PayloadRejected
from adapters.events import AuthorRole, EventKind, FieldChange
from adapters.jira.webhook import ADAPTER, HANDLERS, IGNORED_EVENTS, SUPPORTED_EVENTS

OWN = Path(__file__).parent / "fixtures" / "payloads"
DELIVERY = "X-Atlassian-Webhook-Identifier"


def _parse(
    payload: dict[str, Any] | bytes,
    rules: RoleRules | None = None,
    headers: dict[str, str] | None = None,
    site: str = "acme",
) -> ParseResult:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = InboundRequest(
        headers=Headers(headers if headers is not None else {DELIVERY: "d-1"}), body=body
    )
    return ADAPTER.parse(request, site, rules or RoleRules())


def _rejected(payload: dict[str, Any] | bytes) -> str:
    with pytest.raises(PayloadRejected) as caught:
        _parse(payload)
    assert caught.value.status == 400
    return caught.value.reason


@pytest.fixture
def real(shared_data: Path) -> Any:
    """A fresh copy of a shared real payload, by file name without ".json"."""

    def load(name: str) -> dict[str, Any]:
        return copy.deepcopy(json.loads((shared_data / "jira-webhooks" / f"{name}.json").read_bytes()))

    return load


# --- bodies that are not Jira webhooks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "malformed JSON: Expecting value: line 1 column 1 (char 0)"),
        (
            b'{"webhookEvent": "comment_created",',
            "malformed JSON: Expecting property name enclosed in double quotes: line 1 column 36 (char 35)",
        ),
        (b'{"timestamp": 1}\n{"x"', "malformed JSON: Extra data: line 2 column 1 (char 17)"),
        (b'{"timestamp": NaN}', "malformed JSON: NaN is not valid JSON"),
        (b'{"a": "\xc3\x28"}', "malformed JSON: the body is not UTF-8 text"),
        (
            '{"webhookEvent": "comment_created"}'.encode("utf-16"),
            "malformed JSON: the body is not UTF-8 text",
        ),
        (b"[" * 100_000, "malformed JSON: nested too deeply"),
    ],
    ids=["empty", "truncated", "two-documents", "nan", "bad-utf8", "utf16", "deep"],
)
def test_malformed_json_is_rejected_with_the_decoder_position(body: bytes, reason: str) -> None:
    assert _rejected(body) == reason


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"[]", "array"),
        (b'"jira:issue_created"', "string"),
        (b"42", "number"),
        (b"null", "null"),
        (b"true", "boolean"),
    ],
)
def test_json_that_is_not_an_object_is_rejected(body: bytes, kind: str) -> None:
    assert _rejected(body) == f"not a Jira webhook: the body is a JSON {kind}, not an object"


@pytest.mark.parametrize(
    "payload", [{}, {"webhookEvent": 7}, {"webhookEvent": ""}, {"event": "jira:issue_created"}]
)
def test_missing_webhook_event_is_rejected(payload: dict[str, Any]) -> None:
    assert _rejected(payload) == "not a Jira webhook: no 'webhookEvent' string"


def test_unknown_event_without_a_jira_timestamp_is_rejected() -> None:
    reason = _rejected({"webhookEvent": "push", "ref": "refs/heads/main"})
    assert reason == "not a Jira webhook: unknown webhookEvent 'push' and no 'timestamp'"


def test_handled_event_without_issue_is_rejected(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-created")
    del payload["issue"]
    assert _rejected(payload) == "jira:issue_created without an 'issue'"


def test_handled_event_without_issue_key_is_rejected(real: Any) -> None:
    payload = real("zulip__issue_updated__status")
    del payload["issue"]["key"]
    assert _rejected(payload) == "jira:issue_updated: the issue has no 'key'"


@pytest.mark.parametrize("key", ["../../rest/api/2/myself", "TEST 1", "TEST-", "-1", "TEST-1/comment"])
def test_issue_key_that_is_not_a_jira_key_is_rejected(real: Any, key: str) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-deleted")
    payload["issue"]["key"] = key
    assert _rejected(payload) == f"jira:issue_deleted: issue key {key!r} is not a Jira issue key"


def test_issue_that_is_not_an_object_is_rejected(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-deleted")
    payload["issue"] = "IDT-19"
    assert _rejected(payload) == "jira:issue_deleted: 'issue' is not an object"


def test_issue_fields_that_are_not_an_object_are_rejected(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-deleted")
    payload["issue"]["fields"] = ["summary"]
    assert _rejected(payload) == "jira:issue_deleted: issue 'fields' is not an object"


def test_comment_event_without_comment_is_rejected(real: Any) -> None:
    payload = real("zulip__comment_created")
    del payload["comment"]
    assert _rejected(payload) == "comment_created without a 'comment' object"


def test_cloud_comment_event_without_issue_is_rejected(real: Any) -> None:
    # Only Jira Server's shape (comment self link under /rest/api/2/issue/<id>/comment/) is a known
    # issue-less comment event; without that link, a missing issue means the body is not Jira's.
    payload = real("zulip__comment_created")
    del payload["issue"]
    payload["comment"]["self"] = "https://example.com/hook"
    assert _rejected(payload) == "comment_created without an 'issue'"


def test_comment_without_numeric_id_is_rejected(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["id"] = "10000; DROP TABLE"
    assert _rejected(payload) == "comment has no numeric 'id'"


def test_comment_body_of_unknown_shape_is_rejected(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["body"] = ["Leaving a comment here!"]
    assert _rejected(payload) == "comment.body is neither a string nor an ADF document"


def test_event_with_no_time_at_all_is_rejected(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-deleted")
    del payload["timestamp"]
    del payload["issue"]["fields"]["updated"]
    assert _rejected(payload) == "jira:issue_deleted: no 'timestamp' and no comment or issue time"


# --- real events we do not use -------------------------------------------------------------------------

# The groups of real Jira events the connector has no use for, one of each at least.
_NOT_USED = [
    "worklog_created", "worklog_updated", "worklog_deleted", "jira:worklog_updated",
    "issuelink_created", "issuelink_deleted", "project_created", "project_updated", "project_deleted",
    "sprint_started", "sprint_closed", "board_created", "board_configuration_changed",
    "jira:version_released", "jira:version_created", "user_created", "user_deleted",
    "attachment_created", "attachment_deleted", "option_voting_changed", "option_timetracking_changed",
    "issue_property_set", "filter_created", "issuetype_updated",
]  # fmt: skip


@pytest.mark.parametrize("name", _NOT_USED)
def test_real_event_we_do_not_use_is_ignored_with_a_reason(name: str) -> None:
    result = _parse({"timestamp": 1559607317234, "webhookEvent": name, "worklog": {"id": "10100"}})
    assert result == ParseResult(
        webhook_event=name, ignored_reason=f"{name}: a Jira event the connector does not use"
    )


def test_unknown_event_with_a_jira_timestamp_counts_as_real_but_unhandled() -> None:
    result = _parse(
        {"timestamp": 1724179662935, "webhookEvent": "jira:issue_archived", "issue": {"key": "X-1"}}
    )
    assert result == ParseResult(
        webhook_event="jira:issue_archived",
        ignored_reason="jira:issue_archived: a Jira event with no handler",
    )


def test_supported_events_come_from_the_dispatch_table_and_none_is_also_ignored() -> None:
    assert SUPPORTED_EVENTS == set(HANDLERS) == {
        "jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
        "comment_created", "comment_updated", "comment_deleted",
    }  # fmt: skip
    assert not SUPPORTED_EVENTS & IGNORED_EVENTS


# --- idempotency -------------------------------------------------------------------------------------------


def _own(name: str) -> bytes:
    return (OWN / name).read_bytes()


def _epoch_ms(jira_time: str) -> int:
    return int(datetime.strptime(jira_time, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def test_same_bytes_and_identifier_give_the_same_event_ids() -> None:
    body = _own("jsm-datacenter-resolved-with-internal-comment.json")
    first = _parse(body, headers={DELIVERY: "5d3e8a2c-0b1f-4a7e-9c6d-2f8e1a9b7c40"})
    retry = _parse(
        body, headers={DELIVERY: "5d3e8a2c-0b1f-4a7e-9c6d-2f8e1a9b7c40", "X-Atlassian-Webhook-Retry": "2"}
    )
    ids = [event.event_id for event in first.events]
    assert ids == [event.event_id for event in retry.events]
    assert retry.retry_count == 2 and first.retry_count == 0
    version = _epoch_ms(json.loads(body)["comment"]["created"])
    # Keyed by what changed: the changelog history, and the comment as it was added.
    assert ids == [
        "jira:acme:history:88412:transitioned",
        "jira:acme:history:88412:updated",
        f"jira:acme:comment:60233:commented:{version}",
    ]


def test_the_same_change_under_another_delivery_id_keeps_its_event_ids() -> None:
    # A second webhook subscription, or a poll, sees the same change under another delivery.
    body = _own("jsm-datacenter-resolved-with-internal-comment.json")
    first = _parse(body, headers={DELIVERY: "d-1"})
    other = _parse(body, headers={DELIVERY: "d-2"})
    assert first.delivery_key != other.delivery_key
    assert [e.event_id for e in first.events] == [e.event_id for e in other.events]
    created = _own("jsm-cloud-request-created-by-customer.json")
    assert _parse(created, headers={DELIVERY: "a"}).events[0].event_id == "jira:acme:issue:10042:created"
    assert _parse(created, headers={DELIVERY: "b"}).events[0].event_id == "jira:acme:issue:10042:created"


def _without_issue_id(name: str) -> bytes:
    payload = json.loads(_own(name))
    del payload["issue"]["id"]
    return json.dumps(payload).encode()


def test_without_identifier_the_delivery_key_is_the_body_hash() -> None:
    # Only a delivery with nothing that names the change (here: an issue without its id) is keyed by it.
    body = _without_issue_id("jsm-cloud-request-created-by-customer.json")
    digest = hashlib.sha256(body).hexdigest()
    first, again = _parse(body, headers={}), _parse(body, headers={})
    assert first.delivery_key == f"sha256-{digest}"
    assert [event.event_id for event in first.events] == [f"jira:acme:sha256-{digest}:created"]
    assert [event.event_id for event in again.events] == [event.event_id for event in first.events]
    reformatted = _parse(body + b"\n", headers={})
    assert reformatted.events[0].event_id != first.events[0].event_id


@pytest.mark.parametrize("identifier", ["", "   ", "has space", "x" * 129, "tab\there"])
def test_an_unusable_identifier_falls_back_to_the_body_hash(identifier: str) -> None:
    body = _without_issue_id("jsm-cloud-request-created-by-customer.json")
    result = _parse(body, headers={DELIVERY: identifier})
    assert result.events[0].event_id == f"jira:acme:sha256-{hashlib.sha256(body).hexdigest()}:created"


def test_a_comment_delivered_twice_under_two_events_has_one_id(real: Any) -> None:
    # A site subscribed to both "Issue updated" and "Comment created" gets each new comment twice.
    created = real("mattermost-plugin-jira__webhook-cloud-comment-created")
    as_update = {
        "timestamp": created["timestamp"],
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_commented",
        "user": created["comment"]["author"],
        "issue": created["issue"],
        "comment": created["comment"],
    }
    [one] = _parse(created, headers={DELIVERY: "d-1"}).events
    [two] = _parse(as_update, headers={DELIVERY: "d-2"}).events
    assert one.kind is two.kind is EventKind.commented
    assert one.event_id == two.event_id
    edited = copy.deepcopy(created)
    edited["webhookEvent"] = "comment_updated"
    edited["comment"]["updated"] = "2030-01-01T00:00:00.000+0000"
    [three] = _parse(edited, headers={DELIVERY: "d-3"}).events
    assert three.event_id != one.event_id  # a new version of the comment is a new event


def test_the_same_delivery_to_two_sites_gives_different_ids() -> None:
    body = _own("jsm-cloud-customer-comment.json")
    assert _parse(body, site="eu").events[0].event_id != _parse(body, site="us").events[0].event_id


# --- one-field variants of real payloads ---------------------------------------------------------------


def _only_comment(result: ParseResult) -> Any:
    [event] = result.events
    assert event.comment is not None
    return event.comment


def test_jsd_public_false_makes_the_comment_internal(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["jsdPublic"] = False
    assert _only_comment(_parse(payload)).public is False


def test_visibility_restriction_makes_the_comment_internal_even_with_jsd_public(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["visibility"] = {
        "type": "role",
        "value": "Administrators",
        "identifier": "Administrators",
    }
    assert payload["comment"]["jsdPublic"] is True
    assert _only_comment(_parse(payload)).public is False


def test_data_center_internal_note_property_makes_the_comment_internal(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-server-issue-updated-commented-1")
    payload["comment"]["properties"] = [{"key": "sd.public.comment", "value": {"internal": True}}]
    assert _only_comment(_parse(payload)).public is False


def test_app_author_is_system(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["author"]["accountType"] = "app"
    assert _only_comment(_parse(payload)).author_role is AuthorRole.system


def test_configured_system_account_is_system(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-server-issue-updated-commented-1")
    rules = RoleRules(system_accounts=frozenset({"LEVBROUK"}))
    assert _only_comment(_parse(payload, rules)).author_role is AuthorRole.system


def test_customer_account_type_is_customer(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["author"]["accountType"] = "customer"
    assert _only_comment(_parse(payload)).author_role is AuthorRole.customer


def test_customer_domain_makes_the_author_a_customer(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-server-issue-updated-commented-1")
    assert _only_comment(_parse(payload)).author_role is AuthorRole.agent
    rules = RoleRules(customer_domains=frozenset({"@MatterMost.com"}))
    assert _only_comment(_parse(payload, rules)).author_role is AuthorRole.customer


def test_request_participant_is_a_customer(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-server-issue-updated-commented-1")
    payload["issue"]["fields"]["customfield_10500"] = [payload["comment"]["author"]]
    rules = RoleRules(request_participants_field="customfield_10500")
    assert _only_comment(_parse(payload)).author_role is AuthorRole.agent
    assert _only_comment(_parse(payload, rules)).author_role is AuthorRole.customer


def test_adf_body_in_a_real_payload_becomes_text(real: Any) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["body"] = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Leaving a comment here! :)"}]}
        ],
    }
    assert _only_comment(_parse(payload)).text == "Leaving a comment here! :)"


def test_without_timestamp_occurred_at_is_the_comment_time(real: Any) -> None:
    payload = real("zulip__comment_created")
    del payload["timestamp"]
    [event] = _parse(payload).events
    assert event.occurred_at == datetime(
        2019, 1, 7, 16, 55, 51, 184000, tzinfo=timezone(-timedelta(hours=3, minutes=30))
    )
    assert event.occurred_at.utcoffset() == -timedelta(hours=3, minutes=30)


def test_a_timestamp_of_the_wrong_type_is_not_trusted(real: Any) -> None:
    payload = real("zulip__issue_updated__status")
    payload["timestamp"] = "1485797534721"
    [event] = _parse(payload).events
    assert event.occurred_at == datetime(2017, 1, 30, 17, 32, 14, 716000, tzinfo=UTC)


def test_the_timestamp_wins_over_comment_and_issue_times(real: Any) -> None:
    [event] = _parse(real("zulip__comment_created")).events
    assert event.occurred_at == datetime(2019, 1, 7, 20, 25, 51, 184000, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)


def test_a_transition_and_a_comment_in_one_update_are_two_events(real: Any) -> None:
    payload = real("zulip__issue_updated__status")
    payload["comment"] = real("zulip__comment_created")["comment"]
    result = _parse(payload)
    assert [event.kind for event in result.events] == [EventKind.transitioned, EventKind.commented]
    version = _epoch_ms(payload["comment"]["created"])
    assert [event.event_id for event in result.events] == [
        f"jira:acme:history:{payload['changelog']['id']}:transitioned",
        f"jira:acme:comment:10000:commented:{version}",
    ]


def test_comment_deleted_update_that_carries_the_comment_is_a_deletion(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-server-issue-updated-comment-edited")
    payload["issue_event_type_name"] = "issue_comment_deleted"
    [event] = _parse(payload).events
    assert event.kind is EventKind.comment_deleted
    assert event.comment is not None and event.comment.id == "10084"


def test_a_custom_field_called_priority_is_not_the_priority(real: Any) -> None:
    payload = real("mattermost-plugin-jira__webhook-issue-updated-lowered-priority")
    payload["changelog"]["items"][0].update(fieldtype="custom", fieldId="customfield_10090")
    assert _parse(payload).ignored_reason == "only untracked fields changed: priority"


def test_tracked_and_untracked_changes_keep_only_the_tracked(real: Any) -> None:
    [event] = _parse(real("mattermost-plugin-jira__webhook-issue-updated-multiple-values")).events
    assert event.changes == (FieldChange(field="assignee", from_value=None, to_value="Test User"),)


def test_an_unknown_status_category_reads_as_none(real: Any) -> None:
    payload = real("zulip__issue_updated__status")
    payload["issue"]["fields"]["status"]["statusCategory"]["key"] = "undefined"
    [event] = _parse(payload).events
    assert event.ticket.status_category is None
    assert event.transition is not None and event.transition.to_category is None


def test_a_status_item_from_a_status_to_itself_is_no_transition(real: Any) -> None:
    payload = real("zulip__issue_updated__status")
    [item] = [i for i in payload["changelog"]["items"] if i["field"] == "status"]
    item.update(toString=item["fromString"], to=item["from"])
    assert _parse(payload).events == ()
    # Without ids, the names decide.
    item.pop("from"), item.pop("to")
    assert _parse(payload).events == ()
    item["toString"] = "Done"
    [event] = _parse(payload).events
    assert event.kind is EventKind.transitioned and event.transition is not None
    assert event.transition.to_status == "Done"


def test_jira_cloud_s_escaped_markup_reads_as_typed(shared_data: Path) -> None:
    # The real payload: Jira Cloud sent "This is a very important issue\! I\u2019m on it\!".
    body = (shared_data / "jira-webhooks" / "zulip" / "comment_updated.json").read_bytes()
    [event] = _parse(body).events
    assert event.comment is not None
    assert event.comment.text == "This is a very important issue! I\u2019m on it!"


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (r"2 \* 3 is not bold", "2 * 3 is not bold"),
        (r"see \[this\] and \{that\}", "see [this] and {that}"),
        (r"\-not struck\- \#1 a\|b", "-not struck- #1 a|b"),
        (r"a \\ backslash", "a \\ backslash"),
        ("*bold* still loses its markup", "bold still loses its markup"),
    ],
)
def test_each_escaped_markup_character_is_kept_as_the_character(real: Any, body: str, text: str) -> None:
    payload = real("zulip__comment_created")
    payload["comment"]["body"] = body
    [event] = _parse(payload).events
    assert event.comment is not None and event.comment.text == text
