"""Event ids of Jira changes, built from what the change is, not from how it arrived, so that a webhook
and a poll of the same change (or two webhooks of it) give one id, and the store keeps it once:

- an issue created or deleted: the issue id;
- a transition or field change: the changelog history id, which the webhook's `changelog.id` and the
  search's `expand=changelog` both carry;
- a comment: its id and version (its `created` time when it was added, its `updated` time when edited);
  a deleted comment: its id alone.

A delivery without such content (an `issue_assigned` with an empty changelog, an issue without an id)
falls back to the delivery's key, which Jira repeats on its retries.
"""

from __future__ import annotations

from adapters.events import Comment, EventKind

_ISSUE_KINDS = (EventKind.created, EventKind.deleted)
_HISTORY_KINDS = (EventKind.transitioned, EventKind.updated)


def event_id(
    site: str,
    kind: EventKind,
    *,
    issue_id: str | None = None,
    history_id: str | None = None,
    comment: Comment | None = None,
    delivery_key: str | None = None,
) -> str:
    if comment is not None:
        if kind is EventKind.comment_deleted:
            return f"jira:{site}:comment:{comment.id}:deleted"
        edited = kind is not EventKind.commented
        version = (comment.updated_at if edited else None) or comment.created_at
        stamp = str(int(version.timestamp() * 1000)) if version else delivery_key
        return f"jira:{site}:comment:{comment.id}:{kind.value}:{stamp}"
    if kind in _ISSUE_KINDS and issue_id:
        return f"jira:{site}:issue:{issue_id}:{kind.value}"
    if kind in _HISTORY_KINDS and history_id:
        return f"jira:{site}:history:{history_id}:{kind.value}"
    return f"jira:{site}:{delivery_key}:{kind.value}"
