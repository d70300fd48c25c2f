"""Comments: add, edit and delete, public or internal, with JSM's side effects.

A comment announces itself twice on Cloud: `comment_created` and a `jira:issue_updated` whose
issue_event_type_name is `issue_commented` (a consumer that listens to both must not count it twice).
JSM's default automation then moves the request between the two waiting statuses, acting as its
automation app user, which is a third webhook the consumer must not mistake for an agent's action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.jira import sla as jira_sla
from simulators.jira.adf import is_adf
from simulators.jira.errors import JiraError, bad_request, field_errors, forbidden, not_found
from simulators.jira.model import Comment, Issue, RichText, User
from simulators.jira.state import JiraState, StateEvent
from simulators.jira.workflows import AUTO_ON_AGENT_PUBLIC_COMMENT, AUTO_ON_CUSTOMER_COMMENT

# The comment property JSM reads to mark a comment made through the platform API as internal.
SD_PUBLIC_COMMENT = "sd.public.comment"


# Moves an issue to a status as a user, with the changelog and webhook a transition makes (IssueService.move).
Move = Callable[[User, Issue, str], object]


class CommentService:
    def __init__(
        self, state: JiraState, move: Move, *, comment_issue_updated: bool, auto_transitions: bool
    ) -> None:
        self.state = state
        self.move = move
        self.comment_issue_updated = comment_issue_updated
        self.auto_transitions = auto_transitions

    @staticmethod
    def parse_body(raw: Any, version: int) -> RichText:
        if version == 3:
            if not is_adf(raw):
                # Cloud's answer to a v3 comment whose body is not an ADF document.
                raise JiraError(400, ["INVALID_INPUT"], violation="body_shape")
            body = RichText.from_adf(raw)
        elif isinstance(raw, str):
            body = RichText(raw)
        elif raw is None:
            body = RichText("")
        else:
            raise JiraError(400, ["Comment body must be a string in REST API v2."], violation="body_shape")
        if not body.text.strip():
            raise field_errors({"comment": "Comment body can not be empty!"})
        return body

    @staticmethod
    def is_public(properties: list[dict[str, Any]]) -> bool:
        for prop in properties:
            if prop.get("key") == SD_PUBLIC_COMMENT and isinstance(prop.get("value"), dict):
                return not prop["value"].get("internal", False)
        return True

    def can_view_request(self, actor: User, issue: Issue) -> bool:
        """Agents see every request; a customer only those they raised or take part in."""
        if not actor.is_customer:
            return True
        participants = issue.fields.get(self.state.jsm_fields.get("participants", ""), []) or []
        return actor.account_id == issue.reporter or actor.account_id in participants

    def comment(self, issue: Issue, comment_id: str) -> Comment:
        for comment in issue.comments:
            if comment.id == comment_id:
                return comment
        raise not_found(f"Can not find a comment for the id: {comment_id}.")

    def add(
        self,
        actor: User,
        issue: Issue,
        body: RichText,
        *,
        public: bool = True,
        visibility: dict[str, Any] | None = None,
        properties: list[dict[str, Any]] | None = None,
    ) -> Comment:
        state = self.state
        with state.lock:
            now = state.now()
            comment = Comment(
                id=state.next_id("comment"),
                author=actor.account_id,
                body=body,
                created=now,
                updated=now,
                update_author=actor.account_id,
                public=public,
                visibility=visibility,
                properties=list(properties or []),
            )
            issue.comments.append(comment)
            issue.fields["updated"] = now
            from_customer = actor.is_customer or actor.account_id == issue.reporter
            if public and not from_customer and actor.account_type == "atlassian":
                jira_sla.on_public_agent_comment(issue, now)
            state.emit(StateEvent("comment_created", issue, actor, now, comment=comment))
            if self.comment_issue_updated:
                state.emit(
                    StateEvent("jira:issue_updated", issue, actor, now, "issue_commented", comment=comment)
                )
            if self.auto_transitions and issue.project.is_service_desk:
                self._automate(issue, from_customer=from_customer, public=public)
            return comment

    def _automate(self, issue: Issue, *, from_customer: bool, public: bool) -> None:
        status = issue.fields["status"]
        rules = AUTO_ON_CUSTOMER_COMMENT if from_customer else AUTO_ON_AGENT_PUBLIC_COMMENT
        transition_id = rules.get(status) if (from_customer or public) else None
        robot = self.state.automation_user()
        if transition_id is None or robot is None:
            return
        target = next(t.to for t in issue.project.workflow.transitions if t.id == transition_id)
        self.move(robot, issue, target)

    def edit(
        self,
        actor: User,
        issue: Issue,
        comment_id: str,
        body: RichText,
        *,
        visibility: dict[str, Any] | None = None,
    ) -> Comment:
        if actor.is_customer:
            raise forbidden("You do not have permission to edit this comment.")
        state = self.state
        with state.lock:
            comment = self.comment(issue, comment_id)
            now = state.now()
            comment.body = body
            comment.updated = now
            comment.update_author = actor.account_id
            if visibility is not None:
                comment.visibility = visibility
            state.emit(StateEvent("comment_updated", issue, actor, now, comment=comment))
            if self.comment_issue_updated:
                state.emit(
                    StateEvent(
                        "jira:issue_updated", issue, actor, now, "issue_comment_edited", comment=comment
                    )
                )
            return comment

    def delete(self, actor: User, issue: Issue, comment_id: str) -> None:
        if actor.is_customer:
            raise forbidden("You do not have permission to delete this comment.")
        state = self.state
        with state.lock:
            comment = self.comment(issue, comment_id)
            if comment.author != actor.account_id and not actor.admin:
                raise forbidden("You do not have permission to delete this comment.")
            issue.comments.remove(comment)
            now = state.now()
            state.emit(StateEvent("comment_deleted", issue, actor, now, comment=comment))
            if self.comment_issue_updated:
                state.emit(StateEvent("jira:issue_updated", issue, actor, now, "issue_comment_deleted"))

    def add_from_portal(self, actor: User, issue: Issue, body: str, public: bool) -> Comment:
        """POST /rest/servicedeskapi/request/{key}/comment: customers may only comment publicly, and
        only on requests they raised or take part in."""
        if not issue.project.is_service_desk:
            raise bad_request("This issue is not a customer request.")
        if actor.is_customer and not public:
            raise forbidden("Customers can only add public comments.")
        if not body.strip():
            raise field_errors({"comment": "Comment body can not be empty!"})
        return self.add(actor, issue, RichText(body), public=public)
