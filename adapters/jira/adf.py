"""Atlassian Document Format (ADF) for the text fields the connector writes and reads back.

Jira Cloud's REST API v3 carries rich text as ADF: a JSON tree of nodes (`{"type": "doc", "version": 1,
"content": [...]}`) instead of a wiki-markup string. A customer's comment is read for its mood by
`sentiment.adf.adf_to_text`, which drops code, quotes and mentions; the codec here keeps every word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A faithful round trip: these carry the values the connector writes into v3 text areas and reads back.
# Jira's own convention between its v2 strings and v3 documents: a blank line separates paragraphs, a
# single newline is a hard break inside one. Keeping to it means v2 readers and webhooks see the very
# text we wrote, and it reads back exactly.


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
