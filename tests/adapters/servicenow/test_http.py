"""TableApi, the pysnow-based client: each of pysnow's own ways that is wrong for the Table API or for
a caller that owns retries is replaced, and each test here fails if its replacement is taken out.

Against the simulated instance over loopback HTTP where it shows the behaviour; with `responses` for
answers a test instance cannot be made to give (rows an ACL drops from a page, redirects)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import responses
from pysnow.request import SnowRequest

from adapters.errors import PermanentWriteError, RateLimited
from adapters.servicenow import queries
from adapters.servicenow.http import TableApi
from adapters.servicenow.settings import api
from simulators.servicenow import ServiceNowSimulator
from tests.adapters.servicenow.conftest import site_settings

REPO = Path(__file__).resolve().parents[3]
URL = "https://acme.service-now.com"
INCIDENTS = f"{URL}/api/now/table/incident"


@pytest.fixture
def table(sim: ServiceNowSimulator) -> TableApi:
    return api(site_settings(sim.base_url))


def _numbers(pages: object) -> list[str]:
    return [r["number"] for page in pages for r in page]  # type: ignore[attr-defined]


def _sent(sim: ServiceNowSimulator) -> list[tuple[str, str, dict[str, list[str]]]]:
    return [(r.method, r.path, r.query) for r in sim.requests]


# paging -------------------------------------------------------------------------------------------


def test_every_page_is_read_through_the_link_header(sim: ServiceNowSimulator, table: TableApi) -> None:
    """pysnow's get() reads one page; records() follows rel="next" until there is none."""
    keys = [sim.create_incident(f"Printer {n}", caller="casey.customer") for n in range(5)]
    pages = list(
        table.records(
            "incident",
            query=queries.equals("category", "network"),
            fields=["number"],
            page_size=2,
            action="t",
        )
    )
    assert [len(page) for page in pages] == [2, 2, 1]
    assert _numbers(pages) == keys
    assert [q.get("sysparm_offset") for _, _, q in _sent(sim)] == [None, ["2"], ["4"]]


@responses.activate
def test_the_next_page_starts_where_the_link_says_not_after_the_rows_that_came() -> None:
    """The instance drops the rows an ACL hides from a page, so a page can be short and not the last;
    the next one starts at the offset the link names."""
    table = TableApi(URL, user="ela.connector", password="pw")
    asked = {
        "sysparm_query": "numberSTARTSWITHINC",
        "sysparm_limit": "2",
        "sysparm_exclude_reference_link": "true",
    }
    link = f"{INCIDENTS}?sysparm_query=numberSTARTSWITHINC&sysparm_limit=2"
    responses.get(
        INCIDENTS,
        match=[responses.matchers.query_param_matcher(asked)],
        json={"result": [{"number": "INC1"}]},  # a page of 2, one row hidden
        headers={"Link": f'<{link}&sysparm_offset=0>;rel="first",<{link}&sysparm_offset=2>;rel="next"'},
    )
    responses.get(
        INCIDENTS,
        match=[responses.matchers.query_param_matcher({**asked, "sysparm_offset": "2"})],
        json={"result": [{"number": "INC3"}, {"number": "INC4"}]},
        headers={"Link": f'<{link}&sysparm_offset=0>;rel="first",<{link}&sysparm_offset=2>;rel="last"'},
    )
    pages = table.records(
        "incident", query=queries.QueryBuilder().field("number").starts_with("INC"), page_size=2, action="t"
    )
    assert _numbers(pages) == ["INC1", "INC3", "INC4"]
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize(
    ("link", "refusal"),
    [
        ('<https://elsewhere.example/api/now/table/incident?sysparm_offset=2>;rel="next"', "points away"),
        (f'<{INCIDENTS}?sysparm_offset=0>;rel="next"', "goes back to offset 0"),
        (f'<{INCIDENTS}?sysparm_limit=2>;rel="next"', "names no offset"),
    ],
)
def test_a_next_link_that_would_leak_or_loop_is_refused(link: str, refusal: str) -> None:
    table = TableApi(URL, user="ela.connector", password="pw")
    responses.get(INCIDENTS, json={"result": [{"number": "INC1"}]}, headers={"Link": link})
    with pytest.raises(PermanentWriteError, match=refusal):
        list(table.records("incident", query=queries.equals("number", "INC1"), action="t"))
    assert len(responses.calls) == 1


