"""Praise said in sarcasm: "Great, now it's broken again.", "Still waiting. Brilliant."

A customer who puts a word of praise right next to a complaint means the opposite of the word. Both
lexicons read "great" and "brilliant" as strong praise and the layer learnt the same, so "Great, now
it's broken again." read +0.22 (positive) although `chasing` fired on it. The labelled sets hold no
text this rule fires on (tests/sentiment/test_sarcasm.py), so it is fixed by reading, as the signals
are: a praise word that stands as a sentence of its own, or opens one before a comma ("Great,", "Oh
brilliant."), is left unread by the lexicon and the n-grams when a complaint the signals hear is right
next to it: in the rest of its sentence, or in the sentence after or before it when it stands alone.
So is "just what I needed" after a complaint. Beside a praise word, a plain report of a fault counts
as a complaint too ("Great, now Outlook doesn't work either."), though no signal hears one alone. The
complaint's own signal still counts and decides the mood; when none fired (the fault), the sarcasm
itself counts as `frustrated` (`with_sarcasm`).

Praise next to no complaint is praise ("Great, that fixed it.", "Perfect. Thanks!"), so is praise
beside thanks, and waiting for something is no complaint beside it ("Awesome, I have been waiting for
this!"). A neighbour the lexicon reads as negative is not enough: the labelled sets hold eleven praise
words before one, and label every one of those texts positive or neutral. Only the first words of a
neighbour are read for the complaint (`REACH`): "Awesome! I just read the report and have been waiting
for the film" is not sarcasm.

Training reads texts through the same function as the scorer (`scorer.read_message`, for the words
and the signals), so the fit and the scorer see the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sentiment.signals import CHASING, FRUSTRATED, SIGNAL_WEIGHTS, detect_signals

# The words of praise customers say in sarcasm, as an exclamation of their own.
PRAISE_WORDS = (
    "great",
    "brilliant",
    "perfect",
    "fantastic",
    "wonderful",
    "lovely",
    "awesome",
    "excellent",
    "marvellous",
    "marvelous",
    "splendid",
    "terrific",
    "super",
    "nice",
)
# How many words of a neighbour are read for the complaint.
REACH = 8

# The praise word opening a sentence ("Oh great", "Just brilliant", "How wonderful"), then a comma, a
# stop or the sentence's end: "Great service" and "Great that you fixed it" are praise of something.
_OPENING = re.compile(
    r"(?:(?:oh|just|well|how|really)[,\s]+)?(?:" + "|".join(PRAISE_WORDS) + r")(?:\s*[,.!…]+\s*|\s*$)",
    re.IGNORECASE,
)
_JUST_WHAT = re.compile(r"\b(?:just|exactly)\s+what\s+(?:i|we)\s+(?:needed|need|wanted)\b", re.IGNORECASE)
# Thanks beside the praise word say it is meant: "I mentioned it before. Wonderful. Thank you!"
_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|cheers|appreciated?)\b", re.IGNORECASE)
# Beside a praise word, a plain report of a fault is a complaint too ("Great, now Outlook doesn't work
# either.", "Lovely. My screen went black.", "Perfect, now I can't log in at all."), though no signal
# hears one alone: a ticket is mostly such reports. Denied ("it's not broken any more", "no longer
# crashes") or turned by a "but" ("the old one didn't work but this one does") it is none.
_FAULT = re.compile(
    r"(?<!\bno\slonger\s)\b(?:(?:doesn't|does\s+not|didn't|did\s+not|won't|will\s+not|isn't|is\s+not|not"
    r"|can't|cannot|can\s+not|couldn't|unable\s+to)\s+"
    r"(?:\w+\s+)?(?:work|working|load|loading|start|starting|open|opening|connect|connecting|print|printing"
    r"|log\s*in|login|sign\s+in|access)"
    r"|(?<!not\s)(?<!n't\s)(?:broke|broken|crashed|froze|frozen|died|(?:is|went)\s+(?:down|black|blank|dead))"
    r")\b(?![^.!?]*\bbut\b)(?!\s+(?:any\s*more|anymore))",
    re.IGNORECASE,
)
_NO_FAULT = re.compile(r"\b(?:nothing|never|no\s+longer|no\s+more)\b", re.IGNORECASE)
# Waiting for something is looking forward to it as often as chasing it: beside praise, not a complaint.
_WAITING_FOR = re.compile(r"(?:(?:been|am|are)\s+)?waiting\b")


def reports_fault(text: str) -> bool:
    """Whether `text` reports a fault in plain words (see _FAULT), not denied anywhere in it ("nothing
    is broken", "it never crashed")."""
    return _FAULT.search(text) is not None and _NO_FAULT.search(text) is None


def looks_forward(chasing: str) -> bool:
    """Whether the words `chasing` matched are waiting for something, not waiting on it."""
    return _WAITING_FOR.match(chasing) is not None


def complains(text: str) -> bool:
    """Whether the first words of `text` fire a negative signal (or report a fault) and no positive one."""
    head = " ".join(text.split()[:REACH])
    found = detect_signals(head)
    if any(SIGNAL_WEIGHTS[name] > 0 for name in found):
        return False
    if reports_fault(head):
        return True
    return any(
        SIGNAL_WEIGHTS[name] < 0 and not (name == CHASING and looks_forward(words))
        for name, (words, _) in found.items()
    )


def _before(text: str) -> str:
    """The last words of `text`: the complaint right before a praise word."""
    return " ".join(text.split()[-REACH:])


def opens_with_praise(sentence: str) -> bool:
    """Whether a sentence opens with a word of praise said as an exclamation ("Wonderful.", "Great,")."""
    return _OPENING.match(sentence) is not None


def _praise_alone(sentence: str) -> bool:
    opening = _OPENING.match(sentence)
    return opening is not None and not sentence[opening.end() :].strip()


def _neighbours(sentences: Sequence[str], i: int) -> list[str]:
    """The sentences either side of the i-th, past any more praise standing alone ("Awesome. Just
    awesome. It crashed again."): the first words of the one after, the last of the one before."""
    after, before = i + 1, i - 1
    while after < len(sentences) and _praise_alone(sentences[after]):
        after += 1
    while before >= 0 and _praise_alone(sentences[before]):
        before -= 1
    found = [sentences[after]] if after < len(sentences) else []
    return found + ([_before(sentences[before])] if before >= 0 else [])


def read_as_meant(sentences: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """The sentences with praise said in sarcasm struck out, and the words struck (none, mostly).

    A sentence struck whole ("Brilliant.") is read as empty: the layer reads nothing in it.
    """
    read = list(sentences)
    struck: list[str] = []
    for i, sentence in enumerate(sentences):
        opening = _OPENING.match(sentence)
        if opening is not None:
            rest = sentence[opening.end() :]
            neighbours = [rest] if rest.strip() else _neighbours(sentences, i)
            if any(complains(n) for n in neighbours) and not any(_THANKS.search(n) for n in neighbours):
                struck.append(sentence[: opening.end()].strip())
                read[i] = rest
                continue
        just_what = _JUST_WHAT.search(sentence)
        if just_what is not None:
            before = _before(sentence[: just_what.start()])
            if complains(before) or (i > 0 and complains(_before(sentences[i - 1]))):
                struck.append(just_what.group(0))
                read[i] = sentence[: just_what.start()] + sentence[just_what.end() :]
    return read, tuple(struck)


def with_sarcasm(found: dict[str, tuple[str, float]], struck: Sequence[str]) -> dict[str, tuple[str, float]]:
    """The message's signals, with `frustrated` for praise said in sarcasm over a fault no signal hears.

    "Great, now Outlook doesn't work either." struck of its "Great" reads neutral: a plain report of
    a fault. Sarcasm is the customer's patience at an end, so it counts as `frustrated` when no other
    negative signal already tells the complaint ("Great, now it's broken again." keeps `chasing` alone:
    one complaint, one weight).
    """
    if not struck or any(weight < 0 for _, weight in found.values()):
        return found
    return {**found, FRUSTRATED: (struck[0], SIGNAL_WEIGHTS[FRUSTRATED])}
