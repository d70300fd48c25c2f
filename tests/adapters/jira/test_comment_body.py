"""A comment body in Atlassian Document Format (REST v3) to the words the author wrote."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import PayloadRejected
from adapters.jira.comment import body_text
from sentiment.clean import clean


def adf_to_text(document: dict[str, Any]) -> str:
    """The comment text the adapter puts on a TicketEvent."""
    return clean(body_text(document))


def _doc(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def _p(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def _t(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, **extra}


def test_paragraphs_are_separated_by_a_blank_line_and_hard_breaks_are_lines() -> None:
    doc = _doc(_p(_t("First line"), {"type": "hardBreak"}, _t("second line")), _p(_t("New paragraph.")))
    assert adf_to_text(doc) == "First line\nsecond line\n\nNew paragraph."


def test_marks_keep_their_text() -> None:
    doc = _doc(
        _p(_t("This is "), _t("really", marks=[{"type": "strong"}]), _t(" bad", marks=[{"type": "em"}]))
    )
    assert adf_to_text(doc) == "This is really bad"


def test_emoji_keep_their_character_and_unknown_ones_go() -> None:
    doc = _doc(
        _p(
            _t("Great "),
            {"type": "emoji", "attrs": {"shortName": ":tada:", "id": "1f389", "text": "\U0001f389"}},
            _t(" and "),
            {"type": "emoji", "attrs": {"shortName": ":party-parrot:", "id": "atlassian-parrot"}},
        )
    )
    assert adf_to_text(doc) == "Great \U0001f389 and"


def test_code_quotes_mentions_and_media_are_dropped() -> None:
    doc = _doc(
        _p(
            {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Alex"}},
            _t(" it failed again"),
        ),
        {
            "type": "codeBlock",
            "attrs": {"language": "java"},
            "content": [_t("NullPointerException at Foo.bar")],
        },
        {"type": "blockquote", "content": [_p(_t("Have you tried turning it off and on?"))]},
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "abc", "type": "file"}}]},
        _p(_t("See "), {"type": "inlineCard", "attrs": {"url": "https://status.example.com"}}, _t(".")),
    )
    assert adf_to_text(doc) == "it failed again\n\nSee ."


def test_lists_and_tables_give_one_paragraph_per_item() -> None:
    doc = _doc(
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [_p(_t("one"))]},
                {
                    "type": "listItem",
                    "content": [
                        _p(_t("two")),
                        {
                            "type": "orderedList",
                            "content": [{"type": "listItem", "content": [_p(_t("two.a"))]}],
                        },
                    ],
                },
            ],
        },
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableHeader", "content": [_p(_t("Site"))]},
                        {"type": "tableCell", "content": [_p(_t("Berlin"))]},
                    ],
                }
            ],
        },
    )
    assert adf_to_text(doc) == "one\n\ntwo\n\ntwo.a\n\nSite\n\nBerlin"


def test_unknown_nodes_are_read_through_and_malformed_ones_skipped() -> None:
    doc = _doc(
        {"type": "someFutureBlock", "content": [_p(_t("kept"))]},
        {"type": "paragraph", "content": "not a list"},
        {"type": "paragraph", "content": [{"type": "text", "text": 42}, "stray string", None]},
        {"content": [_p(_t("no type: skipped"))]},
        _p(_t("end")),
    )
    assert adf_to_text(doc) == "kept\n\nend"


def test_a_hostile_depth_is_cut_off_instead_of_exhausting_the_stack() -> None:
    node: dict[str, Any] = _p(_t("deep"))
    for _ in range(5000):
        node = {"type": "panel", "content": [node]}
    assert adf_to_text(_doc(_p(_t("shallow")), node)) == "shallow"


def test_only_a_doc_node_or_a_string_is_a_comment_body() -> None:
    assert adf_to_text(_doc()) == ""
    assert body_text("plain wiki *markup*") == "plain wiki *markup*"
    with pytest.raises(PayloadRejected, match="neither a string nor an ADF document"):
        body_text({"type": "paragraph", "content": []})
