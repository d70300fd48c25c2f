"""Atlassian Document Format (Jira Cloud REST v3 comment bodies) to the text a customer wrote.

ADF is a tree of nodes (`{"type": "doc", "content": [...]}`). Code blocks, quotes, mentions, media and
link cards carry no mood of the writer, so they are dropped; emoji nodes become the emoji character,
which the scorer reads.
"""

from __future__ import annotations

import json
from typing import Any

_DROPPED = frozenset(
    {
        "codeBlock",
        "blockquote",
        "mention",
        "media",
        "mediaGroup",
        "mediaSingle",
        "inlineCard",
        "blockCard",
        "embedCard",
        "extension",
        "bodiedExtension",
        "inlineExtension",
        "status",
        "date",
    }
)
_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "listItem",
        "tableCell",
        "tableHeader",
        "panel",
        "rule",
        "expand",
        "nestedExpand",
        "decisionItem",
        "taskItem",
    }
)
# Jira's own short names for the emoji its editor inserts when a node has no `text`.
_SHORT_NAMES = {
    ":smile:": "😄",
    ":slight_smile:": "🙂",
    ":grinning:": "😀",
    ":laughing:": "😆",
    ":wink:": "😉",
    ":thumbsup:": "👍",
    ":+1:": "👍",
    ":thumbsdown:": "👎",
    ":-1:": "👎",
    ":heart:": "❤",
    ":tada:": "🎉",
    ":pray:": "🙏",
    ":clap:": "👏",
    ":frowning:": "🙁",
    ":slight_frown:": "🙁",
    ":disappointed:": "😞",
    ":cry:": "😢",
    ":sob:": "😭",
    ":angry:": "😠",
    ":rage:": "😡",
    ":confused:": "😕",
    ":unamused:": "😒",
    ":rolling_eyes:": "🙄",
    ":white_check_mark:": "✅",
}
_MAX_DEPTH = 64  # a hostile document cannot exhaust the stack


def adf_to_text(node: Any) -> str:
    """Plain text of an ADF node (usually the whole `doc`); anything unexpected yields ""."""
    parts: list[str] = []
    _walk(node, parts, 0)
    return "".join(parts).strip()


def is_document(value: object) -> bool:
    """Whether `value` is an ADF document (its root node), as opposed to markup or a stray node."""
    return isinstance(value, dict) and value.get("type") == "doc"


def looks_like_adf(text: str) -> bool:
    head = text[:200].lstrip()
    return head.startswith("{") and '"type"' in head and '"doc"' in text[:2000]


def parse_adf(text: str) -> str | None:
    """The text of a serialised ADF document, or None when `text` is not one."""
    if not looks_like_adf(text):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return adf_to_text(data) if is_document(data) else None


def _walk(node: Any, parts: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH or not isinstance(node, dict):
        return
    kind = node.get("type")
    if not isinstance(kind, str):
        return  # not an ADF node: nothing in it was written through Jira's editor
    if kind in _DROPPED:
        parts.append(" ")
        return
    if kind == "text":
        text = node.get("text")
        if isinstance(text, str):
            parts.append(text)
        return
    if kind == "hardBreak":
        parts.append("\n")
        return
    if kind == "emoji":
        attrs = node.get("attrs")
        if not isinstance(attrs, dict):
            attrs = {}
        text = attrs.get("text") or _SHORT_NAMES.get(str(attrs.get("shortName", "")), "")
        parts.append(f" {text} " if isinstance(text, str) else " ")
        return
    children = node.get("content")
    if isinstance(children, list):
        for child in children:
            _walk(child, parts, depth + 1)
    if kind in _BLOCKS:
        parts.append("\n\n")
