"""A Jira comment (as a webhook carries it) to the normalised Comment."""

from __future__ import annotations

import re

from adapters.base import RoleRules
from adapters.errors import PayloadRejected
from adapters.events import Comment, Ticket
from adapters.jira.roles import author_role
from adapters.jira.ticket import person
from adapters.jira.values import jira_datetime
from adapters.payload import JsonObject, flag, ident, obj, objects, text
from sentiment.adf import adf_to_text, is_document
from sentiment.clean import clean

# Jira comment ids are numbers (sent as strings); anything else is not a Jira comment.
_COMMENT_ID = re.compile(r"[0-9]{1,19}")

# Jira Cloud escapes the wiki-markup characters a person typed as plain text: the webhook body of
# "I'm on it!" reads `I'm on it\!`. An escaped character is hidden from the markup cleaner behind a
# code point of the supplementary private use area, then restored as the plain character.
_ESCAPED = re.compile(r"\\([!*\[\]{}\-#|_+^~?\\])")
_HIDDEN = 0xF0000
_HIDDEN_RANGE = re.compile("[\U000f0000-\U000f007f]")


def comment(raw: JsonObject, ticket: Ticket, rules: RoleRules) -> Comment:
    comment_id = ident(raw, "id")
    if comment_id is None or not _COMMENT_ID.fullmatch(comment_id):
        raise PayloadRejected("comment has no numeric 'id'")
    author = person(raw.get("author"))
    return Comment(
        id=comment_id,
        author=author,
        author_role=author_role(author, ticket, rules),
        text=cleaned_text(raw.get("body")),
        public=is_public(raw),
        created_at=jira_datetime(raw.get("created")),
        updated_at=jira_datetime(raw.get("updated")),
    )


def body_text(body: object) -> str:
    """Webhooks (REST v2 shape) carry wiki markup; REST v3 and some Cloud payloads carry an ADF document.
    A deleted comment's body may be absent."""
    if body is None or isinstance(body, str):
        return body or ""
    if is_document(body):
        return adf_to_text(body)
    raise PayloadRejected("comment.body is neither a string nor an ADF document")


def cleaned_text(body: object) -> str:
    """The comment's own words: markup, quotes and signatures gone, escaped characters as typed."""
    text = body_text(body)
    if not isinstance(body, str):
        return clean(text)  # ADF text is literal: nothing in it is escaped
    hidden = _ESCAPED.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), _HIDDEN_RANGE.sub("", text))
    return _HIDDEN_RANGE.sub(lambda m: chr(ord(m.group(0)) - _HIDDEN), clean(hidden))


def is_public(raw: JsonObject) -> bool:
    """Whether the customer can see the comment.

    JSM Cloud says so outright with `jsdPublic` (false for "Add internal note"). JSM Data Center has no
    `jsdPublic`; it marks an internal note with the comment property `sd.public.comment` = `{"internal":
    true}`, present when the payload carries the comment's `properties`. A comment restricted to a role
    or group (`visibility`, Jira's own mechanism) is hidden from customers whatever the rest says.
    Otherwise a comment is public.
    """
    if obj(raw, "visibility") or _internal_by_property(raw):
        return False
    return flag(raw, "jsdPublic") is not False


def _internal_by_property(raw: JsonObject) -> bool:
    return any(
        text(prop, "key") == "sd.public.comment" and flag(obj(prop, "value"), "internal") is True
        for prop in objects(raw, "properties")
    )
