"""Every encoded query the adapter sends: the exact strings QueryBuilder writes, that the simulated
Table API reads each one as meant (no condition it would misread), that times go in as UTC, and that
a value which would change the query's meaning is refused before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adapters.errors import PermanentWriteError
from adapters.servicenow import queries
from adapters.servicenow.builder import WATCHED_FIELDS
from adapters.servicenow.journal import ELEMENTS
from adapters.servicenow.settings import api
from adapters.servicenow.values import sn_datetime
from simulators.servicenow import ServiceNowSimulator
from simulators.servicenow import query as encoded
from simulators.servicenow.schema import TABLES
from tests.adapters.servicenow.conftest import site_settings

SYS_ID = "9d385017c611228701d22104cc95c371"
# 11:00 in Paris in winter is 10:00 UTC, the time the Table API must be given.
PARIS = timezone(timedelta(hours=1))
AT = datetime(2024, 1, 5, 11, 0, 0, tzinfo=PARIS)
UTC_AT = "2024-01-05 10:00:00"

EXPECTED = [
    ("sys_user", queries.equals("user_name", "alex.agent"), "user_name=alex.agent"),
    ("incident", queries.equals("number", "INC0010001"), "number=INC0010001"),
    ("incident", queries.ids_in([SYS_ID, "b" * 32]), f"sys_idIN{SYS_ID},{'b' * 32}"),
    ("incident", queries.created_since(AT), f"sys_created_on>={UTC_AT}^ORDERBYsys_created_on"),
    (
        "sys_audit",
        queries.audit_since(["incident", "sn_customerservice_case"], WATCHED_FIELDS, AT),
        "tablenameINincident,sn_customerservice_case"
        f"^fieldnameIN{','.join(WATCHED_FIELDS)}"
        f"^record_checkpoint>0^sys_created_on>={UTC_AT}^ORDERBYsys_created_on",
    ),
    (
        "sys_journal_field",
        queries.journal_since(["incident"], ELEMENTS, AT),
        f"nameINincident^elementIN{','.join(ELEMENTS)}^sys_created_on>={UTC_AT}^ORDERBYsys_created_on",
    ),
    (
        "sys_journal_field",
        queries.entries_by(SYS_ID, ["comments"], "ela.connector", AT),
        f"element_id={SYS_ID}^elementINcomments^sys_created_by=ela.connector"
        f"^sys_created_on>={UTC_AT}^ORDERBYDESCsys_created_on",
    ),
    (
        "sys_dictionary",
        queries.column_on(["incident", "task"], "u_customer_mood"),
        "nameINincident,task^element=u_customer_mood",
    ),
    (
        "sys_choice",
        queries.active_choices("incident", "u_customer_mood"),
        "name=incident^element=u_customer_mood^inactive=false",
    ),
]


@pytest.mark.parametrize(("table", "query", "text"), EXPECTED, ids=[e[2][:40] for e in EXPECTED])
def test_each_query_is_written_exactly_and_read_as_meant(table: str, query: queries.Query, text: str) -> None:
    assert str(query) == text
    # The simulated instance's reading: every condition on a real column, none it would ignore.
    parsed = encoded.parse(text, TABLES[table])
    assert parsed.problems == []
    assert len(parsed.conditions) == text.count("^") + 1 - text.count("ORDERBY")


def test_times_go_in_as_utc_whatever_zone_they_come_in() -> None:
    same = [AT, AT.astimezone(UTC), AT.astimezone(timezone(timedelta(hours=-8)))]
    assert {str(queries.created_since(moment)) for moment in same} == {
        f"sys_created_on>={UTC_AT}^ORDERBYsys_created_on"
    }
    # A time without a zone is 10:00 for QueryBuilder and the machine's local time for Python: refused.
    with pytest.raises(ValueError, match="has no time zone"):
        queries.created_since(datetime(2024, 1, 5, 10, 0, 0))


def test_the_instance_finds_by_the_utc_time(sim: ServiceNowSimulator) -> None:
    key = sim.create_incident("VPN drops", caller="casey.customer")
    created = sn_datetime(sim.record(key)["sys_created_on"])
    assert created is not None
    table = api(site_settings(sim.base_url))
    # The connector's user reads times in US Pacific on this instance: the query is still in UTC.
    for moment, found in ((created, [key]), (created + timedelta(seconds=1), [])):
        for zone in (UTC, PARIS, timezone(timedelta(hours=-8))):
            pages = table.records(
                "incident",
                query=queries.created_since(moment.astimezone(zone)),
                fields=["number"],
                action="test",
            )
            assert [r["number"] for page in pages for r in page] == found


@pytest.mark.parametrize(
    "value",
    [
        "alex^ORDERBYsys_id",  # would end the condition and add another
        "x^NQactive=true",  # a second query, OR'd with the first
        "javascript:gs.getUserID()",  # run by the instance
        "  JavaScript:gs.getUserID()",
        "two\nlines",
        "",
    ],
)
def test_a_value_that_would_change_the_query_is_refused(value: str) -> None:
    with pytest.raises(PermanentWriteError, match=r"cannot be put in a ServiceNow encoded query|not a value"):
        queries.equals("user_name", value)
    with pytest.raises(PermanentWriteError):
        queries.entries_by(SYS_ID, ["comments"], value, AT)


def test_an_in_list_option_with_a_comma_or_no_option_is_refused() -> None:
    with pytest.raises(PermanentWriteError, match="cannot be an IN list"):
        queries.ids_in([SYS_ID, "a,b"])
    with pytest.raises(PermanentWriteError, match="cannot be an IN list"):
        queries.journal_since([], ELEMENTS, AT)
    with pytest.raises(PermanentWriteError, match="cannot be put in"):
        queries.column_on(["incident^ORDERBYname"], "u_customer_mood")


def test_a_column_name_is_checked_too() -> None:
    with pytest.raises(ValueError, match="not a ServiceNow column name"):
        queries.equals("number^active=true", "INC0010001")


def test_the_table_api_takes_no_query_but_one_from_here(sim: ServiceNowSimulator) -> None:
    table = api(site_settings(sim.base_url))
    with pytest.raises(TypeError, match=r"adapters\.servicenow\.queries"):
        next(table.records("incident", query="number=INC0010001", action="test"))  # type: ignore[arg-type]
    assert sim.requests == []