# writes -------------------------------------------------------------------------------------------


def test_a_write_is_one_patch_of_the_changed_columns(sim: ServiceNowSimulator, table: TableApi) -> None:
    """pysnow's update() is a GET and then a PUT of the whole record; a write here is one PATCH."""
    key = sim.create_incident("VPN drops", caller="casey.customer")
    before = sim.record(key)
    start = len(sim.requests)
    answer = table.patch(
        "incident", before["sys_id"], {"impact": "2"}, fields=["impact", "short_description"], action="t"
    )
    assert answer == {"impact": "2", "short_description": "VPN drops"}
    [patch] = sim.requests[start:]
    assert (patch.method, patch.path, patch.json) == (
        "PATCH",
        f"/api/now/table/incident/{before['sys_id']}",
        {"impact": "2"},
    )
    changed = {"impact", "priority", "sys_mod_count", "sys_updated_on", "sys_updated_by"}
    after = sim.record(key)
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }
    assert after["sys_mod_count"] == str(int(before["sys_mod_count"]) + 1)


# sysparms -----------------------------------------------------------------------------------------


def test_only_sysparms_that_differ_from_the_defaults_are_sent(
    sim: ServiceNowSimulator, table: TableApi
) -> None:
    """pysnow sends all of them on every call (sysparm_limit=10000, sysparm_display_value=False, an
    empty sysparm_query on a PATCH ...); here each request carries what it means, as documented, and
    nothing of the call before it (a kept pysnow resource would: rbw/pysnow issue 195)."""
    key = sim.create_incident("VPN drops", caller="casey.customer")
    sys_id = sim.record(key)["sys_id"]
    start = len(sim.requests)
    list(
        table.records(
            "incident",
            query=queries.equals("number", key),
            fields=["number", "state"],
            display_value="all",
            page_size=2,
            action="t",
        )
    )
    list(
        table.records(
            "incident", query=queries.equals("number", key), display_value=True, page_size=10_000, action="t"
        )
    )
    table.patch("incident", sys_id, {"impact": "2"}, fields=["impact"], action="t")
    table.record("incident", sys_id, fields=["number"], action="t")
    table.create("sys_user_group", {"name": "Network"}, action="t")
    list(table.records("incident", query=queries.equals("number", key), action="t"))
    assert _sent(sim)[start:] == [
        (
            "GET",
            "/api/now/table/incident",
            {
                "sysparm_query": [f"number={key}"],
                "sysparm_limit": ["2"],
                "sysparm_display_value": ["all"],
                "sysparm_exclude_reference_link": ["true"],
                "sysparm_fields": ["number,state"],
            },
        ),
        (
            "GET",
            "/api/now/table/incident",
            {
                "sysparm_query": [f"number={key}"],
                "sysparm_display_value": ["true"],
                "sysparm_exclude_reference_link": ["true"],
            },
        ),
        (
            "PATCH",
            f"/api/now/table/incident/{sys_id}",
            {"sysparm_exclude_reference_link": ["true"], "sysparm_fields": ["impact"]},
        ),
        (
            "GET",
            f"/api/now/table/incident/{sys_id}",
            {"sysparm_exclude_reference_link": ["true"], "sysparm_fields": ["number"]},
        ),
        ("POST", "/api/now/table/sys_user_group", {}),
        (
            "GET",
            "/api/now/table/incident",
            {
                "sysparm_query": [f"number={key}"],
                "sysparm_limit": ["100"],
                "sysparm_exclude_reference_link": ["true"],
            },
        ),
    ]


