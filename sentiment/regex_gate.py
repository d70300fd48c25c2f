"""A regular expression searched only where it can match, and without the cost of a leading `\\b`.

Two quirks of Python's `re` make a search with a pattern that cannot match cost as much as one that
does, about 3 µs over a comment, and the signals hold over a hundred patterns:

- a pattern that opens with `\\b` is tried at every position of the text: `re` skips ahead to the
  places a match can start (a literal prefix, a set of first characters) only when the pattern
  opens with text. `\\bstill\\s+waiting` costs 4 µs where `still\\s+waiting` costs 0.3. So the
  leading `\\b` is taken off and checked by hand at each place the rest matches.
- most patterns hold a string every match contains ("still", "waiting", "promised"): when the text
  holds none of them the search is not run at all. The strings are read off the pattern's parse tree
  (the standard library's own parser), so they cannot drift from the pattern as it is edited.

Neither changes an answer: `GatedPattern(p).search(text, pos)` is `re.compile(p).search(text, pos)`.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# A required string shorter than this is a poor test ("s", "in"): a longer one is preferred.
_SELECTIVE_LENGTH = 3
_LEADING_BOUNDARY = "\\b"


class GatedPattern:
    """One compiled pattern with the strings it cannot match without."""

    __slots__ = ("bounded", "pattern", "required")

    def __init__(self, pattern: str) -> None:
        parsed = sre_parse.parse(pattern)
        # "\\b..." whose \\b binds the whole pattern (not "\\ba|b", an alternation at the top).
        self.bounded = pattern.startswith(_LEADING_BOUNDARY) and parsed.data[:1] == [
            (sre.AT, sre.AT_BOUNDARY)
        ]
        self.pattern: re.Pattern[str] = re.compile(
            pattern[len(_LEADING_BOUNDARY) :] if self.bounded else pattern
        )
        self.required: frozenset[str] | None = _required_of(parsed)

    def may_match(self, text: str) -> bool:
        """False only when the pattern cannot match anywhere in `text`."""
        required = self.required
        # `map` over the bound `__contains__` runs the loop in C: a generator costs twice as much.
        return required is None or any(map(text.__contains__, required))

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """`re.compile(pattern).search(text, pos)`."""
        match = self.pattern.search(text, pos)
        if not self.bounded:
            return match
        while match is not None and not _at_boundary(text, match.start()):
            match = self.pattern.search(text, match.start() + 1)
        return match


def _at_boundary(text: str, at: int) -> bool:
    """Whether `\\b` holds at `at`: a word character on exactly one side (`re`'s Unicode \\w)."""
    before = at > 0 and _is_word(text[at - 1])
    after = at < len(text) and _is_word(text[at])
    return before != after


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def required_strings(pattern: str) -> frozenset[str] | None:
    """Strings at least one of which every match of `pattern` contains, or None if none are known.

    Case-sensitive, as the pattern is (the signals' patterns read lower-cased text and set no flags).
    """
    return _required_of(sre_parse.parse(pattern))


def _required_of(parsed: Any) -> frozenset[str] | None:
    """`required_strings` of a parsed pattern: none are known when it ignores case."""
    return None if parsed.state.flags & re.IGNORECASE else _required(parsed)


def _required(sub: Any) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in sub.data:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            found = _required(av[3])
        elif op is sre.ATOMIC_GROUP:
            found = _required(av)
        elif op is sre.BRANCH:
            # Every match takes one branch, so one string of each branch will do.
            branches = [_required(branch) for branch in av[1]]
            if all(branches):
                found = frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        # Anything else (a character class, an anchor, a lookaround, an optional part) requires no
        # literal text that a match is sure to contain.
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def _selectivity(strings: frozenset[str]) -> tuple[bool, int, int]:
    """Larger is likelier to be missing from a text: long strings, and few of them."""
    shortest = min(map(len, strings))
    return shortest >= _SELECTIVE_LENGTH, -len(strings), shortest
