"""Atlassian Document Format (ADF) to plain text.

Jira Cloud's REST API v3, and some Cloud payloads, carry comment bodies as ADF: a JSON tree of nodes
(`{"type": "doc", "version": 1, "content": [...]}`) instead of a wiki-markup string. Only the words the
author wrote matter for mood, so code blocks and quotes (machine output, somebody else's words), mentions
(names, not sentiment) and media/cards (no words) are dropped; emoji keep their text, because they often
carry the mood; paragraphs, list items and hard breaks become line breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Deeper trees are not written by people; the cap keeps a hostile body from exhausting the stack.
_MAX_DEPTH = 48

_DROPPED = frozenset(
    {
        "codeBlock",
        "blockquote",
        "mention",
        "media",
        "mediaSingle",
        "mediaGroup",
        "mediaInline",
        "inlineCard",
        "blockCard",
        "embedCard",
        "date",
        "placeholder",
        "extension",
        "bodiedExtension",
        "inlineExtension",
        "multiBodiedExtension",
    }
)

# Nodes after which a line ends. Inline nodes (text, emoji, status, ...) run on within their block.
_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "listItem",
        "bulletList",
        "orderedList",
        "taskItem",
        "taskList",
        "decisionItem",
        "decisionList",
        "panel",
        "rule",
        "table",
        "tableRow",
        "tableHeader",
        "tableCell",
        "expand",
        "nestedExpand",
        "layoutSection",
        "layoutColumn",
    }
)


def is_adf(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("type") == "doc"


def adf_to_text(document: object) -> str:
    parts: list[str] = []
    _walk(document, parts, 0)
    return "".join(parts).strip("\n")


def _walk(node: object, out: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH or not isinstance(node, Mapping):
        return
    kind = node.get("type")
    if not isinstance(kind, str) or kind in _DROPPED:
        return
    if kind == "text":
        value = node.get("text")
        if isinstance(value, str) and value:
            out.append(value)
        return
    if kind == "hardBreak":
        out.append("\n")
        return
    if kind in {"emoji", "status"}:
        value = _attr_text(node, "text") or _attr_text(node, "shortName")
        if value:
            out.append(value)
        return
    content = node.get("content")
    if isinstance(content, list):
        for child in content:
            _walk(child, out, depth + 1)
    # One line break ends a block, however many blocks end together (a paragraph in a list item in a list).
    if kind in _BLOCKS and out and not out[-1].endswith("\n"):
        out.append("\n")


def _attr_text(node: Mapping[str, object], key: str) -> str:
    attrs = node.get("attrs")
    value = attrs.get(key) if isinstance(attrs, Mapping) else None
    return value if isinstance(value, str) else ""


# --- text fields we write: a faithful round trip ------------------------------------------------------
# Unlike adf_to_text above (a customer's own words, for scoring), these keep every word: they carry the
# values the connector writes into v3 text areas and read back. Jira's own convention between its v2
# strings and v3 documents: a blank line separates paragraphs, a single newline is a hard break inside
# one. Keeping to it means v2 readers and webhooks see the very text we wrote, and it reads back exactly.


def document_from_text(text: str) -> dict[str, Any]:
    paragraphs = []
    for block in text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        inline: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                inline.append({"type": "hardBreak"})
            if line:  # an ADF text node must not be empty
                inline.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": paragraphs}


def text_of_document(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    children = [c for c in node.get("content") or [] if isinstance(c, Mapping)]
    if kind in {"paragraph", "heading", "codeBlock"}:
        return "".join(_inline_text(c) for c in children)
    if kind in {"bulletList", "orderedList"}:
        return "\n".join(text_of_document(item) for item in children)
    if kind in {"doc", "blockquote", "listItem", "panel", "expand", "table", "tableRow", "tableCell"}:
        return "\n\n".join(text_of_document(c) for c in children)
    return _inline_text(node)


def _inline_text(node: Mapping[str, Any]) -> str:
    if isinstance(node.get("text"), str):
        return str(node["text"])
    if node.get("type") == "hardBreak":
        return "\n"
    attrs = node.get("attrs")
    if isinstance(attrs, Mapping) and node.get("type") in {
        "mention",
        "emoji",
        "status",
        "date",
        "inlineCard",
    }:
        return str(attrs.get("text") or attrs.get("shortName") or attrs.get("url") or "")
    return "".join(_inline_text(c) for c in node.get("content") or [] if isinstance(c, Mapping))
