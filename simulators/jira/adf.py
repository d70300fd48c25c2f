"""Atlassian Document Format (ADF): the rich-text JSON that REST v3 uses where v2 uses plain strings.

Jira keeps one text and shows it both ways: v3 readers get ADF, v2 readers and webhooks get wiki-markup
strings (every real webhook payload we have carries a string body, even for comments written as ADF).
Only the node types a service desk conversation uses are converted; the rest keep their text.
"""

from __future__ import annotations

from typing import Any


def is_adf(value: Any) -> bool:
    """Whether `value` has the outer shape Jira Cloud insists on: a version-1 `doc` with a content list."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


def text_to_adf(text: str) -> dict[str, Any]:
    """A blank line separates paragraphs; a single newline is a hard break inside one."""
    paragraphs: list[dict[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        content: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def adf_to_text(doc: dict[str, Any]) -> str:
    """The wiki-markup string Jira shows v2 readers and webhooks for this document."""
    blocks = [_block_text(node) for node in doc.get("content", []) if isinstance(node, dict)]
    return "\n\n".join(block for block in blocks if block is not None)


def _block_text(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    children = [child for child in node.get("content", []) if isinstance(child, dict)]
    if kind == "codeBlock":
        return "{code}" + _inline_text(children) + "{code}"
    if kind == "blockquote":
        return "{quote}" + "\n\n".join(filter(None, map(_block_text, children))) + "{quote}"
    if kind in ("bulletList", "orderedList"):
        bullet = "*" if kind == "bulletList" else "#"
        items = []
        for item in children:
            inner = [child for child in item.get("content", []) if isinstance(child, dict)]
            items.append(f"{bullet} " + " ".join(filter(None, map(_block_text, inner))))
        return "\n".join(items)
    if kind == "rule":
        return "----"
    if kind in ("paragraph", "heading"):
        text = _inline_text(children)
        if kind == "heading":
            level = node.get("attrs", {}).get("level", 1)
            return f"h{level}. {text}"
        return text
    return _inline_text(children) or None


def _inline_text(nodes: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        if kind == "text":
            parts.append(str(node.get("text", "")))
        elif kind == "hardBreak":
            parts.append("\n")
        elif kind == "mention":
            parts.append(f"[~accountid:{attrs.get('id', '')}]")
        elif kind == "emoji":
            parts.append(str(attrs.get("text") or attrs.get("shortName", "")))
        elif kind in ("inlineCard", "blockCard"):
            parts.append(str(attrs.get("url", "")))
        else:
            parts.append(_inline_text([c for c in node.get("content", []) if isinstance(c, dict)]))
    return "".join(parts)
