"""Issue operations: create, edit, transition and delete, each checked the way Jira Cloud checks it.

Every operation validates everything first and changes nothing when it refuses (Jira answers all field
errors at once in `errors`). Changes are applied under the state lock, recorded in the changelog and
announced to the listeners (webhooks) before the lock is released.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulators.jira import sla as jira_sla
from simulators.jira.comments import CommentService
from simulators.jira.errors import JiraError, bad_request, field_errors, forbidden
from simulators.jira.fields import NOT_SETTABLE, FieldValueError, change_strings, coerce
from simulators.jira.model import (
    ISSUE_TYPES,
    RESOLUTIONS,
    ChangeGroup,
    ChangeItem,
    Issue,
    Project,
    RichText,
    User,
)
from simulators.jira.state import JiraState, StateEvent

NOTIFY_NEEDS_ADMIN = (
    "To discard the user notification either admin or project admin permissions are required."
)
OVERRIDE_NEEDS_APP = (
    "Connect app users with admin permissions (from user permissions and app scopes) and Forge app users "
    "with the manage:jira-configuration scope can override the screen security."
)


def require_agent(
    actor: User, message: str = "You do not have permission to perform this operation."
) -> None:
    """JSM portal customers hold no Jira licence: the platform API refuses them everything but reads
    of their own profile; they act through the servicedesk API."""
    if actor.is_customer:
        raise forbidden(message)


class IssueService:
    def __init__(
        self, state: JiraState, *, comment_issue_updated: bool = True, auto_transitions: bool = True
    ) -> None:
        self.state = state
        self.comments = CommentService(
            state, self.move, comment_issue_updated=comment_issue_updated, auto_transitions=auto_transitions
        )

    # create --------------------------------------------------------------------------------------

    def create(
        self,
        actor: User,
        fields: dict[str, Any],
        *,
        version: int,
        update: dict[str, Any] | None = None,
        request_type_id: str | None = None,
        as_request: bool = False,
    ) -> Issue:
        if not as_request:
            require_agent(actor, "You do not have permission to create issues in this project.")
        fields = dict(fields)
        errors: dict[str, str] = {}
        project = self._project_of(fields.pop("project", None), errors)
        type_id = self._issue_type_of(fields.pop("issuetype", None), project, errors)
        if "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            raise field_errors(errors)
        assert project is not None and type_id is not None
        if request_type_id is not None and request_type_id not in project.request_types:
            raise bad_request(f"The request type {request_type_id} does not exist in this service project.")
        values, comments = self.prepare(project, {}, fields, update, version=version, creating=True)
        state = self.state
        with state.lock:
            now = state.now()
            number = state.next_id(f"issue:{project.key}", 1)
            issue = Issue(
                id=state.next_id("issue"),
                key=f"{project.key}-{number}",
                project=project,
                fields={
                    "summary": None,
                    "issuetype": type_id,
                    "project": project.id,
                    "status": project.workflow.initial,
                    "statuscategorychangedate": now,
                    "priority": None,
                    "resolution": None,
                    "resolutiondate": None,
                    "assignee": None,
                    "reporter": None,
                    "creator": actor.account_id,
                    "labels": [],
                    "created": now,
                    "updated": now,
                },
            )
            if project.is_service_desk:
                issue.fields[state.jsm_fields["request_type"]] = request_type_id
                issue.fields[state.jsm_fields["participants"]] = []
                issue.slas = jira_sla.new_slas(now)
            status = project.workflow.status(project.workflow.initial)
            items = [ChangeItem("Status", "jira", "status", None, None, status.id, status.name)]
            items += self.apply(issue, {"priority": "3", "reporter": actor.account_id, **values})
            items.sort(key=lambda item: item.field.lower())
            state.issues[issue.key] = issue
            state.issues_by_id[issue.id] = issue
            group = ChangeGroup(state.next_id("changelog"), actor.account_id, now, items)
            state.emit(StateEvent("jira:issue_created", issue, actor, now, "issue_created", changelog=group))
        for body in comments:
            self.comments.add(actor, issue, body)
        return issue

    def _project_of(self, raw: Any, errors: dict[str, str]) -> Project | None:
        wanted = raw.get("key") or raw.get("id") if isinstance(raw, dict) else None
        project = self.state.project(str(wanted)) if wanted else None
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        return project

    def _issue_type_of(self, raw: Any, project: Project | None, errors: dict[str, str]) -> str | None:
        if not isinstance(raw, dict) or not (raw.get("id") or raw.get("name")):
            errors["issuetype"] = "Specify an issue type"
            return None
        for issue_type in ISSUE_TYPES:
            named = issue_type.id == str(raw.get("id")) or issue_type.name == raw.get("name")
            if named and (project is None or issue_type.id in project.issue_type_ids):
                return issue_type.id
        errors["issuetype"] = "The issue type selected is invalid."
        return None

    # edit ----------------------------------------------------------------------------------------

    def edit(
        self,
        actor: User,
        issue: Issue,
        fields: dict[str, Any],
        update: dict[str, Any] | None,
        *,
        version: int,
        notify_users: bool = True,
        override_screen_security: bool = False,
    ) -> ChangeGroup | None:
        require_agent(actor, "You do not have permission to edit issues in this project.")
        project_admin = actor.admin or actor.account_id in issue.project.admins
        if not notify_users and not project_admin:
            raise forbidden(NOTIFY_NEEDS_ADMIN)
        if override_screen_security and not (actor.account_type == "app" and actor.admin):
            raise forbidden(OVERRIDE_NEEDS_APP)
        values, comments = self.prepare(
            issue.project,
            issue.fields,
            fields,
            update,
            version=version,
            override_screen=override_screen_security,
        )
        group = self._commit_edit(actor, issue, values)
        for body in comments:
            self.comments.add(actor, issue, body)
        return group

    def add_participants(self, actor: User, issue: Issue, account_ids: list[str]) -> ChangeGroup | None:
        """Adds JSM request participants: an edit of the participants field, with its changelog."""
        field_id = self.state.jsm_fields["participants"]
        current = list(issue.fields.get(field_id) or [])
        wanted = current + [a for a in account_ids if a not in current]
        raw = {field_id: [{"accountId": account_id} for account_id in wanted]}
        values, _ = self.prepare(issue.project, issue.fields, raw, None, version=2)
        return self._commit_edit(actor, issue, values)

    def _commit_edit(self, actor: User, issue: Issue, values: dict[str, Any]) -> ChangeGroup | None:
        state = self.state
        with state.lock:
            items = self.apply(issue, values)
            if not items:
                return None
            now = state.now()
            items.sort(key=lambda item: item.field.lower())
            group = ChangeGroup(state.next_id("changelog"), actor.account_id, now, items)
            issue.changelog.append(group)
            issue.fields["updated"] = now
            kind = "issue_assigned" if all(i.field_id == "assignee" for i in items) else "issue_updated"
            state.emit(StateEvent("jira:issue_updated", issue, actor, now, kind, changelog=group))
            return group

    def prepare(
        self,
        project: Project,
        current: dict[str, Any],
        fields: dict[str, Any],
        update: dict[str, Any] | None,
        *,
        version: int,
        creating: bool = False,
        override_screen: bool = False,
    ) -> tuple[dict[str, Any], list[RichText]]:
        """New stored values for every written field, and comments to add; or all the errors at once."""
        errors: dict[str, str] = {}
        shape = False
        values: dict[str, Any] = {}
        comments: list[RichText] = []
        for field_id in set(fields).intersection(update or {}):
            errors[field_id] = f"Field '{field_id}' cannot be set in both 'fields' and 'update'."
        for field_id, raw in fields.items():
            try:
                values[field_id] = self._coerce(project, field_id, raw, version, override_screen)
            except FieldValueError as error:
                errors[field_id] = error.message
                shape = shape or error.shape
        for field_id, operations in (update or {}).items():
            try:
                if field_id == "comment":
                    comments += [self._comment_operation(op, version) for op in operations]
                    continue
                value = current.get(field_id)
                for operation in operations:
                    value = self._update_operation(
                        project, field_id, value, operation, version=version, override_screen=override_screen
                    )
                values[field_id] = value
            except FieldValueError as error:
                errors[field_id] = error.message
                shape = shape or error.shape
        if errors:
            raise field_errors(errors, violation="field_value_shape" if shape else None)
        return values, comments

    def _coerce(self, project: Project, field_id: str, raw: Any, version: int, override_screen: bool) -> Any:
        field = self.state.fields.get(field_id)
        if field is None or not field.settable or (field.custom and not (field.on_screen or override_screen)):
            raise FieldValueError(NOT_SETTABLE.format(id=field_id), shape=False)
        if field.custom and not any(c.applies_to(project.id) for c in field.contexts):
            raise FieldValueError(NOT_SETTABLE.format(id=field_id), shape=False)
        return coerce(field, raw, version=version, project_id=project.id, users=self.state.users)

    def _update_operation(
        self,
        project: Project,
        field_id: str,
        value: Any,
        operation: Any,
        *,
        version: int,
        override_screen: bool,
    ) -> Any:
        if not isinstance(operation, dict) or len(operation) != 1:
            raise FieldValueError("Each update operation must have exactly one verb.", shape=True)
        verb, argument = next(iter(operation.items()))
        if verb == "set":
            return self._coerce(project, field_id, argument, version, override_screen)
        field = self.state.fields.get(field_id)
        if verb in ("add", "remove") and field is not None and field.kind in ("labels", "options", "users"):
            item = self._coerce(project, field_id, [argument], version, override_screen)[0]
            items = list(value or [])
            if verb == "add" and item not in items:
                items.append(item)
            if verb == "remove" and item in items:
                items.remove(item)
            return items
        raise FieldValueError(f"Field '{field_id}' does not support the '{verb}' operation.", shape=False)

    def _comment_operation(self, operation: Any, version: int) -> RichText:
        body = operation.get("add", {}).get("body") if isinstance(operation, dict) else None
        return self.comments.parse_body(body, version)

    def apply(self, issue: Issue, values: dict[str, Any]) -> list[ChangeItem]:
        """Writes the values and returns the changelog items for the ones that changed."""
        items = []
        for field_id, new in values.items():
            old = issue.fields.get(field_id)
            if old == new or (old in (None, []) and new in (None, [])):
                continue
            issue.fields[field_id] = new
            items.append(self.change_item(field_id, old, new))
        return items

    def change_item(self, field_id: str, old: Any, new: Any) -> ChangeItem:
        field = self.state.fields[field_id]
        options = self.state.option_values(field) if field.kind in ("option", "options") else {}
        users = self.state.users
        old_id, old_text = change_strings(field, old, users=users, options=options)
        new_id, new_text = change_strings(field, new, users=users, options=options)
        extra = {"tmpFromAccountId": old, "tmpToAccountId": new} if field.kind == "user" else {}
        return ChangeItem(
            field=field.name if field.custom else field.id,
            fieldtype="custom" if field.custom else "jira",
            field_id=field.id,
            from_=old_id,
            from_string=old_text,
            to=new_id,
            to_string=new_text,
            extra=extra,
        )

    # transitions ---------------------------------------------------------------------------------

    def transition(
        self,
        actor: User,
        issue: Issue,
        transition: Any,
        fields: dict[str, Any],
        update: dict[str, Any] | None,
        *,
        version: int,
    ) -> ChangeGroup:
        require_agent(actor, "You do not have permission to transition this issue.")
        if not isinstance(transition, dict) or "id" not in transition:
            raise bad_request("Missing 'transition' identifier")
        workflow = issue.project.workflow
        chosen = next(
            (t for t in workflow.available(issue.fields["status"]) if t.id == str(transition["id"])), None
        )
        if chosen is None:
            raise bad_request(f"Transition id '{transition['id']}' is not valid for this issue.")
        target = workflow.status(chosen.to)
        fields = dict(fields)
        resolution = self._resolution_of(fields.pop("resolution", None), target.category.key == "done")
        values, comments = self.prepare(issue.project, issue.fields, fields, update, version=version)
        return self.move(actor, issue, target.id, values=values, resolution=resolution, comments=comments)

    def _resolution_of(self, raw: Any, done: bool) -> str | None:
        if raw is None:
            return None
        if not done:
            raise field_errors({"resolution": NOT_SETTABLE.format(id="resolution")})
        if isinstance(raw, dict):
            for resolution in RESOLUTIONS:
                if resolution.id == str(raw.get("id")) or resolution.name == raw.get("name"):
                    return resolution.id
            raise field_errors({"resolution": f"Resolution '{raw.get('name', raw.get('id'))}' is not valid."})
        raise field_errors(
            {"resolution": "Could not find valid 'id' or 'name' in resolution object."},
            violation="field_value_shape",
        )

    def move(
        self,
        actor: User,
        issue: Issue,
        status_id: str,
        *,
        values: dict[str, Any] | None = None,
        resolution: str | None = None,
        comments: Iterable[RichText] = (),
    ) -> ChangeGroup:
        """Moves the issue to a status (setting or clearing its resolution), in one changelog group."""
        state = self.state
        with state.lock:
            now = state.now()
            workflow = issue.project.workflow
            old = workflow.status(issue.fields["status"])
            new = workflow.status(status_id)
            was_done, done = old.category.key == "done", new.category.key == "done"
            items: list[ChangeItem] = []
            if done and not was_done:
                issue.fields["resolutiondate"] = now
                items += self.apply(issue, {"resolution": resolution or RESOLUTIONS[0].id})
            elif was_done and not done:
                issue.fields["resolutiondate"] = None
                items += self.apply(issue, {"resolution": None})
            items.append(ChangeItem("status", "jira", "status", old.id, old.name, new.id, new.name))
            issue.fields["status"] = new.id
            if old.category != new.category:
                issue.fields["statuscategorychangedate"] = now
            items += self.apply(issue, values or {})
            jira_sla.on_status_change(issue, new.name, done=done, was_done=was_done, now=now)
            group = ChangeGroup(state.next_id("changelog"), actor.account_id, now, items)
            issue.changelog.append(group)
            issue.fields["updated"] = now
            state.emit(StateEvent("jira:issue_updated", issue, actor, now, "issue_generic", changelog=group))
        for body in comments:
            self.comments.add(actor, issue, body)
        return group

    # delete --------------------------------------------------------------------------------------

    def delete(self, actor: User, issue: Issue) -> None:
        require_agent(actor, "You do not have permission to delete issues in this project.")
        if not (actor.admin or actor.account_id in issue.project.admins):
            raise forbidden("You do not have permission to delete issues in this project.")
        state = self.state
        with state.lock:
            if state.issues.get(issue.key) is not issue:
                raise JiraError(404, ["Issue does not exist or you do not have permission to see it."])
            del state.issues[issue.key]
            del state.issues_by_id[issue.id]
            state.emit(StateEvent("jira:issue_deleted", issue, actor, state.now(), "issue_deleted"))
