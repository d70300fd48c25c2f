"""The Jira writer: logical fields (`mood`, `mood_score`, ...) onto a ticket in one call, read back for
reconciliation; comments (public or internal), found again after an unknown outcome; labels.

One attempt per call: retries, backoff and the durable queue belong to the connector's outbox, which
tells the outcomes apart by the WriteError subclass raised here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import requests

from adapters.base import FieldValue, TicketWriter
from adapters.errors import PermanentWriteError
from adapters.events import Person
from adapters.jira.adf import document_from_text, text_of_document
from adapters.jira.fields import FieldCatalogue, ResolvedField
from adapters.jira.http import JiraHttp, check_issue_ref
from adapters.jira.values import jira_datetime

_COMMENT_MAX = 32767  # Jira's default limit on a comment's length
_TEXTFIELD_MAX = 255  # Jira rejects a longer single-line text value with a 400
_TEXTAREA_MAX = 32767
_LABEL_MAX = 255
# How far a comment's `created` (Jira's clock) may lag the time we started posting it (ours).
_CLOCK_SKEW = timedelta(minutes=10)
_COMMENTS_SEARCHED = 100  # the newest comments of a ticket searched for one we may have posted

_NOTIFY_HINT = (
    "notifyUsers=false needs admin or project-admin permission on Jira Cloud (Administer Jira, or "
    "Administer Projects on the ticket's project), besides Browse projects and Edit issues: grant them to "
    "the connector's account. The connector never writes with notifications on: that would e-mail "
    "customers on every mood update"
)


@dataclass(frozen=True)
class JiraTarget:
    """How to reach one Jira site and which of its fields hold our values (built from the site's YAML)."""

    url: str
    email: str | None = None  # Cloud: e-mail + API token (Basic auth); Data Center: user name + password
    api_token: str | None = field(default=None, repr=False)
    personal_access_token: str | None = field(default=None, repr=False)  # Data Center: Bearer PAT
    deployment: Literal["cloud", "datacenter"] = "cloud"
    api_version: Literal["2", "3"] = "3"
    # logical key (mood, mood_score, initial_mood, mood_trend, ...) -> field id or field name
    fields: Mapping[str, str] = field(default_factory=dict)
    service_desk: bool = True  # JSM: comments through the servicedesk API, with `public`
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    # Plain Jira only (service_desk false): who may read an internal comment, as a comment visibility
    # restriction, e.g. ("role", "Developers") or ("group", "jira-software-users").
    internal_comment_visibility: tuple[Literal["role", "group"], str] | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError(f"Jira url must start with https:// (got {self.url!r})")
        if self.deployment not in ("cloud", "datacenter"):
            raise ValueError(f"deployment must be cloud or datacenter, not {self.deployment!r}")
        if self.api_version not in ("2", "3"):
            raise ValueError(f"api_version must be '2' or '3', not {self.api_version!r}")
        if self.deployment == "datacenter" and self.api_version != "2":
            raise ValueError("Jira Data Center has REST API version 2 only: set api_version to '2'")
        basic = bool(self.email) and bool(self.api_token)
        if self.deployment == "cloud" and not basic:
            raise ValueError("Jira Cloud needs email and api_token")
        if self.deployment == "datacenter" and not (basic or self.personal_access_token):
            raise ValueError(
                "Jira Data Center needs personal_access_token (or email as user name and api_token)"
            )
        for key, ref in self.fields.items():
            if not key or not isinstance(ref, str) or not ref.strip():
                raise ValueError(f"field mapping {key!r}: needs a Jira field id or name")


class JiraWriter(TicketWriter):
    def __init__(self, target: JiraTarget, session: requests.Session | None = None) -> None:
        self.target = target
        basic = (target.email, target.api_token) if target.email and target.api_token else None
        self.http = JiraHttp(
            target.url,
            cloud=target.deployment == "cloud",
            api_version=target.api_version,
            basic=basic,
            bearer=None if basic else target.personal_access_token,
            connect_timeout=target.connect_timeout,
            read_timeout=target.read_timeout,
            session=session,
        )
        self.catalogue = FieldCatalogue(self.http)
        self._myself: str | None = None

    def __repr__(self) -> str:
        return f"JiraWriter({self.target.url!r})"

    def resolve_fields(self, *, refresh: bool = False) -> dict[str, ResolvedField]:
        """Every configured logical key bound to its Jira field. Jira's field list is fetched once and
        kept; when a reference does not resolve against a kept list, it is fetched again once (the
        field may have been created since), and only then is the error raised."""
        fresh = refresh or not self.catalogue.loaded
        try:
            return self.catalogue.resolve(self.target.fields, refresh=refresh)
        except PermanentWriteError:
            if fresh:
                raise
            return self.catalogue.resolve(self.target.fields, refresh=True)

    def _fields_for(self, keys: list[str]) -> list[ResolvedField]:
        unknown = [k for k in keys if k not in self.target.fields]
        if unknown:
            raise PermanentWriteError(
                f"no Jira field configured for {unknown} (configured: {sorted(self.target.fields)})"
            )
        resolved = self.resolve_fields()
        return [resolved[k] for k in keys]

    def write_fields(self, ticket_key: str, values: Mapping[str, FieldValue]) -> None:
        key = check_issue_ref(ticket_key)
        if not values:
            return
        fields = self._fields_for(list(values))
        body = {
            "fields": {
                f.id: encode_value(f, values[f.key], api_version=self.target.api_version) for f in fields
            }
        }
        names = ", ".join(f"{f.key}={f.id}" for f in fields)
        try:
            self.http.call(
                "PUT",
                self.http.api(f"issue/{key}"),
                # A string, not a bool: atlassian-python-api urlencodes True as "True".
                params={"notifyUsers": "false"},
                body=body,
                action=f"write fields on {key} ({names})",
                forbidden_hint=_NOTIFY_HINT,
            )
        except PermanentWriteError as exc:
            if exc.status == 400:
                # Often a field deleted or re-created since we listed them: list them afresh next time.
                self.catalogue.invalidate()
            raise

    def read_fields(self, ticket_key: str, keys: list[str]) -> dict[str, FieldValue]:
        key = check_issue_ref(ticket_key)
        if not keys:
            return {}
        fields = self._fields_for(list(keys))
        body = self.http.call(
            "GET",
            self.http.api(f"issue/{key}"),
            params={"fields": ",".join(dict.fromkeys(f.id for f in fields))},
            action=f"read fields of {key}",
            forbidden_hint="check that the connector's account can browse the project",
        )
        raw: Any = body.get("fields") if isinstance(body, Mapping) else None
        if not isinstance(raw, Mapping):
            raise PermanentWriteError(f"read fields of {key}: Jira's answer has no 'fields' object")
        # A field missing from the answer is not on this issue (or empty): the same as cleared.
        return {f.key: decode_value(f, raw.get(f.id)) for f in fields}

    def groups_of(self, person: Person) -> frozenset[str]:
        """The names of the Jira groups `person` belongs to (UserDirectory)."""
        if not person.id:
            return frozenset()
        if self.http.cloud:
            # Cloud identifies users by accountId only; the answer is a plain list of groups.
            body = self.http.call(
                "GET",
                self.http.api("user/groups"),
                params={"accountId": person.id},
                action=f"list the groups of user {person.id}",
                forbidden_hint="listing a user's groups needs the Browse users and groups permission",
            )
            items = body if isinstance(body, list) else []
        else:
            # Data Center: the adapter identifies users by user key; groups come as an expansion.
            body = self.http.call(
                "GET",
                self.http.api("user"),
                params={"key": person.id, "expand": "groups"},
                action=f"list the groups of user {person.id}",
                forbidden_hint="listing a user's groups needs the Browse users and groups permission",
            )
            groups = body.get("groups") if isinstance(body, Mapping) else None
            items = groups.get("items", []) if isinstance(groups, Mapping) else []
        return frozenset(str(g["name"]) for g in items if isinstance(g, Mapping) and g.get("name"))

    def add_comment(self, ticket_key: str, text: str, *, public: bool) -> str:
        key = check_issue_ref(ticket_key)
        if not isinstance(text, str) or not text.strip():
            raise PermanentWriteError(f"comment on {key}: the text is empty")
        if len(text) > _COMMENT_MAX:
            raise PermanentWriteError(f"comment on {key}: {len(text)} characters, Jira takes {_COMMENT_MAX}")
        kind = "public" if public else "internal"
        if self.target.service_desk:
            # JSM keeps its own public/internal flag on a comment (the `sd.public.comment` property,
            # which this API's `public` sets); its agent view, portal and customer notifications go by
            # that flag. A Jira `visibility` restriction is another mechanism: JSM does not show such a
            # comment as "Internal", it hides the note from agents outside the role or group too, and
            # whether a customer sees it depends on which roles customers happen to hold.
            body = self.http.call(
                "POST",
                f"rest/servicedeskapi/request/{key}/comment",
                body={"body": text, "public": public},
                action=f"add a {kind} comment on {key}",
                forbidden_hint="the connector's account must be an agent of the service project to comment "
                "(and to add internal comments: customers can only add public ones)",
            )
        else:
            comment: dict[str, Any] = {"body": text}
            if not public:
                # Plain Jira has no customers, only who may see a comment: a visibility restriction.
                if self.target.internal_comment_visibility is None:
                    raise PermanentWriteError(
                        f"internal comment on {key}: plain Jira has no internal comments; set "
                        "internal_comment_visibility (a role or group) for the site, or turn service_desk on"
                    )
                kind_, value = self.target.internal_comment_visibility
                comment["visibility"] = {"type": kind_, "value": value}
            # REST v2 on both Cloud and Data Center: the body is a plain (wiki markup) string there.
            body = self.http.call(
                "POST",
                self.http.api(f"issue/{key}/comment", "2"),
                body=comment,
                action=f"add a {kind} comment on {key}",
                forbidden_hint="check that the connector's account can browse the project and add comments",
            )
        if not isinstance(body, Mapping) or body.get("id") is None:
            raise PermanentWriteError(f"add a comment on {key}: Jira's answer has no comment id")
        return str(body["id"])

    def find_comment(
        self, ticket_key: str, text: str, *, since: datetime, exclude: Sequence[str] = ()
    ) -> str | None:
        key = check_issue_ref(ticket_key)
        me = self._my_id()
        # REST v2 gives bodies as the wiki-markup string we posted, on Cloud and Data Center alike.
        body = self.http.call(
            "GET",
            self.http.api(f"issue/{key}/comment", "2"),
            params={"orderBy": "-created", "maxResults": str(_COMMENTS_SEARCHED)},
            action=f"list the comments of {key}",
            forbidden_hint="check that the connector's account can browse the project",
        )
        comments = body.get("comments") if isinstance(body, Mapping) else None
        if not isinstance(comments, list):
            raise PermanentWriteError(f"list the comments of {key}: Jira's answer has no 'comments' list")
        wanted = _normalised(text)
        for comment in comments:
            if not isinstance(comment, Mapping) or str(comment.get("id")) in exclude:
                continue
            author = comment.get("author")
            author_ids = (
                {str(author.get(k)) for k in ("accountId", "key", "name") if author.get(k)}
                if isinstance(author, Mapping)
                else set()
            )
            created = jira_datetime(comment.get("created"))
            if (
                me in author_ids
                and created is not None
                and created >= since - _CLOCK_SKEW
                and isinstance(comment.get("body"), str)
                and _normalised(comment["body"]) == wanted
            ):
                return str(comment["id"])
        return None

    def _my_id(self) -> str:
        """The connector's own account: accountId on Cloud, user key on Data Center."""
        if self._myself is None:
            body = self.http.call("GET", self.http.api("myself"), action="identify the connector's account")
            found = None
            if isinstance(body, Mapping):
                found = body.get("accountId") if self.http.cloud else body.get("key") or body.get("name")
            if not isinstance(found, str) or not found:
                raise PermanentWriteError("identify the connector's account: Jira's answer names no account")
            self._myself = found
        return self._myself

    def create_issue(
        self, project: str, issue_type: str, summary: str, description: str, *, labels: Sequence[str] = ()
    ) -> str:
        if not project.strip() or not issue_type.strip() or not summary.strip():
            raise PermanentWriteError("create an issue: project, issue type and summary are required")
        fields: dict[str, Any] = {
            "project": {"key": project},
            "issuetype": {"name": issue_type},
            "summary": summary[:_TEXTFIELD_MAX],
            # REST v3 takes Atlassian Document Format for the description; v2 a wiki-markup string.
            "description": document_from_text(description) if self.target.api_version == "3" else description,
            "labels": list(labels),
        }
        body = self.http.call(
            "POST",
            self.http.api("issue"),
            body={"fields": fields},
            action=f"create a {issue_type} in {project}",
            forbidden_hint=f"the connector's account needs Create issues in project {project}",
        )
        if not isinstance(body, Mapping) or not isinstance(body.get("key"), str):
            raise PermanentWriteError(f"create an issue in {project}: Jira's answer has no key")
        return str(body["key"])

    def find_issue(self, label: str) -> str | None:
        if not label or " " in label or '"' in label:
            raise PermanentWriteError(f"find an issue: {label!r} is not a label")
        # Cloud's bounded search (the old /search is gone from Cloud): ids only, unless fields are asked.
        body = self.http.call(
            "GET",
            self.http.api("search/jql", "3") if self.http.cloud else self.http.api("search"),
            params={"jql": f'labels = "{label}"', "fields": "summary", "maxResults": "1"},
            action=f"search the issue labelled {label}",
            forbidden_hint="check that the connector's account can browse the project",
        )
        issues = body.get("issues") if isinstance(body, Mapping) else None
        if not isinstance(issues, list):
            raise PermanentWriteError(f"search the issue labelled {label}: Jira's answer has no 'issues'")
        found = next((i.get("key") for i in issues if isinstance(i, Mapping)), None)
        return str(found) if found else None

    def set_priority(self, ticket_key: str, priority: str) -> None:
        key = check_issue_ref(ticket_key)
        if not isinstance(priority, str) or not priority.strip():
            raise PermanentWriteError(f"priority on {key}: no priority name given")
        self.http.call(
            "PUT",
            self.http.api(f"issue/{key}"),
            params={"notifyUsers": "false"},
            body={"fields": {"priority": {"name": priority}}},
            action=f"set the priority of {key} to {priority!r}",
            forbidden_hint=_NOTIFY_HINT,
        )

    def change_labels(self, ticket_key: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
        key = check_issue_ref(ticket_key)
        bad = [label for label in (*add, *remove) if not label or " " in label or len(label) > _LABEL_MAX]
        if bad:
            raise PermanentWriteError(
                f"labels on {key}: not Jira labels (no spaces, 1-255 characters): {bad}"
            )
        operations = [{"add": label} for label in add] + [{"remove": label} for label in remove]
        if not operations:
            return
        self.http.call(
            "PUT",
            self.http.api(f"issue/{key}"),
            params={"notifyUsers": "false"},
            # `update` with add / remove touches only these labels; `fields.labels` would replace all.
            body={"update": {"labels": operations}},
            action=f"change labels on {key}",
            forbidden_hint=_NOTIFY_HINT,
        )


def _normalised(text: str) -> str:
    return " ".join(text.split())


# --- values on the wire --------------------------------------------------------------------------


def encode_value(field: ResolvedField, value: FieldValue, *, api_version: str) -> Any:
    """The JSON Jira takes for `value` in {"fields": {id: ...}}; None clears the field."""
    where = f"{field.key} ({field.id})"
    if field.kind == "labels":
        if value is None:
            return []
        labels = _expect_str(value, where).split()
        too_long = [label for label in labels if len(label) > _LABEL_MAX]
        if too_long:
            raise PermanentWriteError(f"{where}: labels longer than {_LABEL_MAX} characters: {too_long}")
        return labels
    if field.kind == "multiselect":
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise PermanentWriteError(f"{where}: a multi-select takes a list of option labels, not {value!r}")
        return [{"value": v} for v in value]
    if value is None:
        return None
    if field.kind == "select":
        text = _expect_str(value, where)
        if not text:
            raise PermanentWriteError(f"{where}: an empty option; write None to clear the field")
        return {"value": text}
    if field.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PermanentWriteError(f"{where}: a number field takes a finite number, not {value!r}")
        return value
    text = _expect_str(value, where)
    if field.kind == "datetime":
        return _jira_datetime_value(text, where)
    if field.kind == "text":
        if len(text) > _TEXTFIELD_MAX:
            raise PermanentWriteError(f"{where}: {len(text)} characters, a text field holds {_TEXTFIELD_MAX}")
        return text
    if len(text) > _TEXTAREA_MAX:
        raise PermanentWriteError(f"{where}: {len(text)} characters, a paragraph field holds {_TEXTAREA_MAX}")
    # REST v3 takes and returns Atlassian Document Format for paragraph (textarea) fields; v2 a string.
    return document_from_text(text) if api_version == "3" else text


def _jira_datetime_value(text: str, where: str) -> str:
    """A Date Time Picker takes `2026-12-01T10:00:00.000+0000`: milliseconds and an offset without a
    colon (the form Jira returns too); the connector's values are ISO 8601 with an offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PermanentWriteError(f"{where}: a date-time field takes ISO 8601 with an offset, not {text!r}")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _expect_str(value: FieldValue, where: str) -> str:
    if not isinstance(value, str):
        raise PermanentWriteError(f"{where}: expected text, not {value!r}")
    return value


def decode_value(field: ResolvedField, raw: Any) -> FieldValue:
    """The plain value `encode_value` was given, from what GET /issue returns for the field."""
    if field.kind == "multiselect" and isinstance(raw, list | type(None)):
        return [
            str(o["value"]) for o in raw or [] if isinstance(o, Mapping) and isinstance(o.get("value"), str)
        ]
    if raw is None:
        return None
    if field.kind == "select" and isinstance(raw, Mapping) and isinstance(raw.get("value"), str):
        return str(raw["value"])
    if field.kind == "number" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    if field.kind == "text" and isinstance(raw, str):
        return raw
    if field.kind == "textarea" and isinstance(raw, str | Mapping):
        return raw if isinstance(raw, str) else text_of_document(raw)
    if field.kind == "datetime" and (moment := jira_datetime(raw)) is not None:
        # Jira answers in the account's time zone; the connector's values are UTC to the second.
        return moment.astimezone(UTC).isoformat(timespec="seconds")
    if field.kind == "labels" and isinstance(raw, list):
        return " ".join(str(label) for label in raw) or None
    raise PermanentWriteError(
        f"{field.key} ({field.id}): unexpected value from Jira for a {field.kind}: {raw!r}"
    )