# answers ------------------------------------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize("status", [301, 302, 303, 307])
def test_a_redirect_is_never_followed(status: int) -> None:
    """pysnow lets requests follow it: a PATCH sent to the single sign-on page would come back a GET
    of that page (302, 303) and look like an answer."""
    table = TableApi(URL, user="ela.connector", password="pw")
    login = "https://sso.example.com/login"
    responses.patch(f"{INCIDENTS}/{'a' * 32}", status=status, headers={"Location": login})
    responses.get(login, json={"result": {"impact": "2"}})
    responses.patch(login, json={"result": {"impact": "2"}})
    with pytest.raises(PermanentWriteError, match=rf"redirected \({status}\) to {login}"):
        table.patch("incident", "a" * 32, {"impact": "2"}, fields=["impact"], action="t")
    assert [call.request.url.split("?")[0] for call in responses.calls] == [f"{INCIDENTS}/{'a' * 32}"]


def test_errors_come_as_write_errors_with_servicenow_s_words(
    sim: ServiceNowSimulator, table: TableApi
) -> None:
    """pysnow's raise_for_status() would give an HTTPError, with no Retry-After and no message."""
    with pytest.raises(PermanentWriteError, match=r"answered 404 \(ServiceNow said: No Record found"):
        table.record("incident", "f" * 32, fields=["number"], action="read")
    sim.faults.add(method="GET", path=r"/api/now/table/incident", status=429, retry_after=9)
    with pytest.raises(RateLimited, match="rate limit") as limited:
        list(table.records("incident", query=queries.equals("number", "INC0010001"), action="read"))
    assert limited.value.retry_after == 9


@responses.activate
def test_an_answer_without_a_result_is_a_clear_failure() -> None:
    table = TableApi(URL, user="ela.connector", password="pw")
    responses.get(INCIDENTS, status=202, body=b"")  # pysnow: EmptyContent
    with pytest.raises(PermanentWriteError, match="has no 'result'"):
        list(table.records("incident", query=queries.equals("number", "INC1"), action="t"))
    responses.replace(responses.GET, INCIDENTS, json={"records": []})  # pysnow: MissingResult
    with pytest.raises(PermanentWriteError, match="has no 'result'"):
        list(table.records("incident", query=queries.equals("number", "INC1"), action="t"))


# threads ------------------------------------------------------------------------------------------


def test_calls_from_many_threads_each_send_their_own_query(
    sim: ServiceNowSimulator, table: TableApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pysnow resource keeps its sysparms between requests and shares them with every request it
    makes: one resource for two threads would send one call's query with the other's fields. The
    poll job and the outbox share one TableApi per site, so each call makes its own resource.

    pysnow's window between setting a call's sysparms and sending them is held open here: every
    thread has set its own before any sends, so a shared resource would send the last one set."""
    keys = [sim.create_incident(f"Printer {n}", caller="casey.customer") for n in range(4)]
    field_sets = [["number"], ["number", "state"], ["number", "priority"], ["number", "state", "impact"]]
    rounds = 5
    all_set = threading.Barrier(len(keys), timeout=20)
    send = SnowRequest._get_response

    def held(self: SnowRequest, method: str, **kwargs: object) -> object:
        all_set.wait()
        return send(self, method, **kwargs)

    monkeypatch.setattr(SnowRequest, "_get_response", held)
    wrong: list[tuple[str, object]] = []

    def ask(key: str, fields: list[str]) -> None:
        for _ in range(rounds):
            pages = table.records("incident", query=queries.equals("number", key), fields=fields, action="t")
            found = [r for page in pages for r in page]
            if [r.get("number") for r in found] != [key] or set(found[0]) != set(fields):
                wrong.append((key, found))

    threads = [threading.Thread(target=ask, args=(k, f)) for k, f in zip(keys, field_sets, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not all_set.broken
    assert wrong == []
    assert len(sim.requests) == len(keys) * rounds


# import -------------------------------------------------------------------------------------------


def test_the_adapter_imports_without_warnings_where_libmagic_is_missing() -> None:
    """pysnow warns at import when python-magic cannot load libmagic (the slim service image); the
    connector never sends attachments, so it imports without that warning, tests turning warnings into
    errors."""
    code = (
        "import sys; sys.modules['magic'] = None\n"  # what python-magic's import does without libmagic
        "import adapters.servicenow.queries, adapters.servicenow.poller, adapters.servicenow.setup\n"
        "import pysnow.attachment; assert not pysnow.attachment.HAS_MAGIC\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
