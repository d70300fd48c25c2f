"""ServiceNow's real answers (../shared/data/servicenow, see its SOURCES.md) read as the adapter reads
the simulator's: records to Tickets, journal rows to Comments, display-value shapes to values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.base import RoleRules
from adapters.events import AuthorRole, EventKind, Person, StatusCategory
from adapters.servicenow.builder import EventBuilder
from adapters.servicenow.journal import cleaned_text
from adapters.servicenow.record import RecordRef, ticket
from adapters.servicenow.states import StateMap
from adapters.servicenow.values import display, value


def _sample(shared_data: Path, name: str) -> Any:
    return json.loads((shared_data / "servicenow" / name).read_text())


def _ticket(table: str, record: dict[str, Any]) -> Any:
    ref = RecordRef(table, str(value(record, "sys_id")), str(value(record, "number")))
    return ticket(ref, record, StateMap())


def test_an_incident_from_the_table_api(shared_data: Path) -> None:
    record = _sample(shared_data, "ServiceNowDocs_c_TableAPI__02_Table_GET_now_table_tableName_sys_id.json")[
        "result"
    ]
    found = _ticket("incident", record)
    assert (found.key, found.id, found.type) == ("INC0000046", "a9e30c7dc61122760116894de7bcc7bd", "Incident")
    assert (found.status, found.status_category) == ("New", StatusCategory.new)
    assert found.summary == "Can't access SFA software"
    # A reference without display values: the caller's sys_id, from {"link", "value"}.
    assert found.requester == Person(id="46c6f9efa9fe198101ddf5eed9adf6e7")
    assert found.priority == "3"
    assert found.created_at == datetime(2015, 11, 2, 22, 4, 15, tzinfo=UTC)  # opened_at, in UTC


def test_cases_from_the_case_api(shared_data: Path) -> None:
    record = _sample(shared_data, "ServiceNowDocs_case-api__04_Case_GET_sn_customerservice_case_id.json")[
        "result"
    ]
    found = _ticket("sn_customerservice_case", record)
    assert (found.key, found.status, found.status_category) == (
        "CS0000871",
        "Open",
        StatusCategory.indeterminate,
    )
    assert found.assignee == Person(id="da419c1fc312310015519f2974d3ae15")  # a plain sys_id string
    listed = _sample(shared_data, "ServiceNowDocs_case-api__05_Case_GET_sn_customerservice_case.json")[
        "result"
    ]
    tickets = [_ticket("sn_customerservice_case", r) for r in listed]
    assert tickets[0].key == "CS0000009"
    assert (tickets[0].status, tickets[0].status_category) == ("Awaiting Info", StatusCategory.indeterminate)


def test_a_problem_list_reads_without_a_table_of_states(shared_data: Path) -> None:
    [record] = _sample(shared_data, "ServiceNowDocs_c_TableAPI__01_Table_GET_now_table_tableName.json")[
        "result"
    ]
    found = _ticket("problem", record)
    assert found.key == "PRB0000050" and found.status == "4" and found.status_category is None


def test_display_value_all_with_numbers_and_booleans(shared_data: Path) -> None:
    record = _sample(shared_data, "insightconnect-plugins__create_change_request.json.resp")["result"]
    assert value(record, "state") == "-5" and display(record, "state") == "New"
    assert value(record, "priority") == "4" and display(record, "priority") == "4 - Low"
    assert value(record, "active") == "true" and value(record, "parent") is None
    assert value(record, "sys_updated_on") == "2020-11-11 17:54:57"  # the value is UTC, the display is not


def test_journal_rows_become_comments(shared_data: Path) -> None:
    rows = _sample(shared_data, "insightconnect-plugins__get_incident_comments_worknotes_journal.json.resp")[
        "result"
    ]
    incident = _ticket(
        "incident",
        {"sys_id": "j1", "number": "INC0010001", "caller_id": {"value": "caller-1", "display_value": "Joe"}},
    )
    builder = EventBuilder("prod", RoleRules(), StateMap())
    events = [builder.commented(incident, row, Person(id=row["sys_created_by"])) for row in rows]
    assert [e.event_id for e in events] == [
        "servicenow:prod:journal:2c6420c31b0000506a4a85507e4bcb82",
        "servicenow:prod:journal:4db0e8cb1bcccc106a4a85507e4bcba2",
    ]
    notes, comment = (e.comment for e in events)
    assert notes is not None and comment is not None
    assert (notes.public, notes.text) == (False, "Team is actively looking into it.")
    assert (comment.public, comment.text) == (True, "This is Sev1 incident.")
    assert comment.created_at == datetime(2019, 9, 26, 21, 3, 7, tzinfo=UTC)
    assert all(
        e.kind is EventKind.commented and e.comment.author_role is AuthorRole.agent
        for e in events
        if e.comment
    )


def test_a_journal_dump_header_is_not_scored(shared_data: Path) -> None:
    record = _sample(
        shared_data, "insightconnect-plugins__get_incident_comments_worknotes_incident_record.json.resp"
    )
    comments = record["result"]["comments"]
    assert comments.startswith("2026-09-04 09:12:33 - System Administrator (Additional comments)")
    text = cleaned_text(comments)
    assert "Additional comments" not in text and "System Administrator" not in text
    assert "First line" not in text  # older entries are other messages
    work_notes = cleaned_text(record["result"]["work_notes"])
    assert work_notes == "Confirmed with the requester that this was expected activity"
    header = "2024-01-05 10:00:00 - Jane Doe (Additional comments)\nThe VPN is down again, this is awful."
    assert cleaned_text(header) == "The VPN is down again, this is awful."
