"""A Jira issue (as a webhook carries it) to the normalised Ticket, including the JSM parts.

Jira Service Management keeps its request type, SLAs and request participants in custom fields whose ids
differ from site to site, and a webhook carries no field names or schema to look them up by. The request
type and SLA values have shapes no other field has, so they are found by shape; participants are not (see
`participants`).
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.base import RoleRules
from adapters.events import Person, SlaState, StatusCategory, Ticket
from adapters.jira.values import jira_datetime, name_of
from adapters.payload import JsonObject, flag, ident, integer, obj, objects, strings, text

_CATEGORIES = {category.value: category for category in StatusCategory}


def person(value: object) -> Person | None:
    """A Jira user: Cloud identifies people by `accountId` (plus `accountType`: atlassian | app | customer);
    Server and Data Center by `key` (stable across renames) and `name` (the login), with `emailAddress`."""
    if not isinstance(value, Mapping):
        return None
    found = Person(
        id=text(value, "accountId") or text(value, "key") or text(value, "name"),
        name=text(value, "displayName"),
        email=_visible_email(value),
        account_type=text(value, "accountType"),
        # Full user objects (Data Center, REST answers) carry the user's language; Cloud webhooks do not.
        locale=text(value, "locale"),
    )
    return found if any((found.id, found.name, found.email, found.account_type)) else None


def _visible_email(user: JsonObject) -> str | None:
    """Jira Cloud hides e-mail addresses by user privacy setting and then sends a placeholder such as
    `"?"` (quotes included) instead of omitting the field. Anything that is not an address reads as none."""
    email = text(user, "emailAddress")
    return email if email is not None and "@" in email.strip('"') else None


def ticket(key: str, issue: JsonObject, rules: RoleRules) -> Ticket:
    fields = obj(issue, "fields")
    status = obj(fields, "status")
    category = text(obj(status, "statusCategory"), "key")
    return Ticket(
        key=key,
        id=ident(issue, "id"),
        project=text(obj(fields, "project"), "key"),
        type=name_of(fields, "issuetype"),
        request_type=request_type(fields),
        priority=name_of(fields, "priority"),
        status=text(status, "name"),
        status_category=_CATEGORIES.get(category) if category else None,
        summary=text(fields, "summary"),
        # JSM: the reporter is the customer who raised the request (an agent raising it on someone's
        # behalf sets the reporter to that person). Plain Jira has no other notion of a requester.
        requester=person(fields.get("reporter")) if fields else None,
        assignee=person(fields.get("assignee")) if fields else None,
        participants=participants(fields, rules.request_participants_field),
        labels=strings(fields, "labels"),
        resolution=name_of(fields, "resolution"),
        created_at=jira_datetime(fields.get("created")) if fields else None,
        resolved_at=jira_datetime(fields.get("resolutiondate")) if fields else None,
        slas=slas(fields),
    )


def _custom_fields(fields: JsonObject | None) -> list[tuple[str, JsonObject]]:
    """Custom field values that are objects, in a stable order (by field id) whatever the payload's order."""
    if fields is None:
        return []
    return [
        (key, value)
        for key, value in sorted(fields.items())
        if key.startswith("customfield_") and isinstance(value, Mapping)
    ]


def request_type(fields: JsonObject | None) -> str | None:
    """JSM's "Customer Request Type" field: customfield_10010 on many Cloud sites, another id elsewhere.
    Its value is `{"_links": {...}, "requestType": {"id", "name", ...}, "currentStatus": {...}}`; a
    `requestType` object with a name is found in no other field, so that shape identifies it."""
    for _, value in _custom_fields(fields):
        name = text(obj(value, "requestType"), "name")
        if name is not None:
            return name
    return None


def slas(fields: JsonObject | None) -> tuple[SlaState, ...]:
    """JSM SLA fields ("Time to first response", "Time to resolution", and any the site adds), each a custom
    field with a site-specific id. Their value, `{"name", "ongoingCycle"?, "completedCycles": [...]}`, is
    the SLA's own shape, so every custom field of that shape is an SLA."""
    found = [sla for _, value in _custom_fields(fields) if (sla := _sla(value)) is not None]
    return tuple(sorted(found, key=lambda sla: sla.name))


def _sla(value: JsonObject) -> SlaState | None:
    name = text(value, "name")
    ongoing = obj(value, "ongoingCycle")
    if name is None or (ongoing is None and not isinstance(value.get("completedCycles"), list)):
        return None
    # The ongoing cycle is the clock that is running now; without one, the SLA's state is that of its last
    # completed cycle (a reopened request starts a new cycle). No cycle at all: the clock has not started.
    done = objects(value, "completedCycles")
    if ongoing is not None:
        cycle, completed = ongoing, False
    else:
        if not done:
            return SlaState(name=name)
        cycle, completed = done[-1], True
    return SlaState(
        name=name,
        breached=flag(cycle, "breached"),
        # A reopened request's SLA is judged by its new cycle, yet its first one may have breached: the
        # ticket's SLA was still missed (what "SLA met" beside the ELA must know).
        ever_breached=any(flag(c, "breached") is True for c in (*done, cycle)),
        paused=flag(cycle, "paused"),
        completed=completed,
        goal_ms=integer(obj(cycle, "goalDuration"), "millis"),
        remaining_ms=integer(obj(cycle, "remainingTime"), "millis"),
    )


def participants(fields: JsonObject | None, field_id: str | None) -> tuple[Person, ...]:
    """JSM request participants, read only from the field the site's configuration names.

    Not detected by shape: the value is a plain list of users, exactly like any multi-user picker a site
    may have ("Approvers", "Reviewers", ...), and mistaking agents for participants would make them
    customers. Without the configured field id, participants stay unknown.
    """
    if field_id is None:
        return ()
    return tuple(found for value in objects(fields, field_id) if (found := person(value)) is not None)
