"""Every Jira payload we hold, parsed and compared with its whole expected result.

Real payloads live in the shared data set (../shared/data/jira-webhooks, MANIFEST.csv); their expectations,
written by reading each payload, are in fixtures/jira/expected/shared/<payload name>. Payloads the real set
lacks (JSM requests, customer and internal comments, ADF bodies, app users, Data Center) are ours, in
fixtures/jira/payloads/, with expectations in fixtures/jira/expected/own/.

The shared set's zulip/ folder (its own SOURCES.md, not in MANIFEST.csv) holds more real payloads, with
expectations in fixtures/jira/expected/shared/zulip/<payload name>, and two files that are not Jira's output
and must be refused.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Headers, InboundRequest, ParseResult, RoleRules
from adapters.errors import PayloadRejected
from adapters.events import TicketEvent
from adapters.jira.webhook import ADAPTER

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_EXPECTED = sorted((FIXTURES / "expected" / "shared").glob("*.json"))
OWN_EXPECTED = sorted((FIXTURES / "expected" / "own").glob("*.json"))
ZULIP_EXPECTED = sorted((FIXTURES / "expected" / "shared" / "zulip").glob("*.json"))
# The two files of the zulip folder that Jira never sent (its SOURCES.md says so): they have no expectation.
ZULIP_NEGATIVES = {"comment_created_no_issue_details.json", "example_anomalous_payload.json"}


def _parse(body: bytes, rules: RoleRules) -> ParseResult:
    request = InboundRequest(headers=Headers({"X-Atlassian-Webhook-Identifier": "delivery-1"}), body=body)
    return ADAPTER.parse(request, "acme", rules)


def _rules(spec: dict[str, Any]) -> RoleRules:
    given = spec.get("rules", {})
    return RoleRules(
        customer_domains=frozenset(given.get("customer_domains", ())),
        system_accounts=frozenset(given.get("system_accounts", ())),
        request_participants_field=given.get("request_participants_field"),
    )


def _assert_matches(result: ParseResult, spec: dict[str, Any], payload: dict[str, Any]) -> None:
    assert result.webhook_event == spec["webhook_event"]
    assert result.ignored_reason == spec["ignored_reason"]
    # Both sides through the model's JSON, so that "…+01:00" in a file and a parsed datetime compare as text
    # (a lost or wrong UTC offset would show).
    events = [TicketEvent.model_validate({**event, "raw": payload}) for event in spec["events"]]
    expected = [json.loads(event.to_json()) for event in events]
    actual = [json.loads(event.to_json()) for event in result.events]
    assert actual == expected
    assert all(event.raw == payload for event in result.events)


@pytest.mark.parametrize("expected_file", SHARED_EXPECTED, ids=[path.stem for path in SHARED_EXPECTED])
def test_shared_payload(expected_file: Path, shared_data: Path) -> None:
    spec = json.loads(expected_file.read_text())
    body = (shared_data / "jira-webhooks" / spec["fixture"]).read_bytes()
    _assert_matches(_parse(body, _rules(spec)), spec, json.loads(body))


@pytest.mark.parametrize("expected_file", OWN_EXPECTED, ids=[path.stem for path in OWN_EXPECTED])
def test_own_payload(expected_file: Path) -> None:
    spec = json.loads(expected_file.read_text())
    body = (FIXTURES / "payloads" / spec["fixture"]).read_bytes()
    _assert_matches(_parse(body, _rules(spec)), spec, json.loads(body))


def test_every_shared_payload_has_an_expectation(shared_data: Path) -> None:
    with (shared_data / "jira-webhooks" / "MANIFEST.csv").open(newline="") as manifest:
        listed = {row["file"] for row in csv.DictReader(manifest)}
    assert listed == {path.name for path in SHARED_EXPECTED}
    assert all(json.loads(path.read_text())["fixture"] == path.name for path in SHARED_EXPECTED)


def test_every_own_payload_has_an_expectation() -> None:
    payloads = {path.name for path in (FIXTURES / "payloads").glob("*.json")}
    assert payloads == {path.name for path in OWN_EXPECTED}
    assert len(payloads) >= 6


def _zulip(shared_data: Path) -> Path:
    return shared_data / "jira-webhooks" / "zulip"


@pytest.mark.parametrize("expected_file", ZULIP_EXPECTED, ids=[path.stem for path in ZULIP_EXPECTED])
def test_zulip_payload(expected_file: Path, shared_data: Path) -> None:
    spec = json.loads(expected_file.read_text())
    body = (_zulip(shared_data) / spec["fixture"]).read_bytes()
    _assert_matches(_parse(body, _rules(spec)), spec, json.loads(body))


def test_every_real_zulip_payload_has_an_expectation(shared_data: Path) -> None:
    payloads = {path.name for path in _zulip(shared_data).glob("*.json")}
    expected = {path.name for path in ZULIP_EXPECTED}
    assert expected <= payloads
    assert payloads - expected == ZULIP_NEGATIVES
    assert len(expected) == 19
    assert all(json.loads(path.read_text())["fixture"] == path.name for path in ZULIP_EXPECTED)


def _refused(body: bytes) -> str:
    with pytest.raises(PayloadRejected) as caught:
        _parse(body, RoleRules())
    assert caught.value.status == 400
    return caught.value.reason


def test_zulip_s_edited_comment_payload_is_refused_as_malformed_json(shared_data: Path) -> None:
    # Zulip cut fields out of a real comment_created and left trailing commas behind: not JSON at all.
    body = (_zulip(shared_data) / "comment_created_no_issue_details.json").read_bytes()
    assert _refused(body) == (
        "malformed JSON: Expecting property name enclosed in double quotes: line 20 column 5 (char 1285)"
    )


def test_zulip_s_anomalous_payload_is_refused_as_no_webhook(shared_data: Path) -> None:
    # A JSON object, but a user record ({"accountId", "username"}), with no webhookEvent.
    body = (_zulip(shared_data) / "example_anomalous_payload.json").read_bytes()
    assert _refused(body) == "not a Jira webhook: no 'webhookEvent' string"
