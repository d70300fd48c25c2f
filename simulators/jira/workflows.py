"""The two workflows the simulator knows: a JSM service-request workflow and a simple software one.

Status ids are global in Jira, so both workflows share "In progress" (id 3) like a real site does.
"""

from __future__ import annotations

from simulators.jira.model import (
    CATEGORY_DONE,
    CATEGORY_INDETERMINATE,
    CATEGORY_NEW,
    Status,
    Transition,
    Workflow,
)

WAITING_FOR_SUPPORT = Status("10001", "Waiting for support", CATEGORY_NEW)
IN_PROGRESS = Status("3", "In progress", CATEGORY_INDETERMINATE)
WAITING_FOR_CUSTOMER = Status("10002", "Waiting for customer", CATEGORY_INDETERMINATE)
RESOLVED = Status("5", "Resolved", CATEGORY_DONE)
CLOSED = Status("6", "Closed", CATEGORY_DONE)

TO_DO = Status("10003", "To Do", CATEGORY_NEW)
DONE = Status("10004", "Done", CATEGORY_DONE)

_OPEN = frozenset({WAITING_FOR_SUPPORT.id, IN_PROGRESS.id, WAITING_FOR_CUSTOMER.id})

SERVICE_REQUEST_WORKFLOW = Workflow(
    name="Service request fulfilment workflow",
    statuses=(WAITING_FOR_SUPPORT, IN_PROGRESS, WAITING_FOR_CUSTOMER, RESOLVED, CLOSED),
    initial=WAITING_FOR_SUPPORT.id,
    transitions=(
        Transition(
            "21",
            "Start progress",
            IN_PROGRESS.id,
            frozenset({WAITING_FOR_SUPPORT.id, WAITING_FOR_CUSTOMER.id}),
        ),
        Transition(
            "31",
            "Respond to customer",
            WAITING_FOR_CUSTOMER.id,
            frozenset({WAITING_FOR_SUPPORT.id, IN_PROGRESS.id}),
        ),
        Transition(
            "41",
            "Respond to support",
            WAITING_FOR_SUPPORT.id,
            frozenset({WAITING_FOR_CUSTOMER.id, IN_PROGRESS.id}),
        ),
        Transition("51", "Resolve this issue", RESOLVED.id, _OPEN),
        Transition("61", "Close", CLOSED.id, frozenset({RESOLVED.id})),
        Transition("71", "Reopen issue", WAITING_FOR_SUPPORT.id, frozenset({RESOLVED.id, CLOSED.id})),
    ),
)

SIMPLE_WORKFLOW = Workflow(
    name="Simplified workflow",
    statuses=(TO_DO, IN_PROGRESS, DONE),
    initial=TO_DO.id,
    transitions=(
        Transition("11", "To Do", TO_DO.id),
        Transition("21", "In Progress", IN_PROGRESS.id),
        Transition("31", "Done", DONE.id),
    ),
)

# JSM's default automation moves a request between the two waiting statuses when someone comments.
AUTO_ON_CUSTOMER_COMMENT = {WAITING_FOR_CUSTOMER.id: "41"}
AUTO_ON_AGENT_PUBLIC_COMMENT = {WAITING_FOR_SUPPORT.id: "31"}
