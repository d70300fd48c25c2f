"""Field values on the wire: plain values <-> what each Jira field type takes and returns, ADF included."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import PermanentWriteError
from adapters.jira.adf import document_from_text, text_of_document
from adapters.jira.fields import ResolvedField
from adapters.jira.writer import decode_value, encode_value

# --- codecs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one line",
        "two\nlines",
        "gap\n\nbetween",
        "three\n\n\nnewlines",
        "\n\n",
        "\nedges\n",
        "ünïcödé 😀",
    ],
)
def test_adf_round_trips_plain_text(text: str) -> None:
    assert text_of_document(document_from_text(text)) == text


def test_adf_to_text_reads_what_jira_itself_produces() -> None:
    # As the Jira editor stores a paragraph field with a hard break, a mention, a list and a heading.
    document = {
        "version": 1,
        "type": "doc",
        "content": [
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Summary"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Asked by "},
                    {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Ana"}},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "twice", "marks": [{"type": "strong"}]},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "a"}]}],
                    },
                    {
                        "type": "listItem",
                        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "b"}]}],
                    },
                ],
            },
        ],
    }
    assert text_of_document(document) == "Summary\n\nAsked by @Ana\ntwice\n\na\nb"


def _field(kind: Any) -> ResolvedField:
    return ResolvedField("k", "customfield_1", "F", kind, "t")


@pytest.mark.parametrize(
    ("kind", "value", "v3", "v2"),
    [
        ("select", "Positive", {"value": "Positive"}, {"value": "Positive"}),
        ("number", 0.5, 0.5, 0.5),
        ("number", -1, -1, -1),
        ("text", "rising", "rising", "rising"),
        ("textarea", "a\nb", document_from_text("a\nb"), "a\nb"),
        ("labels", "x y", ["x", "y"], ["x", "y"]),
        ("select", None, None, None),
        ("labels", None, [], []),
    ],
)
def test_encode_value_by_kind_and_api_version(kind: str, value: Any, v3: Any, v2: Any) -> None:
    assert encode_value(_field(kind), value, api_version="3") == v3
    assert encode_value(_field(kind), value, api_version="2") == v2


@pytest.mark.parametrize(
    ("kind", "value"),
    [("number", float("nan")), ("number", "1"), ("select", 3), ("text", 1.5), ("labels", "x" * 256)],
)
def test_encode_value_refuses_values_the_field_cannot_hold(kind: str, value: Any) -> None:
    with pytest.raises(PermanentWriteError, match="customfield_1"):
        encode_value(_field(kind), value, api_version="3")


def test_decode_value_refuses_a_shape_that_is_not_the_fields() -> None:
    with pytest.raises(PermanentWriteError, match="unexpected value from Jira for a number"):
        decode_value(_field("number"), {"value": "3"})


def test_a_date_time_goes_out_as_jira_writes_it_and_reads_back_as_the_same_value() -> None:
    field = _field("datetime")
    value = "2026-12-01T10:00:00+00:00"
    assert encode_value(field, value, api_version="3") == "2026-12-01T10:00:00.000+0000"
    assert encode_value(field, "2026-12-01T11:00:00+01:00", api_version="2") == "2026-12-01T10:00:00.000+0000"
    assert encode_value(field, None, api_version="3") is None
    # Jira answers in the account's time zone; read back, it is the value that was written.
    assert decode_value(field, "2026-12-01T11:00:00.000+0100") == value
    assert decode_value(field, "2026-12-01T10:00:00.000+0000") == value
    assert decode_value(field, None) is None


@pytest.mark.parametrize("value", ["2026-12-01T10:00:00", "tomorrow", 1764583200])
def test_a_date_time_without_an_offset_or_not_a_date_is_refused(value: Any) -> None:
    with pytest.raises(PermanentWriteError, match="customfield_1"):
        encode_value(_field("datetime"), value, api_version="3")
