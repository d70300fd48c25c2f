"""The API-definition check, against Atlassian's published OpenAPI file: alone, then through HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.jira.jsm_openapi import JSM_OPENAPI
from simulators.jira.openapi_additions import PLATFORM_ADDITIONS
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import client, running_simulator
from simulators.openapi_check import ApiDefinition, OpenApiChecker


@pytest.fixture(scope="module")
def spec(shared_data: Path) -> Path:
    return shared_data / "jira-openapi" / "platform-swagger.v3.json"


@pytest.fixture(scope="module")
def checker(spec: Path) -> OpenApiChecker:
    platform = ApiDefinition.from_file(spec, name="platform", prefixes=("/rest/api/",))
    jsm = ApiDefinition(JSM_OPENAPI, name="jsm", prefixes=("/rest/servicedeskapi/",))
    return OpenApiChecker([platform, jsm])


def check(
    checker: OpenApiChecker,
    method: str,
    path: str,
    query: dict[str, list[str]] | None = None,
    body: object = None,
    content_type: str = "application/json",
) -> tuple[int, list[str]]:
    raw = b"" if body is None else json.dumps(body).encode()
    result = checker.check(method, path, query or {}, content_type=content_type, body=raw)
    return result.status, [v.kind for v in result.violations]


def test_defined_requests_pass(checker: OpenApiChecker) -> None:
    assert check(
        checker,
        "PUT",
        "/rest/api/3/issue/SUP-1",
        {"notifyUsers": ["false"]},
        {"fields": {"customfield_10050": {"value": "Unhappy"}}},
    ) == (200, [])
    assert check(checker, "GET", "/rest/api/3/issue/SUP-1/changelog", {"startAt": ["0"]}) == (200, [])
    assert check(
        checker,
        "POST",
        "/rest/api/3/field",
        body={"name": "Mood", "type": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
    ) == (200, [])
    assert check(
        checker, "POST", "/rest/servicedeskapi/request/SUP-1/comment", body={"body": "hi", "public": False}
    ) == (200, [])


def test_scalars_coerce_like_jiras_json_binding(checker: OpenApiChecker) -> None:
    # atlassian-python-api sends transition ids as numbers and booleans as Python's "True".
    assert check(checker, "POST", "/rest/api/3/issue/SUP-1/transitions", body={"transition": {"id": 51}}) == (
        200,
        [],
    )
    assert check(checker, "GET", "/rest/servicedeskapi/request/SUP-1/comment", {"public": ["True"]}) == (
        200,
        [],
    )
    assert check(checker, "GET", "/rest/api/3/issue/SUP-1/comment", {"maxResults": ["ten"]}) == (
        400,
        ["invalid_query_value"],
    )
    assert check(
        checker, "POST", "/rest/api/3/issue/SUP-1/transitions", body={"transition": {"id": ["51"]}}
    ) == (400, ["invalid_body"])


def test_operations_newer_than_the_file_are_known(checker: OpenApiChecker) -> None:
    additions = ApiDefinition(PLATFORM_ADDITIONS, name="additions", prefixes=("/rest/api/",))
    with_additions = OpenApiChecker([additions, *checker.definitions])
    assert check(checker, "GET", "/rest/api/3/search/jql") == (404, ["undefined_path"])
    assert check(with_additions, "GET", "/rest/api/3/search/jql", {"jql": ["project = SUP"]}) == (200, [])
    assert check(with_additions, "POST", "/rest/api/3/search/jql", body={"jql": "x", "startAt": 0}) == (
        400,
        ["invalid_body"],
    )
    assert check(with_additions, "GET", "/rest/api/3/issue/SUP-1") == (200, [])


def test_v2_paths_are_checked_against_their_v3_twins(checker: OpenApiChecker) -> None:
    result = checker.check("GET", "/rest/api/2/issue/SUP-1/comment", {}, content_type=None, body=b"")
    assert result.ok and result.operation is not None
    assert result.operation.template == "/rest/api/3/issue/{issueIdOrKey}/comment"
    assert check(checker, "GET", "/rest/api/2/issue/SUP-1/nonsense") == (404, ["undefined_path"])


def test_a_literal_segment_wins_over_a_parameter(checker: OpenApiChecker) -> None:
    result = checker.check("GET", "/rest/api/3/issue/createmeta", {}, content_type=None, body=b"")
    assert result.operation is not None and result.operation.template == "/rest/api/3/issue/createmeta"


def test_undefined_path_method_query_and_body_are_flagged(checker: OpenApiChecker) -> None:
    assert check(checker, "GET", "/rest/api/3/issues/SUP-1") == (404, ["undefined_path"])
    assert check(checker, "PATCH", "/rest/api/3/issue/SUP-1") == (405, ["method_not_allowed"])
    assert check(checker, "PUT", "/rest/api/3/issue/SUP-1", {"notify": ["false"]}, {"fields": {}}) == (
        400,
        ["unknown_query_parameter"],
    )
    assert check(checker, "PUT", "/rest/api/3/issue/SUP-1", {"notifyUsers": ["no"]}, {"fields": {}}) == (
        400,
        ["invalid_query_value"],
    )
    assert check(checker, "PUT", "/rest/api/3/issue/SUP-1", body={"fields": ["summary"]}) == (
        400,
        ["invalid_body"],
    )
    assert check(checker, "POST", "/rest/api/3/field", body={"name": "no type"}) == (400, ["invalid_body"])
    assert check(
        checker,
        "POST",
        "/rest/api/3/field/customfield_1/context/2/option",
        body={"options": [{"label": "x"}]},
    ) == (400, ["invalid_body"])
    assert check(
        checker, "POST", "/rest/servicedeskapi/request/SUP-1/comment", body={"body": "hi", "internal": True}
    ) == (400, ["invalid_body"])


def test_missing_body_and_wrong_media_type(checker: OpenApiChecker) -> None:
    assert check(checker, "POST", "/rest/api/3/issue/SUP-1/comment") == (400, ["missing_body"])
    assert check(
        checker, "POST", "/rest/api/3/issue/SUP-1/comment", body={"body": "x"}, content_type="text/plain"
    ) == (415, ["unsupported_media_type"])


def test_paths_outside_the_definitions_are_not_governed(checker: OpenApiChecker) -> None:
    result = checker.check("GET", "/_sim/health", {}, content_type=None, body=b"")
    assert not result.governed and result.ok


@pytest.fixture
def sim(spec: Path) -> Iterator[JiraSimulator]:
    with running_simulator(spec) as simulator:
        yield simulator


def test_through_http_a_defined_request_passes(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Checked")
    answer = client(sim, "admin").get(f"/rest/api/3/issue/{key}", params={"fields": "summary"})
    assert answer.status_code == 200
    assert sim.violations == []
    assert sim.requests[-1].operation == "GET /rest/api/3/issue/{issueIdOrKey}"


def test_through_http_each_violation_is_recorded_and_answered(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "Checked")
    admin = client(sim, "admin")
    answers = [
        admin.get("/rest/api/3/issues/" + key).status_code,
        admin.request("PATCH", f"/rest/api/3/issue/{key}", json={"fields": {}}).status_code,
        admin.put(f"/rest/api/3/issue/{key}", params={"notify": "false"}, json={"fields": {}}).status_code,
        admin.put(f"/rest/api/3/issue/{key}", json={"fields": "summary"}).status_code,
        admin.post(f"/rest/servicedeskapi/request/{key}/comment", json={"body": ["x"]}).status_code,
    ]
    assert answers == [404, 405, 400, 400, 400]
    assert [v.kind for v in sim.violations] == [
        "undefined_path",
        "method_not_allowed",
        "unknown_query_parameter",
        "invalid_body",
        "invalid_body",
    ]
    assert sim.violations[2].operation == "PUT /rest/api/3/issue/{issueIdOrKey}"
    assert "'notify'" in sim.violations[2].detail
    assert sim.issue(key).changelog == []


def test_a_defined_operation_the_simulator_lacks_is_501_and_recorded(sim: JiraSimulator) -> None:
    answer = client(sim, "admin").get("/rest/api/3/dashboard")
    assert answer.status_code == 501
    assert [v.kind for v in sim.violations] == ["not_implemented"]


def test_violations_can_be_recorded_without_refusing(spec: Path) -> None:
    with running_simulator(spec, reject_violations=False) as sim:
        key = sim.create_issue("SUP", "Lenient")
        answer = client(sim, "admin").get(f"/rest/api/3/issue/{key}", params={"fieldz": "summary"})
        assert answer.status_code == 200
        assert [v.kind for v in sim.violations] == ["unknown_query_parameter"]
