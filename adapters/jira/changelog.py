"""What a `jira:issue_updated` delivery says happened: a status change, tracked field changes, a comment.

Jira describes an update twice over: `issue_event_type_name` (issue_generic, issue_assigned,
issue_commented, ...; absent on old Server payloads) and `changelog.items[]` (one item per changed field,
`fromString`/`toString` being what a person sees). The changelog is the reliable part; the event type name
only fills the gaps the changelog leaves.
"""

from __future__ import annotations

from adapters.events import EventKind, FieldChange, Ticket
from adapters.payload import JsonObject, obj, objects, text

# Changelog field -> our field name. Matched on `fieldId` (Cloud) or, when absent (Server), on `field`,
# and only for Jira's own fields: a custom field may well be called "Priority" too.
TRACKED_FIELDS = {
    "assignee": "assignee",
    "priority": "priority",
    "labels": "labels",
    "resolution": "resolution",
}

_COMMENT_EVENT_TYPES = {
    "issue_commented": EventKind.commented,
    "issue_comment_edited": EventKind.comment_edited,
    "issue_comment_deleted": EventKind.comment_deleted,
}


def changelog_items(payload: JsonObject) -> list[JsonObject]:
    return objects(obj(payload, "changelog"), "items")


def _system_field(item: JsonObject) -> str | None:
    if text(item, "fieldtype") not in {None, "jira"}:
        return None
    name = text(item, "fieldId") or text(item, "field")
    # Cloud's issue-created changelog spells it "Status" (with fieldId "status"); Server spells fields in
    # lower case. Case does not distinguish two system fields, so it is ignored.
    return name.lower() if name else None


def status_change(items: list[JsonObject]) -> tuple[str | None, str] | None:
    """(from, to) status names of the status item, if the update moved the issue.

    A status item whose from and to are the same status is no move: Jira writes one when a transition
    loops back to its own status (a "Respond" transition, an automation rule re-setting it).
    """
    for item in items:
        if _system_field(item) == "status":
            to_status = text(item, "toString")
            if to_status is None or _same_status(item, to_status):
                continue
            return text(item, "fromString"), to_status
    return None


def _same_status(item: JsonObject, to_status: str) -> bool:
    from_id, to_id = text(item, "from"), text(item, "to")
    if from_id is not None and to_id is not None:
        return from_id == to_id
    return text(item, "fromString") == to_status


def tracked_changes(items: list[JsonObject]) -> list[FieldChange]:
    changes = []
    for item in items:
        field = TRACKED_FIELDS.get(_system_field(item) or "")
        if field is not None:
            changes.append(
                FieldChange(field=field, from_value=text(item, "fromString"), to_value=text(item, "toString"))
            )
    return changes


def assignment_without_changelog(
    event_type: str | None, items: list[JsonObject], ticket: Ticket
) -> FieldChange | None:
    """Jira Cloud can send `issue_assigned` with an empty changelog (reported for assignments made through
    the REST API, automation rules and bulk changes). The event type is then the only sign of the
    assignment, and the issue's current assignee the only value known (the previous one is lost)."""
    if event_type != "issue_assigned" or any(_system_field(item) == "assignee" for item in items):
        return None
    assignee = ticket.assignee
    return FieldChange(field="assignee", to_value=(assignee.name or assignee.id) if assignee else None)


def untracked_fields(items: list[JsonObject]) -> list[str]:
    """Names of the changed fields we do not follow, for the log line that says why a delivery was ignored."""
    names = []
    for item in items:
        if _system_field(item) not in {"status", *TRACKED_FIELDS}:
            name = text(item, "field") or text(item, "fieldId") or "?"
            if name not in names:
                names.append(name)
    return names


def comment_kind(event_type: str | None, comment: JsonObject | None) -> EventKind | None:
    """What happened to the comment an update carries.

    The event type says so when it is one of the three comment types. Old Jira Server payloads have no
    event type, and a transition made with a comment on its screen carries the transition's type
    (issue_resolved, issue_generic, ...); then a comment whose `updated` differs from its `created` has
    been edited, otherwise it is new.
    """
    if comment is None:
        return None
    kind = _COMMENT_EVENT_TYPES.get(event_type or "")
    if kind is not None:
        return kind
    created, updated = text(comment, "created"), text(comment, "updated")
    if created is not None and updated is not None and created != updated:
        return EventKind.comment_edited
    return EventKind.commented
