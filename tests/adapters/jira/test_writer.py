"""JiraWriter against recorded Jira response shapes (outbound HTTP mocked with `responses`)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from atlassian.errors import ApiPermissionError
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from adapters.errors import PermanentWriteError, RateLimited, TransientWriteError
from adapters.jira.writer import JiraTarget, JiraWriter

BASE = "https://acme.atlassian.net"
TOKEN = "ATATT3xFfGF0-secret-api-token"
PAT = "NjQ3-secret-personal-access-token"
CF = "com.atlassian.jira.plugin.system.customfieldtypes:"


def _custom(num: int, name: str, custom_type: str, schema_type: str, **extra: Any) -> dict[str, Any]:
    """One entry of GET /rest/api/{2,3}/field as Jira returns it for a custom field."""
    fid = f"customfield_{num}"
    return {
        "id": fid,
        "key": fid,
        "name": name,
        "untranslatedName": name,
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{num}]", name],
        "schema": {"type": schema_type, "custom": CF + custom_type, "customId": num, **extra},
    }


FIELDS: list[dict[str, Any]] = [
    {
        "id": "summary",
        "key": "summary",
        "name": "Summary",
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["summary"],
        "schema": {"type": "string", "system": "summary"},
    },
    {
        "id": "labels",
        "key": "labels",
        "name": "Labels",
        "custom": False,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": ["labels"],
        "schema": {"type": "array", "items": "string", "system": "labels"},
    },
    _custom(10050, "Customer mood", "select", "option"),
    _custom(10051, "Mood score", "float", "number"),
    _custom(10052, "Mood trend", "textfield", "string"),
    _custom(10053, "Mood summary", "textarea", "string"),
    _custom(10054, "Initial mood", "radiobuttons", "option"),
    _custom(10055, "ELA flags", "labels", "array", items="string"),
    _custom(10056, "Survey due", "datepicker", "date"),
]

MAPPING = {
    "mood": "Customer mood",  # by name
    "mood_score": "customfield_10051",  # by id
    "mood_trend": "mood TREND",  # names match case-insensitively
    "mood_summary": "Mood summary",
    "initial_mood": "Initial mood",
    "ela_flags": "ELA flags",
}


def target(**overrides: Any) -> JiraTarget:
    settings: dict[str, Any] = {"url": BASE, "email": "ela@acme.com", "api_token": TOKEN, "fields": MAPPING}
    settings.update(overrides)
    return JiraTarget(**settings)


def dc_target(**overrides: Any) -> JiraTarget:
    settings: dict[str, Any] = {
        "url": "https://jira.acme.internal/jira",
        "personal_access_token": PAT,
        "deployment": "datacenter",
        "api_version": "2",
        "fields": MAPPING,
    }
    settings.update(overrides)
    return JiraTarget(**settings)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def field_list(
    rsps: responses.RequestsMock, base: str = BASE, version: str = "3", fields: Any = None
) -> None:
    rsps.add(responses.GET, f"{base}/rest/api/{version}/field", json=fields if fields is not None else FIELDS)


def sent(call: Any) -> tuple[str, str, dict[str, list[str]], Any]:
    """(method, path, query, JSON body) of a recorded request."""
    parts = urlsplit(call.request.url)
    body = json.loads(call.request.body) if call.request.body else None
    return call.request.method, parts.path, parse_qs(parts.query), body


def puts(rsps: responses.RequestsMock) -> list[Any]:
    return [c for c in rsps.calls if c.request.method == "PUT"]


# --- writing each field type -------------------------------------------------------------------------


def test_write_fields_v3_sends_one_put_with_each_type_formatted_by_its_schema(
    rsps: responses.RequestsMock,
) -> None:
    field_list(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-12", status=204)
    writer = JiraWriter(target(), session=requests.Session())

    writer.write_fields(
        "SD-12",
        {
            "mood": "Negative",
            "mood_score": -0.42,
            "mood_trend": "falling",
            "mood_summary": "Customer is upset.\n\nSecond reply angrier.\nAsks for a call.",
            "initial_mood": "Neutral",
            "ela_flags": "at-risk first-reply-late",
        },
    )

    assert [c.request.method for c in rsps.calls] == ["GET", "PUT"]
    method, path, query, body = sent(rsps.calls[1])
    assert (method, path, query) == ("PUT", "/rest/api/3/issue/SD-12", {"notifyUsers": ["false"]})
    assert body == {
        "fields": {
            "customfield_10050": {"value": "Negative"},
            "customfield_10051": -0.42,
            "customfield_10052": "falling",
            "customfield_10053": {
                "type": "doc",
                "version": 1,
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "Customer is upset."}]},
                    {
                        "type": "paragraph",
                        "content": [
                            {"type": "text", "text": "Second reply angrier."},
                            {"type": "hardBreak"},
                            {"type": "text", "text": "Asks for a call."},
                        ],
                    },
                ],
            },
            "customfield_10054": {"value": "Neutral"},
            "customfield_10055": ["at-risk", "first-reply-late"],
        }
    }
    request = rsps.calls[1].request
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.req_kwargs["timeout"] == (5.0, 20.0)


def test_write_fields_v2_data_center_sends_textarea_as_string_with_bearer_token(
    rsps: responses.RequestsMock,
) -> None:
    base = "https://jira.acme.internal/jira"
    field_list(rsps, base=base, version="2")
    rsps.add(responses.PUT, f"{base}/rest/api/2/issue/IT-7", status=204)
    writer = JiraWriter(dc_target(connect_timeout=2.5, read_timeout=9.0), session=requests.Session())

    writer.write_fields("IT-7", {"mood_summary": "line one\nline two", "mood": "Positive", "mood_score": 1})

    method, path, query, body = sent(rsps.calls[1])
    assert (method, path, query) == ("PUT", "/jira/rest/api/2/issue/IT-7", {"notifyUsers": ["false"]})
    assert body == {
        "fields": {
            "customfield_10053": "line one\nline two",
            "customfield_10050": {"value": "Positive"},
            "customfield_10051": 1,
        }
    }
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {PAT}"
    assert all(c.request.req_kwargs["timeout"] == (2.5, 9.0) for c in rsps.calls)


def test_none_clears_every_kind_of_field(rsps: responses.RequestsMock) -> None:
    field_list(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-12", status=204)
    writer = JiraWriter(target(), session=requests.Session())

    writer.write_fields("SD-12", dict.fromkeys(MAPPING))

    assert sent(rsps.calls[1])[3] == {
        "fields": {
            "customfield_10050": None,
            "customfield_10051": None,
            "customfield_10052": None,
            "customfield_10053": None,
            "customfield_10054": None,
            "customfield_10055": [],
        }
    }


def test_every_put_carries_notify_users_false_and_the_field_list_is_fetched_once(
    rsps: responses.RequestsMock,
) -> None:
    field_list(rsps)
    rsps.add(responses.PUT, re.compile(rf"{BASE}/rest/api/3/issue/SD-\d+"), status=204)
    writer = JiraWriter(target(), session=requests.Session())

    for n in range(1, 4):
        writer.write_fields(f"SD-{n}", {"mood": "Positive", "mood_score": 0.5})

    assert [sent(c)[1] for c in rsps.calls].count("/rest/api/3/field") == 1
    assert len(puts(rsps)) == 3
    assert all(sent(c)[2] == {"notifyUsers": ["false"]} for c in puts(rsps))


def test_empty_write_sends_nothing(rsps: responses.RequestsMock) -> None:
    JiraWriter(target(), session=requests.Session()).write_fields("SD-1", {})
    assert len(rsps.calls) == 0


# --- resolving names ---------------------------------------------------------------------------------


def test_resolve_fields_binds_names_and_ids_to_ids_and_schema_types(rsps: responses.RequestsMock) -> None:
    field_list(rsps)
    resolved = JiraWriter(target(), session=requests.Session()).resolve_fields()

    assert {k: (f.id, f.kind) for k, f in resolved.items()} == {
        "mood": ("customfield_10050", "select"),
        "mood_score": ("customfield_10051", "number"),
        "mood_trend": ("customfield_10052", "text"),
        "mood_summary": ("customfield_10053", "textarea"),
        "initial_mood": ("customfield_10054", "select"),
        "ela_flags": ("customfield_10055", "labels"),
    }
    assert resolved["initial_mood"].schema_type == CF + "radiobuttons"


def test_unknown_field_name_is_permanent_names_it_and_suggests_close_matches(
    rsps: responses.RequestsMock,
) -> None:
    field_list(rsps)
    writer = JiraWriter(target(fields={"mood": "Customer mod", "mood_score": "customfield_10099"}))

    with pytest.raises(PermanentWriteError) as err:
        writer.write_fields("SD-1", {"mood": "Positive"})

    message = str(err.value)
    assert "mood: no Jira field with id or name 'Customer mod'" in message
    assert "did you mean 'Customer mood' (customfield_10050)" in message
    assert "mood_score: no Jira field with id or name 'customfield_10099'" in message
    assert "customfield_10059" not in message  # no invented suggestions
    assert puts(rsps) == []  # nothing written


def test_a_field_created_after_the_list_was_kept_is_found_by_one_fresh_fetch(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add(responses.GET, f"{BASE}/rest/api/3/field", json=[f for f in FIELDS if f["name"] != "Mood trend"])
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=204)
    writer = JiraWriter(target(fields={"mood": "Customer mood", "mood_trend": "Mood trend"}))

    with pytest.raises(PermanentWriteError, match="'Mood trend'"):
        writer.write_fields("SD-1", {"mood_trend": "rising"})  # fetched just now: no second fetch
    assert len(rsps.calls) == 1

    rsps.replace(responses.GET, f"{BASE}/rest/api/3/field", json=FIELDS)  # someone ran `ela setup`
    writer.write_fields("SD-1", {"mood_trend": "rising"})

    assert [sent(c)[:2] for c in rsps.calls] == [
        ("GET", "/rest/api/3/field"),
        ("GET", "/rest/api/3/field"),
        ("PUT", "/rest/api/3/issue/SD-1"),
    ]
    assert sent(rsps.calls[2])[3] == {"fields": {"customfield_10052": "rising"}}


def test_ambiguous_name_and_unwritable_types_are_refused(rsps: responses.RequestsMock) -> None:
    twin = _custom(10077, "Customer mood", "select", "option")
    field_list(rsps, fields=[*FIELDS, twin])
    writer = JiraWriter(target(fields={"mood": "Customer mood", "due": "Survey due", "tags": "labels"}))

    with pytest.raises(PermanentWriteError) as err:
        writer.resolve_fields()

    message = str(err.value)
    assert "several Jira fields are named 'Customer mood'" in message
    assert "customfield_10050" in message and "customfield_10077" in message
    assert f"due: 'Survey due' (customfield_10056) is of type {CF}datepicker" in message
    assert "tags: the system Labels field would lose the agents' own labels" in message


def test_unconfigured_key_bad_value_or_bad_ticket_key_changes_nothing(rsps: responses.RequestsMock) -> None:
    field_list(rsps)
    writer = JiraWriter(target(), session=requests.Session())

    with pytest.raises(PermanentWriteError, match=r"no Jira field configured for \['csat'\]"):
        writer.write_fields("SD-1", {"csat": 5})
    with pytest.raises(PermanentWriteError, match="a number field takes a finite number, not 'high'"):
        writer.write_fields("SD-1", {"mood": "Negative", "mood_score": "high"})
    with pytest.raises(PermanentWriteError, match="not True"):
        writer.write_fields("SD-1", {"mood_score": True})
    with pytest.raises(PermanentWriteError, match="a text field holds 255"):
        writer.write_fields("SD-1", {"mood_trend": "x" * 256})
    with pytest.raises(PermanentWriteError, match="write None to clear"):
        writer.write_fields("SD-1", {"mood": ""})
    with pytest.raises(PermanentWriteError, match="not a Jira issue key"):
        writer.write_fields("../../admin", {"mood": "Negative"})

    assert puts(rsps) == []


# --- failures ----------------------------------------------------------------------------------------


def _writer_with_fields(rsps: responses.RequestsMock, **overrides: Any) -> JiraWriter:
    field_list(rsps)
    return JiraWriter(target(**overrides), session=requests.Session())


def test_429_with_retry_after_seconds_is_rate_limited_after_exactly_one_attempt(
    rsps: responses.RequestsMock,
) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=429, headers={"Retry-After": "30"})

    with pytest.raises(RateLimited) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.retry_after == 30.0
    assert err.value.status == 429
    assert len(puts(rsps)) == 1  # atlassian-python-api's own Retry-After sleep-and-retry is off


def test_429_with_retry_after_http_date(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=429, headers={"Retry-After": when})

    with pytest.raises(RateLimited) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.retry_after is not None
    assert 100 < err.value.retry_after <= 120


def test_429_without_retry_after(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(
        responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=429, json={"errorMessages": ["Rate limited"]}
    )

    with pytest.raises(RateLimited, match="Rate limited") as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_transient_after_one_attempt(rsps: responses.RequestsMock, status: int) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=status, body="<html>Bad gateway</html>")

    with pytest.raises(TransientWriteError) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.status == status
    assert "Bad gateway" in str(err.value)
    assert len(puts(rsps)) == 1


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("Connection refused"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    ],
)
def test_timeouts_and_connection_errors_are_transient(rsps: responses.RequestsMock, exc: Exception) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", body=exc)

    with pytest.raises(TransientWriteError):
        writer.write_fields("SD-1", {"mood": "Negative"})


def test_a_retrying_adapter_on_the_callers_session_does_not_add_attempts(
    rsps: responses.RequestsMock,
) -> None:
    session = requests.Session()
    session.mount(
        "https://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503], backoff_factor=0))
    )
    field_list(rsps)
    writer = JiraWriter(target(), session=session)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=503)

    with pytest.raises(TransientWriteError):
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert len(puts(rsps)) == 1


def test_400_is_permanent_with_jiras_own_message_and_the_logical_key(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps, fields={"mood": "Customer mood"})
    rsps.add(
        responses.PUT,
        f"{BASE}/rest/api/3/issue/SD-1",
        status=400,
        json={
            "errorMessages": [],
            "errors": {
                "customfield_10050": "Field 'customfield_10050' cannot be set. It is not on the appropriate "
                "screen, or unknown."
            },
        },
    )

    with pytest.raises(PermanentWriteError) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.status == 400
    assert (
        "customfield_10050: Field 'customfield_10050' cannot be set. It is not on the appropriate screen, "
        "or unknown." in str(err.value)
    )
    assert "mood=customfield_10050" in str(err.value)
    assert not writer.catalogue.loaded  # the next write lists the fields afresh


def test_404_is_permanent_with_jiras_message(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(
        responses.PUT,
        f"{BASE}/rest/api/3/issue/SD-404",
        status=404,
        json={
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        },
    )

    with pytest.raises(PermanentWriteError, match="Issue does not exist or you do not have permission"):
        writer.write_fields("SD-404", {"mood": "Negative"})


def test_401_says_which_credentials_to_check_and_never_shows_the_token(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    writer = _writer_with_fields(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=401, body="Client must be authenticated")

    with pytest.raises(PermanentWriteError) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert err.value.status == 401
    assert "check the e-mail address and API token" in str(err.value)
    assert TOKEN not in str(err.value)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(writer.target) and TOKEN not in repr(writer) and TOKEN not in repr(writer.http)


def test_401_on_data_center_points_at_the_personal_access_token(rsps: responses.RequestsMock) -> None:
    base = "https://jira.acme.internal/jira"
    field_list(rsps, base=base, version="2")
    rsps.add(responses.PUT, f"{base}/rest/api/2/issue/IT-1", status=401)
    writer = JiraWriter(dc_target(), session=requests.Session())

    with pytest.raises(PermanentWriteError, match="check the personal access token") as err:
        writer.write_fields("IT-1", {"mood": "Negative"})
    assert PAT not in str(err.value)


def test_403_explains_notify_users_permission_and_never_retries_with_notifications(
    rsps: responses.RequestsMock,
) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(
        responses.PUT,
        f"{BASE}/rest/api/3/issue/SD-1",
        status=403,
        json={
            "errorMessages": [
                "To discard the user notification either admin or project admin permissions are required."
            ],
            "errors": {},
        },
    )

    with pytest.raises(PermanentWriteError) as err:
        writer.write_fields("SD-1", {"mood": "Negative"})

    message = str(err.value)
    assert err.value.status == 403
    assert "notifyUsers=false needs admin or project-admin permission on Jira Cloud" in message
    assert "To discard the user notification" in message
    assert len(puts(rsps)) == 1
    assert all(sent(c)[2].get("notifyUsers") == ["false"] for c in puts(rsps))


def test_redirect_is_not_followed(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(
        responses.PUT,
        f"{BASE}/rest/api/3/issue/SD-1",
        status=302,
        headers={"Location": "https://id.atlassian.com/login"},
    )
    rsps.add(responses.GET, "https://id.atlassian.com/login", body="<html>log in</html>")

    with pytest.raises(PermanentWriteError, match=r"redirected \(302\) to https://id.atlassian.com/login"):
        writer.write_fields("SD-1", {"mood": "Negative"})

    assert [urlsplit(c.request.url).netloc for c in rsps.calls] == ["acme.atlassian.net"] * 2


def test_a_2xx_that_is_not_json_is_transient(rsps: responses.RequestsMock) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/rest/api/3/field",
        body="<html>Down for maintenance</html>",
        content_type="text/html",
    )

    with pytest.raises(TransientWriteError, match="expected JSON from Jira, got text/html"):
        JiraWriter(target(), session=requests.Session()).resolve_fields()


def test_errors_raised_by_atlassian_python_api_itself_are_mapped(
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside advanced mode the library raises HTTPError (and some helpers ApiError subclasses); the
    # writer never asks for that mode, but a change of the library's defaults must not leak them.
    writer = _writer_with_fields(rsps)
    writer.resolve_fields()
    failed = requests.Response()
    failed.status_code = 503
    failed._content = b'{"errorMessages": ["Service unavailable"]}'

    def raise_http_error(*_: Any, **__: Any) -> None:
        raise requests.HTTPError("Service unavailable", response=failed)

    monkeypatch.setattr(writer.http._client, "request", raise_http_error)
    with pytest.raises(TransientWriteError, match="Service unavailable"):
        writer.write_fields("SD-1", {"mood": "Negative"})

    def raise_api_error(*_: Any, **__: Any) -> None:
        raise ApiPermissionError("User doesn't have administrative permissions")

    monkeypatch.setattr(writer.http._client, "request", raise_api_error)
    with pytest.raises(PermanentWriteError, match="administrative permissions"):
        writer.write_fields("SD-1", {"mood": "Negative"})


# --- reading back ------------------------------------------------------------------------------------


class FakeIssue:
    """Keeps what PUT /issue set and answers GET /issue?fields= the way Jira does: a select comes back
    as an option object with its id and self link, absent fields as null."""

    def __init__(self, base: str, version: str) -> None:
        self.base = base
        self.version = version
        self.fields: dict[str, Any] = {"summary": "VPN drops every hour"}

    def put(self, request: Any) -> tuple[int, dict[str, str], str]:
        for fid, sent_value in json.loads(request.body)["fields"].items():
            stored = copy.deepcopy(sent_value)
            if isinstance(stored, dict) and "value" in stored:
                option = f"{self.base}/rest/api/{self.version}/customFieldOption/10100"
                stored = {"self": option, **stored, "id": "10100"}
            self.fields[fid] = stored
        return 204, {}, ""

    def get(self, request: Any) -> tuple[int, dict[str, str], str]:
        wanted = parse_qs(urlsplit(request.url).query)["fields"][0].split(",")
        body = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": "10012",
            "self": f"{self.base}/rest/api/{self.version}/issue/10012",
            "key": "SD-12",
            "fields": {fid: self.fields.get(fid) for fid in wanted},
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(body)


@pytest.mark.parametrize("version", ["3", "2"])
def test_read_fields_round_trips_what_write_fields_wrote(rsps: responses.RequestsMock, version: str) -> None:
    base = BASE if version == "3" else "https://jira.acme.internal/jira"
    issue = FakeIssue(base, version)
    field_list(rsps, base=base, version=version)
    rsps.add_callback(responses.PUT, f"{base}/rest/api/{version}/issue/SD-12", callback=issue.put)
    rsps.add_callback(
        responses.GET, re.compile(rf"{base}/rest/api/{version}/issue/SD-12\?"), callback=issue.get
    )
    writer = JiraWriter(target() if version == "3" else dc_target(), session=requests.Session())
    written = {
        "mood": "Very negative",
        "mood_score": -0.75,
        "mood_trend": "falling",
        "mood_summary": "First line\n\nThird line after a blank one",
        "initial_mood": "Neutral",
        "ela_flags": "at-risk breached",
    }

    writer.write_fields("SD-12", written)
    assert writer.read_fields("SD-12", list(written)) == written

    writer.write_fields("SD-12", {"mood_summary": None, "ela_flags": None, "mood_score": 3})
    back = writer.read_fields("SD-12", ["mood_summary", "ela_flags", "mood_score", "mood"])
    assert back == {"mood_summary": None, "ela_flags": None, "mood_score": 3, "mood": "Very negative"}

    method, path, query, _ = sent(rsps.calls[-1])
    assert (method, path) == ("GET", urlsplit(f"{base}/rest/api/{version}/issue/SD-12").path)
    assert query == {"fields": ["customfield_10053,customfield_10055,customfield_10051,customfield_10050"]}


def test_read_fields_of_a_field_absent_from_the_issue_is_none(rsps: responses.RequestsMock) -> None:
    writer = _writer_with_fields(rsps)
    rsps.add(
        responses.GET,
        f"{BASE}/rest/api/3/issue/SD-3",
        json={"id": "10003", "key": "SD-3", "fields": {"customfield_10051": 0.25}},
    )

    assert writer.read_fields("SD-3", ["mood", "mood_score"]) == {"mood": None, "mood_score": 0.25}


# --- comments ----------------------------------------------------------------------------------------

JSM_COMMENT = {
    "id": "10123",
    "body": "We are on it.",
    "public": True,
    "author": {"accountId": "5b10a2844c20165700ede21g", "displayName": "ELA Connector", "active": True},
    "created": {
        "iso8601": "2024-05-02T10:15:30+0000",
        "epochMillis": 1714644930000,
        "friendly": "Today 10:15",
    },
    "_links": {"self": f"{BASE}/rest/servicedeskapi/request/10012/comment/10123"},
}


@pytest.mark.parametrize("public", [True, False])
def test_add_comment_on_a_service_desk_uses_the_servicedesk_api_with_public(
    rsps: responses.RequestsMock, public: bool
) -> None:
    rsps.add(
        responses.POST, f"{BASE}/rest/servicedeskapi/request/SD-12/comment", json=JSM_COMMENT, status=201
    )
    writer = JiraWriter(target(), session=requests.Session())

    comment_id = writer.add_comment("SD-12", "Customer mood dropped to very negative.", public=public)

    assert comment_id == "10123"
    assert len(rsps.calls) == 1
    method, path, query, body = sent(rsps.calls[0])
    assert (method, path, query) == ("POST", "/rest/servicedeskapi/request/SD-12/comment", {})
    assert body == {"body": "Customer mood dropped to very negative.", "public": public}


def test_jsm_comment_refused_for_a_non_agent_carries_jsm_error_and_the_hint(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add(
        responses.POST,
        f"{BASE}/rest/servicedeskapi/request/SD-12/comment",
        status=403,
        json={
            "errorMessage": "You do not have permission to create internal comments.",
            "i18nErrorMessage": {"i18nKey": "sd.comment.internal.permission", "parameters": []},
        },
    )

    with pytest.raises(PermanentWriteError) as err:
        JiraWriter(target()).add_comment("SD-12", "At risk.", public=False)

    assert "You do not have permission to create internal comments." in str(err.value)
    assert "must be an agent of the service project" in str(err.value)


def test_add_comment_on_plain_jira_public_and_internal(rsps: responses.RequestsMock) -> None:
    rsps.add(
        responses.POST,
        f"{BASE}/rest/api/2/issue/DEV-5/comment",
        status=201,
        json={"id": "10500", "self": f"{BASE}/rest/api/2/issue/10005/comment/10500", "body": "x"},
    )
    writer = JiraWriter(
        target(service_desk=False, internal_comment_visibility=("role", "Developers")),
        session=requests.Session(),
    )

    assert writer.add_comment("DEV-5", "Mood is improving.", public=True) == "10500"
    assert writer.add_comment("DEV-5", "Reporter is at risk.", public=False) == "10500"

    assert sent(rsps.calls[0])[:2] == ("POST", "/rest/api/2/issue/DEV-5/comment")
    assert sent(rsps.calls[0])[3] == {"body": "Mood is improving."}
    assert sent(rsps.calls[1])[3] == {
        "body": "Reporter is at risk.",
        "visibility": {"type": "role", "value": "Developers"},
    }


def test_internal_comment_on_plain_jira_without_a_restriction_is_refused_before_any_call(
    rsps: responses.RequestsMock,
) -> None:
    writer = JiraWriter(target(service_desk=False))

    with pytest.raises(PermanentWriteError, match="set internal_comment_visibility"):
        writer.add_comment("DEV-5", "At risk.", public=False)
    with pytest.raises(PermanentWriteError, match="the text is empty"):
        writer.add_comment("DEV-5", "  \n", public=True)

    assert len(rsps.calls) == 0


# --- configuration -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"deployment": "datacenter", "api_version": "3", "personal_access_token": PAT}, "version 2 only"),
        ({"api_token": None}, "Jira Cloud needs email and api_token"),
        ({"url": "acme.atlassian.net"}, "must start with https://"),
        ({"fields": {"mood": " "}}, "needs a Jira field id or name"),
    ],
)
def test_target_rejects_incomplete_settings(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        target(**overrides)


@responses.activate
def test_groups_of_a_cloud_user_by_account_id() -> None:
    from adapters.events import Person

    responses.get(
        f"{BASE}/rest/api/3/user/groups",
        match=[responses.matchers.query_param_matcher({"accountId": "5b10a"})],
        json=[{"name": "customers-acme", "groupId": "1"}, {"name": "jira-users", "groupId": "2"}],
    )
    writer = JiraWriter(JiraTarget(url=BASE, email="bot@example.com", api_token=TOKEN))
    assert writer.groups_of(Person(id="5b10a")) == frozenset({"customers-acme", "jira-users"})
    assert writer.groups_of(Person(name="no id")) == frozenset()


@responses.activate
def test_groups_of_a_data_center_user_by_key() -> None:
    from adapters.events import Person

    responses.get(
        f"{BASE}/rest/api/2/user",
        match=[responses.matchers.query_param_matcher({"key": "JIRAUSER10100", "expand": "groups"})],
        json={"key": "JIRAUSER10100", "groups": {"size": 1, "items": [{"name": "acme-customers"}]}},
    )
    target = JiraTarget(url=BASE, personal_access_token=PAT, deployment="datacenter", api_version="2")
    assert JiraWriter(target).groups_of(Person(id="JIRAUSER10100")) == frozenset({"acme-customers"})
