"""adapters/payload.py: decoding an untrusted webhook body, and the checked reads of its fields.

A body that is not a JSON object is refused with PayloadRejected (the intake answers 400); a field of the
wrong type reads as absent, so no handler meets a TypeError deep inside.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.errors import PayloadRejected
from adapters.payload import (
    decode,
    epoch_ms,
    flag,
    ident,
    integer,
    json_type,
    obj,
    objects,
    strings,
    text,
)

# decode ----------------------------------------------------------------------------------------------


def test_an_object_is_decoded_as_sent() -> None:
    body = json.dumps({"webhookEvent": "jira:issue_created", "issue": {"key": "SD-1"}, "n": [1, 2.5]})
    assert decode(body.encode(), "Jira") == {
        "webhookEvent": "jira:issue_created",
        "issue": {"key": "SD-1"},
        "n": [1, 2.5],
    }


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1,}', b"{'a': 1}", b'{"a": 1} trailing', b"<html>"])
def test_malformed_json_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected, match=r"^malformed JSON: ") as caught:
        decode(body, "Jira")
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"[]", "array"), (b'"hi"', "string"), (b"3", "number"), (b"true", "boolean"), (b"null", "null")],
)
def test_a_body_that_is_not_an_object_is_rejected_naming_what_it_is(body: bytes, kind: str) -> None:
    with pytest.raises(PayloadRejected) as caught:
        decode(body, "ServiceNow")
    assert caught.value.reason == f"not a ServiceNow webhook: the body is a JSON {kind}, not an object"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_python_s_nan_and_infinity_are_not_json(constant: str) -> None:
    with pytest.raises(PayloadRejected) as caught:
        decode(f'{{"score": {constant}}}'.encode(), "Jira")
    assert caught.value.reason == f"malformed JSON: {constant} is not valid JSON"


def test_a_leading_byte_order_mark_is_allowed() -> None:
    assert decode(b'\xef\xbb\xbf{"a": "\xc3\xa9"}', "Jira") == {"a": "é"}


@pytest.mark.parametrize(
    "body",
    [
        '{"a": "é"}'.encode("latin-1"),
        '{"a": 1}'.encode("utf-16"),  # json.loads alone would guess UTF-16 and accept it
        '{"a": 1}'.encode("utf-32"),
        b'{"a": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes: not UTF-8
    ],
)
def test_a_body_that_is_not_utf8_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected) as caught:
        decode(body, "Jira")
    assert caught.value.reason == "malformed JSON: the body is not UTF-8 text"


def test_a_body_nested_too_deeply_is_rejected_not_a_crash() -> None:
    with pytest.raises(PayloadRejected, match=r"^malformed JSON: nested too deeply$"):
        decode(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "Jira")


def test_an_integer_too_long_to_convert_is_rejected() -> None:
    """Python refuses to convert integers of more than 4,300 digits (a guard against slow parsing)."""
    with pytest.raises(PayloadRejected, match=r"^malformed JSON: .*digits"):
        decode(b'{"id": ' + b"9" * 5000 + b"}", "Jira")


def test_lone_surrogates_are_replaced_and_the_rest_of_the_text_kept() -> None:
    body = rb'{"body": "ok \ud800 then \uDFFF!", "list": ["\udbff"], "\ud801key": {"deep": "x\ud802"}}'
    payload = decode(body, "Jira")
    assert payload == {
        "body": "ok \ufffd then \ufffd!",
        "list": ["\ufffd"],
        "\ufffdkey": {"deep": "x\ufffd"},
    }
    json.dumps(payload, ensure_ascii=False).encode("utf-8")  # now text that can be stored and logged


def test_a_valid_surrogate_pair_is_one_character_not_two_replacements() -> None:
    payload = decode(rb'{"mood": "\ud83d\ude00 and \ud83d"}', "Jira")
    assert payload == {"mood": "\U0001f600 and \ufffd"}


def test_an_escaped_backslash_before_u_d800_is_text_and_stays_as_sent() -> None:
    assert decode(rb'{"path": "C:\\ud800"}', "Jira") == {"path": "C:\\ud800"}


# json_type -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({}, "object"),
        ([], "array"),
        ("", "string"),
        (True, "boolean"),
        (False, "boolean"),
        (None, "null"),
        (0, "number"),
        (1.5, "number"),
    ],
)
def test_json_type_names_values_as_json_does(value: object, name: str) -> None:
    assert json_type(value) == name


# the checked accessors -------------------------------------------------------------------------------

# One value of every JSON type (and the empty ones); each accessor reads all but its own as absent.
EVERY_TYPE: list[Any] = [None, True, 0, 1.5, "text", "", [], ["a"], {}, {"a": 1}]


def test_obj_reads_nested_objects_and_nothing_else() -> None:
    inner = {"key": "SD-1"}
    assert obj({"issue": inner}, "issue") is inner
    assert obj({"issue": {}}, "issue") == {}
    for value in [v for v in EVERY_TYPE if not isinstance(v, dict)]:
        assert obj({"issue": value}, "issue") is None, value
    assert obj({}, "issue") is None
    assert obj(None, "issue") is None  # a chain of reads through an absent parent stays absent
    assert obj(obj(obj({"a": {"b": 3}}, "a"), "b"), "c") is None


def test_text_reads_non_empty_strings_only() -> None:
    assert text({"summary": "Printer on fire"}, "summary") == "Printer on fire"
    assert text({"summary": ""}, "summary") is None  # platforms send "" for a cleared value
    for value in [v for v in EVERY_TYPE if not isinstance(v, str)]:
        assert text({"summary": value}, "summary") is None, value
    assert text(None, "summary") is None


def test_ident_reads_string_and_integer_ids_as_strings() -> None:
    assert ident({"id": "10001"}, "id") == "10001"
    assert ident({"id": 10001}, "id") == "10001"
    assert ident({"id": 0}, "id") == "0"
    assert ident({"id": ""}, "id") is None
    assert ident({"id": True}, "id") is None  # a bool is an int to Python, never an id
    assert ident({"id": 10001.0}, "id") is None
    for value in [None, [], ["1"], {}, {"id": 1}]:
        assert ident({"id": value}, "id") is None, value
    assert ident(None, "id") is None


def test_flag_reads_booleans_only() -> None:
    assert flag({"public": True}, "public") is True
    assert flag({"public": False}, "public") is False
    for value in [None, 0, 1, "true", "false", "", [], {}]:
        assert flag({"public": value}, "public") is None, value


def test_integer_reads_integers_not_booleans_or_floats() -> None:
    assert integer({"count": 3}, "count") == 3
    assert integer({"count": -2}, "count") == -2
    for value in [True, False, 3.0, "3", None, [], {}]:
        assert integer({"count": value}, "count") is None, value


def test_objects_keeps_the_objects_of_an_array_in_order() -> None:
    first, second = {"id": 1}, {"id": 2}
    assert objects({"items": [first, "junk", 3, None, [first], second]}, "items") == [first, second]
    for value in [None, "items", {"id": 1}, 3]:
        assert objects({"items": value}, "items") == [], value
    assert objects(None, "items") == []


def test_strings_keeps_the_non_empty_strings_of_an_array_in_order() -> None:
    assert strings({"labels": ["ela", "", 3, None, "vip", ["x"], True]}, "labels") == ("ela", "vip")
    for value in [None, "ela", {"a": "b"}, 3]:
        assert strings({"labels": value}, "labels") == (), value


def test_epoch_ms_reads_milliseconds_as_utc() -> None:
    assert epoch_ms(1_714_644_000_123) == datetime(2024, 5, 2, 10, 0, 0, 123_000, tzinfo=UTC)
    assert epoch_ms(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert epoch_ms(253_402_300_799_999) == datetime(9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)


@pytest.mark.parametrize("value", [253_402_300_800_000, 10**30, -1, True, 1.7e12, "1714644000123", None])
def test_epoch_ms_refuses_what_is_not_a_representable_instant(value: object) -> None:
    assert epoch_ms(value) is None
