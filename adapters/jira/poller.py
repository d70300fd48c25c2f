"""Pull mode for Jira sites behind a firewall: JQL search for the issues updated since the cursor, and
the same TicketEvents their webhooks give (adapters.jira.ids), from the issue, its changelog and its
comments.

- Search is `POST /rest/api/3/search/jql` on Cloud (Atlassian removed `/rest/api/{2,3}/search` from Cloud
  in 2025; the new search pages with `nextPageToken`), `POST /rest/api/2/search` on Data Center.
- JQL compares times to the minute, in the time zone of the account that searches: the cursor is
  turned into that zone (from `/myself`) and floored to its minute. That, and Jira saving an update a
  moment before its search index shows it, is what the overlap covers.
- `expand=changelog` gives each issue's histories with their ids, the key a webhook's `changelog.id`
  carries too; a changelog or comment list cut short in the search answer is read in full from the
  issue's own changelog and comment resources.
Deleted issues and deleted comments leave nothing to find: only webhooks report those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.base import PollPage, RoleRules
from adapters.errors import AdapterError
from adapters.events import EventKind, Ticket, TicketEvent, Transition
from adapters.jira import ids
from adapters.jira.changelog import status_change, tracked_changes
from adapters.jira.comment import comment as read_comment
from adapters.jira.settings import JiraSiteSettings
from adapters.jira.ticket import ticket as read_ticket
from adapters.jira.values import jira_datetime
from adapters.jira.writer import JiraWriter
from adapters.payload import JsonObject, ident, obj, objects, text

log = logging.getLogger(__name__)
_KIND_ORDER = {"created": 0, "transitioned": 1, "updated": 2, "commented": 3, "comment_edited": 4}


class JiraPoller:
    def __init__(self, site: JiraSiteSettings, writer: JiraWriter, *, clock: Any = None) -> None:
        self.site_settings = site
        self.settings = site.pull
        self.http = writer.http
        self.projects = tuple(site.poll_projects)
        self._zone: ZoneInfo | None = None
        self._clock = clock or (lambda: datetime.now(UTC))

    # the search ------------------------------------------------------------------------------------

    def zone(self) -> ZoneInfo:
        """The searching account's time zone: JQL reads its dates in it."""
        if self._zone is None:
            body = self.http.call(
                "GET", self.http.api("myself"), action="read the connector account's time zone"
            )
            name = text(body, "timeZone") if isinstance(body, Mapping) else None
            try:
                self._zone = ZoneInfo(name or "UTC")
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("jira.poll.unknown_zone", extra={"context": {"zone": name}})
                self._zone = ZoneInfo("UTC")
        return self._zone

    def jql(self, since: datetime) -> str:
        local = since.astimezone(self.zone()).replace(second=0, microsecond=0)
        clauses = [f'updated >= "{local:%Y-%m-%d %H:%M}"']
        if self.projects:
            clauses.insert(0, f"project in ({', '.join(self.projects)})")
        return " AND ".join(clauses) + " ORDER BY updated ASC"

    def _issues(self, jql: str) -> Iterator[list[JsonObject]]:
        size, pages = self.settings.page_size, self.settings.max_pages
        body: dict[str, Any] = {"jql": jql, "fields": ["*all"], "expand": "changelog", "maxResults": size}
        for _ in range(pages):
            if self.http.cloud:
                answer = self.http.call(
                    "POST", self.http.api("search/jql", "3"), body=body, action="poll Jira (search)"
                )
            else:
                answer = self.http.call(
                    "POST", self.http.api("search"), body=body, action="poll Jira (search)"
                )
            issues = objects(answer, "issues") if isinstance(answer, Mapping) else []
            yield issues
            if self.http.cloud:
                token = text(answer, "nextPageToken") if isinstance(answer, Mapping) else None
                if not token or (isinstance(answer, Mapping) and answer.get("isLast") is True):
                    return
                body["nextPageToken"] = token
            else:
                start = int(body.get("startAt", 0)) + len(issues)
                total = answer.get("total") if isinstance(answer, Mapping) else None
                if not issues or not isinstance(total, int) or start >= total:
                    return
                body["startAt"] = start

    def poll(self, cursor: str | None, *, site: str, rules: RoleRules) -> PollPage:
        mark = _parse_mark(cursor)
        since = (
            (mark - timedelta(seconds=self.settings.overlap_seconds))
            if mark
            else (self._clock() - timedelta(minutes=self.settings.lookback_minutes))
        )
        events: list[TicketEvent] = []
        newest = mark
        pages = 0
        full = False
        for issues in self._issues(self.jql(since)):
            pages += 1
            full = len(issues) >= self.settings.page_size
            for issue in issues:
                events += self._events(issue, since, site, rules)
                updated = jira_datetime((obj(issue, "fields") or {}).get("updated"))
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
        events.sort(key=lambda e: (e.occurred_at, _KIND_ORDER.get(e.kind.value, 9), e.event_id))
        cursor_out = (newest or since).astimezone(UTC).isoformat()
        return PollPage(tuple(events), cursor_out, more=pages >= self.settings.max_pages and full)

    # one issue -------------------------------------------------------------------------------------

    def _events(self, issue: JsonObject, since: datetime, site: str, rules: RoleRules) -> list[TicketEvent]:
        key = text(issue, "key")
        fields = obj(issue, "fields")
        if key is None or fields is None:
            return []
        ticket = read_ticket(key, issue, rules)
        raw = {"issue": {k: v for k, v in issue.items() if k != "changelog"}}
        found: list[TicketEvent] = []

        def event(kind: EventKind, when: datetime, **rest: Any) -> TicketEvent:
            return TicketEvent(
                platform="jira",
                site=site,
                event_id=ids.event_id(
                    site,
                    kind,
                    issue_id=ticket.id,
                    history_id=rest.pop("history_id", None),
                    comment=rest.get("comment"),
                ),
                kind=kind,
                ticket=ticket,
                occurred_at=when,
                raw=raw,
                **rest,
            )

        created = jira_datetime(fields.get("created"))
        if created is not None and created >= since and ticket.id:
            found.append(event(EventKind.created, created))
        for history in self._histories(issue):
            when = jira_datetime(history.get("created"))
            history_id = ident(history, "id")
            if when is None or when < since or history_id is None:
                continue
            items = objects(history, "items")
            moved = status_change(items)
            if moved is not None:
                transition = Transition(
                    from_status=moved[0],
                    to_status=moved[1],
                    to_category=ticket.status_category if ticket.status == moved[1] else None,
                )
                found.append(
                    event(EventKind.transitioned, when, history_id=history_id, transition=transition)
                )
            changes = tracked_changes(items)
            if changes:
                found.append(event(EventKind.updated, when, history_id=history_id, changes=tuple(changes)))
        for raw_comment in self._comments(issue):
            found += self._comment_events(raw_comment, ticket, since, rules, event)
        return found

    def _comment_events(
        self, raw_comment: JsonObject, ticket: Ticket, since: datetime, rules: RoleRules, event: Any
    ) -> list[TicketEvent]:
        try:
            comment = read_comment(raw_comment, ticket, rules)
        except AdapterError:  # not a comment Jira would write (no numeric id): nothing to follow
            return []
        found = []
        if comment.created_at is not None and comment.created_at >= since:
            found.append(event(EventKind.commented, comment.created_at, comment=comment))
        edited = comment.updated_at
        if (
            edited is not None
            and comment.created_at is not None
            and edited > comment.created_at
            and edited >= since
        ):
            found.append(event(EventKind.comment_edited, edited, comment=comment))
        return found

    def _histories(self, issue: JsonObject) -> list[JsonObject]:
        changelog = obj(issue, "changelog")
        histories = objects(changelog, "histories")
        total = changelog.get("total") if changelog else None
        if not isinstance(total, int) or total <= len(histories):
            return histories
        return list(self._paged(f"issue/{issue.get('id')}/changelog", "values", "read an issue's changelog"))

    def _comments(self, issue: JsonObject) -> list[JsonObject]:
        field = obj(obj(issue, "fields"), "comment")
        comments = objects(field, "comments")
        total = field.get("total") if field else None
        if not isinstance(total, int) or total <= len(comments):
            return comments
        return list(self._paged(f"issue/{issue.get('id')}/comment", "comments", "read an issue's comments"))

    def _paged(self, resource: str, key: str, action: str) -> Iterator[JsonObject]:
        start = 0
        while True:
            body = self.http.call(
                "GET",
                self.http.api(resource),
                params={"startAt": str(start), "maxResults": "100"},
                action=action,
            )
            items = objects(body, key) if isinstance(body, Mapping) else []
            yield from items
            start += len(items)
            total = body.get("total") if isinstance(body, Mapping) else None
            if not items or not isinstance(total, int) or start >= total:
                return


def _parse_mark(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    try:
        moment = datetime.fromisoformat(cursor)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def poller(site: JiraSiteSettings, writer: Any) -> JiraPoller:
    if not isinstance(writer, JiraWriter):
        raise TypeError("a Jira poller needs the site's Jira writer")
    return JiraPoller(site, writer)
