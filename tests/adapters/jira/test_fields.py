"""`ensure_fields` against a stateful stand-in for Jira Cloud's field, context and option resources
(outbound HTTP mocked with `responses`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from adapters.errors import PermanentWriteError
from adapters.jira.http import JiraHttp
from adapters.jira.setup import ensure_fields
from adapters.jira.writer import JiraTarget, JiraWriter
from adapters.results import FieldSpec

BASE = "https://acme.atlassian.net"
CF = "com.atlassian.jira.plugin.system.customfieldtypes:"


# --- ensure_fields -----------------------------------------------------------------------------------


class FakeJiraAdmin:
    """Jira Cloud's custom field admin resources, with state: fields, their contexts, their options.
    Pages are small (2 items) so that paging is exercised."""

    PAGE = 2

    def __init__(self, fields: list[dict[str, Any]] | None = None) -> None:
        self.fields: list[dict[str, Any]] = fields or [
            {
                "id": "summary",
                "key": "summary",
                "name": "Summary",
                "custom": False,
                "schema": {"type": "string", "system": "summary"},
            },
        ]
        self.contexts: dict[str, list[dict[str, Any]]] = {}
        self.options: dict[str, list[dict[str, Any]]] = {}
        self.auto_context = True  # Jira Cloud gives a field made through the API a global context
        self._next = 10100

    def _id(self) -> int:
        self._next += 1
        return self._next

    def register(self, rsps: responses.RequestsMock) -> None:
        api = re.escape(f"{BASE}/rest/api/3")
        rsps.add_callback(responses.GET, f"{BASE}/rest/api/3/field", callback=self.list_fields)
        rsps.add_callback(responses.POST, f"{BASE}/rest/api/3/field", callback=self.create_field)
        ctx = rf"{api}/field/(customfield_\d+)/context"
        rsps.add_callback(responses.GET, re.compile(ctx + r"(\?.*)?$"), callback=self.list_contexts)
        rsps.add_callback(responses.POST, re.compile(ctx + "$"), callback=self.create_context)
        opt = ctx + r"/(\d+)/option"
        rsps.add_callback(responses.GET, re.compile(opt + r"(\?.*)?$"), callback=self.list_options)
        rsps.add_callback(responses.POST, re.compile(opt + "$"), callback=self.create_options)
        rsps.add_callback(responses.PUT, re.compile(opt + "$"), callback=self.update_options)

    @staticmethod
    def _json(status: int, body: Any) -> tuple[int, dict[str, str], str]:
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def _page(self, request: Any, items: list[dict[str, Any]]) -> tuple[int, dict[str, str], str]:
        start = int(parse_qs(urlsplit(request.url).query).get("startAt", ["0"])[0])
        values = items[start : start + self.PAGE]
        return self._json(
            200,
            {
                "maxResults": self.PAGE,
                "startAt": start,
                "total": len(items),
                "isLast": start + self.PAGE >= len(items),
                "values": values,
            },
        )

    def list_fields(self, request: Any) -> tuple[int, dict[str, str], str]:
        return self._json(200, self.fields)

    def create_field(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body)
        num = self._id()
        schema_type = {"select": "option", "float": "number", "textfield": "string"}[
            body["type"].split(":")[1]
        ]
        field = {
            "id": f"customfield_{num}",
            "key": f"customfield_{num}",
            "name": body["name"],
            "untranslatedName": body["name"],
            "custom": True,
            "orderable": True,
            "navigable": True,
            "searchable": "searcherKey" in body,
            "clauseNames": [f"cf[{num}]", body["name"]],
            "schema": {"type": schema_type, "custom": body["type"], "customId": num},
        }
        self.fields.append(field)
        self.contexts[field["id"]] = []
        if self.auto_context:
            self._add_context(field["id"], f"Default Configuration Scheme for {body['name']}", True)
        return self._json(201, field)

    def _add_context(self, field_id: str, name: str, is_global: bool) -> dict[str, Any]:
        context = {
            "id": str(self._id()),
            "name": name,
            "description": "",
            "isGlobalContext": is_global,
            "isAnyIssueType": True,
        }
        self.contexts.setdefault(field_id, []).append(context)
        self.options[context["id"]] = []
        return context

    def list_contexts(self, request: Any) -> tuple[int, dict[str, str], str]:
        field_id = re.search(r"field/(customfield_\d+)/context", request.url).group(1)  # type: ignore[union-attr]
        return self._page(request, self.contexts.get(field_id, []))

    def create_context(self, request: Any) -> tuple[int, dict[str, str], str]:
        field_id = re.search(r"field/(customfield_\d+)/context", request.url).group(1)  # type: ignore[union-attr]
        body = json.loads(request.body)
        is_global = not body.get("projectIds")
        context = self._add_context(field_id, body["name"], is_global)
        return self._json(
            201,
            {
                "id": context["id"],
                "name": body["name"],
                "description": body.get("description", ""),
                "projectIds": body.get("projectIds", []),
                "issueTypeIds": body.get("issueTypeIds", []),
            },
        )

    def _context_of(self, request: Any) -> str:
        return re.search(r"/context/(\d+)/option", request.url).group(1)  # type: ignore[union-attr]

    def list_options(self, request: Any) -> tuple[int, dict[str, str], str]:
        return self._page(request, self.options[self._context_of(request)])

    def create_options(self, request: Any) -> tuple[int, dict[str, str], str]:
        options = self.options[self._context_of(request)]
        created = []
        for option in json.loads(request.body)["options"]:
            if any(o["value"] == option["value"] for o in options):
                return self._json(
                    400, {"errorMessages": [f"Option {option['value']} already exists"], "errors": {}}
                )
            created.append(
                {"id": str(self._id()), "value": option["value"], "disabled": option.get("disabled", False)}
            )
        options.extend(created)
        return self._json(200, {"options": created})

    def update_options(self, request: Any) -> tuple[int, dict[str, str], str]:
        options = {o["id"]: o for o in self.options[self._context_of(request)]}
        for change in json.loads(request.body)["options"]:
            options[change["id"]].update({k: v for k, v in change.items() if k != "id"})
        return self._json(200, {"options": list(options.values())})


SPECS = [
    FieldSpec(
        "mood",
        "Customer mood",
        "select",
        ("Very negative", "Negative", "Neutral", "Positive", "Very positive"),
    ),
    FieldSpec("mood_score", "Mood score", "number", description="Polarity of the last customer message"),
    FieldSpec("mood_trend", "Mood trend", "text"),
]


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _http() -> JiraHttp:
    return JiraHttp(
        BASE, cloud=True, api_version="3", basic=("ela@acme.com", "token"), session=requests.Session()
    )


def _writes(rsps: responses.RequestsMock) -> list[tuple[str, str, Any]]:
    return [
        (
            c.request.method,
            urlsplit(c.request.url).path,
            json.loads(c.request.body) if c.request.body else None,
        )
        for c in rsps.calls
        if c.request.method != "GET"
    ]


@pytest.mark.parametrize("auto_context", [True, False])
def test_ensure_fields_creates_fields_contexts_and_options_then_a_second_run_creates_nothing(
    rsps: responses.RequestsMock, auto_context: bool
) -> None:
    jira = FakeJiraAdmin()
    jira.auto_context = auto_context
    jira.register(rsps)

    ids = ensure_fields(_http(), SPECS)

    assert set(ids) == {"mood", "mood_score", "mood_trend"}
    writes = _writes(rsps)
    assert writes[0] == (
        "POST",
        "/rest/api/3/field",
        {
            "name": "Customer mood",
            "type": CF + "select",
            "searcherKey": CF + "multiselectsearcher",
        },
    )
    assert (
        "POST",
        "/rest/api/3/field",
        {
            "name": "Mood score",
            "type": CF + "float",
            "searcherKey": CF + "exactnumber",
            "description": "Polarity of the last customer message",
        },
    ) in writes
    assert (
        "POST",
        "/rest/api/3/field",
        {
            "name": "Mood trend",
            "type": CF + "textfield",
            "searcherKey": CF + "textsearcher",
        },
    ) in writes
    context_posts = [w for w in writes if w[1].endswith("/context")]
    assert len(context_posts) == (0 if auto_context else 3)
    for _, _, body in context_posts:
        assert body["projectIds"] == [] and body["issueTypeIds"] == []  # global, every issue type
    (mood_context,) = jira.contexts[ids["mood"]]
    assert mood_context["isGlobalContext"]
    option_posts = [w for w in writes if w[1].endswith("/option")]
    assert option_posts == [
        (
            "POST",
            f"/rest/api/3/field/{ids['mood']}/context/{mood_context['id']}/option",
            {"options": [{"value": v, "disabled": False} for v in SPECS[0].options]},
        )
    ]
    assert [o["value"] for o in jira.options[mood_context["id"]]] == list(SPECS[0].options)

    rsps.calls.reset()
    assert ensure_fields(_http(), SPECS) == ids
    assert _writes(rsps) == []  # idempotent: nothing created, nothing changed
    assert len(jira.fields) == 4 and all(len(c) == 1 for c in jira.contexts.values())


def test_ensure_fields_reuses_a_field_found_by_name_adds_missing_options_and_enables_disabled_ones(
    rsps: responses.RequestsMock,
) -> None:
    jira = FakeJiraAdmin()
    jira.fields.append(
        {
            "id": "customfield_10050",
            "key": "customfield_10050",
            "name": "customer MOOD",
            "custom": True,
            "schema": {"type": "option", "custom": CF + "radiobuttons", "customId": 10050},
        }
    )
    jira._add_context("customfield_10050", "Team A only", False)
    global_context = jira._add_context("customfield_10050", "Default Configuration Scheme", True)
    jira.options[global_context["id"]] = [
        {"id": "1", "value": "Very negative", "disabled": False},
        {"id": "2", "value": "Negative", "disabled": True},
        {"id": "3", "value": "Neutral", "disabled": False},
        {"id": "4", "value": "Meh", "disabled": False},  # an admin's own option: left alone
    ]
    jira.register(rsps)

    ids = ensure_fields(_http(), SPECS[:1])

    assert ids == {"mood": "customfield_10050"}
    path = f"/rest/api/3/field/customfield_10050/context/{global_context['id']}/option"
    assert _writes(rsps) == [
        ("PUT", path, {"options": [{"id": "2", "value": "Negative", "disabled": False}]}),
        (
            "POST",
            path,
            {
                "options": [
                    {"value": "Positive", "disabled": False},
                    {"value": "Very positive", "disabled": False},
                ]
            },
        ),
    ]
    option_gets = [c for c in rsps.calls if c.request.method == "GET" and "/option" in c.request.url]
    assert len(option_gets) == 2  # four options, two per page


def test_ensure_fields_refuses_a_same_named_field_of_another_type_and_creates_nothing(
    rsps: responses.RequestsMock,
) -> None:
    jira = FakeJiraAdmin()
    jira.fields.append(
        {
            "id": "customfield_10060",
            "key": "customfield_10060",
            "name": "Mood score",
            "custom": True,
            "schema": {"type": "string", "custom": CF + "textfield", "customId": 10060},
        }
    )
    jira.register(rsps)

    with pytest.raises(
        PermanentWriteError, match=r"'Mood score' already exists as .*textfield \(customfield_10060\)"
    ):
        ensure_fields(_http(), SPECS[1:2])

    assert _writes(rsps) == []


def test_ensure_fields_through_a_writer_makes_it_list_the_fields_again(rsps: responses.RequestsMock) -> None:
    jira = FakeJiraAdmin()
    jira.register(rsps)
    rsps.add(responses.PUT, f"{BASE}/rest/api/3/issue/SD-1", status=204)
    writer = JiraWriter(
        JiraTarget(BASE, email="ela@acme.com", api_token="token", fields={"mood": "Customer mood"}),
        session=requests.Session(),
    )
    writer.catalogue.fields()  # kept before the field exists

    ensure_fields(writer, SPECS[:1])
    writer.write_fields("SD-1", {"mood": "Positive"})

    assert json.loads(rsps.calls[-1].request.body) == {
        "fields": {jira.fields[-1]["id"]: {"value": "Positive"}}
    }


def test_ensure_fields_on_data_center_says_what_to_create_by_hand(rsps: responses.RequestsMock) -> None:
    http = JiraHttp(
        "https://jira.acme.internal", cloud=False, api_version="2", bearer="pat", session=requests.Session()
    )

    with pytest.raises(PermanentWriteError, match=r"Data Center.*'Customer mood' \(select\)"):
        ensure_fields(http, SPECS)

    assert len(rsps.calls) == 0


def test_ensure_fields_without_admin_permission_is_permanent_with_the_hint(
    rsps: responses.RequestsMock,
) -> None:
    FakeJiraAdmin().register(rsps)
    rsps.replace(
        responses.POST,
        f"{BASE}/rest/api/3/field",
        status=403,
        json={
            "errorMessages": [
                "You are not authorised to perform this action. Administrator privileges are required."
            ],
            "errors": {},
        },
    )

    with pytest.raises(
        PermanentWriteError, match=r"Administer Jira global permission.*Administrator privileges"
    ):
        ensure_fields(_http(), SPECS[:1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mood", "Mood", "number", ("a",)), "only a select field has options"),
        (("mood", "Mood", "select", ("a", "a")), "distinct"),
        (("mood", " ", "text"), "must not be empty"),
        (("mood", "Mood", "date"), "type must be one of"),
    ],
)
def test_field_spec_validation(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FieldSpec(*args)
