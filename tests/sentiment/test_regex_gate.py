"""A gated pattern finds what the plain pattern finds, and skips only texts it cannot match."""

from __future__ import annotations

import re

import pytest

from sentiment.regex_gate import GatedPattern, required_strings
from sentiment.signals import _PATTERNS

PATTERNS = [
    r"\bstill\s+(?:waiting|broken)\b",
    r"\b(?:any|is\s+there\s+an?)\s+update\b",
    r"\bab|cd",  # the \b binds the first branch only
    r"\b(?:x|)\s*stop",  # an empty branch: "x" is not required
    r"(?:fix|patch)(?:ed)?\s+(?:it|this)",
    r"\b\d+\s+days\b",
    r"(?i)\bStill\b",  # case-insensitive: no string is required as written
    r"\b'tis\b",  # opens with a non-word character
]
TEXTS = [
    "still waiting",
    "I am still waiting!",
    "stillwaiting still  broken",
    "restill waiting, still waiting",
    "any update? is there an update",
    "xab ab cd",
    "xcd",
    "x stop, stop",
    "we fixed it and patch this",
    "for 3 days",
    "for 33days, 4 days",
    "STILL here",
    "é still waiting",
    "éstill waiting",
    "it 'tis and 'tis",
    "",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_gated_pattern_finds_what_the_pattern_finds(pattern: str) -> None:
    plain, gated = re.compile(pattern), GatedPattern(pattern)
    for text in TEXTS:
        for pos in range(len(text) + 1):
            expected = plain.search(text, pos)
            found = gated.search(text, pos) if gated.may_match(text) else None
            assert (found and (found.span(), found.group(0))) == (
                expected and (expected.span(), expected.group(0))
            ), (pattern, text, pos)


def test_the_required_strings_are_what_every_match_holds() -> None:
    assert required_strings(r"\bstill\s+(?:waiting|broken)\b") == {"still"}
    assert required_strings(r"\b(?:waiting|waited)\s+for") in ({"for"}, {"wait"}, {"waiting", "waited"})
    assert required_strings(r"\b(?:x|)\s*stop") == {"stop"}
    assert required_strings(r"(?:ab)?c") == {"c"}  # the optional "ab" is not required
    assert required_strings(r"[a-z]+\s+\d") is None  # no literal text at all
    assert required_strings(r"(?i)still") is None
    assert not GatedPattern(r"\bstill\s+waiting").may_match("nothing to see here")


def test_a_leading_boundary_is_checked_by_hand_only_where_it_binds_the_whole_pattern() -> None:
    assert GatedPattern(r"\bstill").bounded
    assert not GatedPattern(r"\bab|cd").bounded
    assert not GatedPattern(r"(?<!\w)still").bounded


def test_every_signal_pattern_finds_what_it_finds_ungated() -> None:
    texts = [*TEXTS, "hi, any update? it still doesn't work and nobody replied since monday."]
    for patterns in _PATTERNS.values():
        for pattern in patterns:
            plain, gated = re.compile(pattern), GatedPattern(pattern)
            for text in texts:
                expected = plain.search(text)
                found = gated.search(text) if gated.may_match(text) else None
                assert (found and found.span()) == (expected and expected.span()), pattern
