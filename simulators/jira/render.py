"""JSON shapes of the platform API (v2 and v3) for users, issues, fields, comments and changelogs.

Shapes follow Jira Cloud's answers: GDPR-era user objects (accountId, accountType, no username), rich
text as strings in v2 and ADF in v3, option values as {self, value, id}, timestamps like
2019-02-15T19:15:40.470+0000. JSM shapes (request type, SLA, servicedeskapi DTOs) are in jsm_render.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulators.jira import sla as jira_sla
from simulators.jira.jsm_render import request_type_value
from simulators.jira.model import (
    ISSUE_TYPES,
    PRIORITIES,
    RESOLUTIONS,
    ChangeGroup,
    Comment,
    Field,
    Issue,
    Project,
    RichText,
    Status,
    Transition,
    jira_time,
)
from simulators.jira.state import JiraState

NOT_NAVIGABLE = frozenset({"comment"})


class Renderer:
    def __init__(self, state: JiraState) -> None:
        self.state = state

    @property
    def base(self) -> str:
        return self.state.base_url

    def avatars(self, kind: str, ident: str) -> dict[str, str]:
        return {
            size: f"{self.base}/secure/{kind}avatar?size={size}&id={ident}"
            for size in ("48x48", "24x24", "16x16", "32x32")
        }

    def user(self, account_id: str | None, version: int = 2) -> dict[str, Any] | None:
        user = self.state.users.get(account_id) if account_id else None
        if user is None:
            return None
        return {
            "self": f"{self.base}/rest/api/{version}/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "emailAddress": user.email,
            "avatarUrls": self.avatars("user", user.account_id),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
            "accountType": user.account_type,
        }

    def project(self, project: Project, version: int = 2) -> dict[str, Any]:
        return {
            "self": f"{self.base}/rest/api/{version}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": project.project_type,
            "simplified": False,
            "avatarUrls": self.avatars("project", project.id),
        }

    def status(self, status: Status, version: int = 2) -> dict[str, Any]:
        category = status.category
        return {
            "self": f"{self.base}/rest/api/{version}/status/{status.id}",
            "description": status.description,
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": {
                "self": f"{self.base}/rest/api/{version}/statuscategory/{category.id}",
                "id": category.id,
                "key": category.key,
                "colorName": category.color_name,
                "name": category.name,
            },
        }

    def issue_type(self, type_id: str, version: int = 2) -> dict[str, Any]:
        issue_type = next(t for t in ISSUE_TYPES if t.id == type_id)
        return {
            "self": f"{self.base}/rest/api/{version}/issuetype/{issue_type.id}",
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": f"{self.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/"
            f"{issue_type.avatar_id}",
            "name": issue_type.name,
            "subtask": False,
            "avatarId": issue_type.avatar_id,
            "hierarchyLevel": 0,
        }

    def priority(self, priority_id: str, version: int = 2) -> dict[str, Any]:
        priority = next(p for p in PRIORITIES if p.id == priority_id)
        return {
            "self": f"{self.base}/rest/api/{version}/priority/{priority.id}",
            "iconUrl": f"{self.base}/images/icons/priorities/{priority.icon}.svg",
            "name": priority.name,
            "id": priority.id,
        }

    def resolution(self, resolution_id: str, version: int = 2) -> dict[str, Any]:
        resolution = next(r for r in RESOLUTIONS if r.id == resolution_id)
        return {
            "self": f"{self.base}/rest/api/{version}/resolution/{resolution.id}",
            "id": resolution.id,
            "description": resolution.description,
            "name": resolution.name,
        }

    def option(self, option_id: str, values: dict[str, str]) -> dict[str, Any]:
        return {
            "self": f"{self.base}/rest/api/2/customFieldOption/{option_id}",
            "value": values.get(option_id, ""),
            "id": option_id,
        }

    # issues --------------------------------------------------------------------------------------

    def issue(
        self,
        issue: Issue,
        version: int,
        *,
        wanted: Iterable[str] | None = None,
        expand: Iterable[str] = (),
    ) -> dict[str, Any]:
        selected = self.select_fields(wanted)
        fields = {f.id: self.value(issue, f, version) for f in self.state.fields.values() if f.id in selected}
        body: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue.id,
            "self": f"{self.base}/rest/api/{version}/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }
        expand = set(expand)
        if "names" in expand:
            body["names"] = {f.id: f.name for f in self.state.fields.values() if f.id in selected}
        if "changelog" in expand:
            histories = [self.change_group(g, version) for g in issue.changelog]
            body["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return body

    def select_fields(self, wanted: Iterable[str] | None) -> set[str]:
        """Jira's `fields=` grammar: *all, *navigable, ids, and -id to leave one out."""
        every = list(self.state.fields)
        names = [w.strip() for w in (wanted or ["*all"]) if w.strip()]
        selected: set[str] = set()
        for name in names:
            if name == "*all":
                selected.update(every)
            elif name == "*navigable":
                selected.update(f for f in every if f not in NOT_NAVIGABLE)
            elif not name.startswith("-") and name in self.state.fields:
                selected.add(name)
        for name in names:
            if name.startswith("-"):
                selected.discard(name[1:])
        return selected

    def value(self, issue: Issue, field: Field, version: int) -> Any:
        stored = issue.fields.get(field.id)
        kind = field.kind
        if kind == "comment":
            comments = [self.comment(c, issue, version) for c in issue.comments]
            return {
                "comments": comments,
                "self": f"{self.base}/rest/api/{version}/issue/{issue.id}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
        if kind == "sla":
            sla = next((s for s in issue.slas if s.name == field.name), None)
            return jira_sla.render_sla(sla, issue, self.base, self.state.now()) if sla else None
        if kind == "request_type":
            return request_type_value(self, issue) if stored else None
        if kind == "project":
            return self.project(issue.project, version)
        if stored is None:
            return [] if kind in ("labels", "options", "users") else None
        return self._stored_value(field, stored, version)

    def _stored_value(self, field: Field, stored: Any, version: int) -> Any:
        kind = field.kind
        if kind == "text":
            assert isinstance(stored, RichText)
            return stored.as_adf() if version == 3 else stored.text
        if kind == "option":
            return self.option(stored, self.state.option_values(field))
        if kind == "options":
            values = self.state.option_values(field)
            return [self.option(option_id, values) for option_id in stored]
        if kind == "user" or field.id == "creator":
            return self.user(stored, version)
        if kind == "users":
            return [self.user(account_id, version) for account_id in stored]
        if kind == "datetime" or (kind == "readonly" and isinstance(stored, int)):
            return jira_time(stored)
        if kind == "status":
            return self.status(self._status(stored), version)
        if kind == "priority":
            return self.priority(stored, version)
        if kind == "issuetype":
            return self.issue_type(stored, version)
        if kind == "resolution":
            return self.resolution(stored, version)
        return stored

    def _status(self, status_id: str) -> Status:
        for project in self.state.projects.values():
            for status in project.workflow.statuses:
                if status.id == status_id:
                    return status
        raise KeyError(status_id)

    def comment(self, comment: Comment, issue: Issue, version: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": f"{self.base}/rest/api/{version}/issue/{issue.id}/comment/{comment.id}",
            "id": comment.id,
            "author": self.user(comment.author, version),
            "body": comment.body.as_adf() if version == 3 else comment.body.text,
            "updateAuthor": self.user(comment.update_author, version),
            "created": jira_time(comment.created),
            "updated": jira_time(comment.updated),
            "jsdPublic": comment.public,
        }
        if comment.visibility:
            body["visibility"] = comment.visibility
        return body

    def change_group(self, group: ChangeGroup, version: int) -> dict[str, Any]:
        return {
            "id": group.id,
            "author": self.user(group.author, version),
            "created": jira_time(group.created),
            "items": [item.to_dict() for item in group.items],
        }

    def field(self, field: Field) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": field.id,
            "key": field.id,
            "name": field.name,
            "custom": field.custom,
            "orderable": field.orderable,
            "navigable": field.navigable,
            "searchable": field.searchable,
            "clauseNames": list(field.clause_names),
            "schema": field.schema,
        }
        if field.custom:
            body["untranslatedName"] = field.name
        return body

    def transition(self, transition: Transition, issue: Issue, version: int) -> dict[str, Any]:
        return {
            "id": transition.id,
            "name": transition.name,
            "to": self.status(issue.project.workflow.status(transition.to), version),
            "hasScreen": False,
            "isGlobal": transition.sources is None,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }

    def snapshot(self, issue: Issue) -> dict[str, Any]:
        """Everything about an issue for assertions: v2 field values (custom ones by id), every comment
        with its visibility, and the whole changelog."""
        return {
            "id": issue.id,
            "key": issue.key,
            "fields": {
                f.id: self.value(issue, f, 2) for f in self.state.fields.values() if f.id != "comment"
            },
            "comments": [self.comment(c, issue, 2) for c in issue.comments],
            "changelog": [self.change_group(g, 2) for g in issue.changelog],
        }
