"""Thanks beside a complaint: courtesy, not gratitude.

Customers thank out of habit, before or after the complaint they write to make: "Thank you. Still not
working.", "Still not working. Thanks.", "Thanks, still broken.", "Thanks. Any update?". The labelled
sets taught the layer that thanks are gratitude, and they outweighed the complaint: those four read
+0.66, +0.35, +0.47 and +0.06, all positive, though `chasing` fired on every one. The lexicon already
leaves thanks unread before a turn in the same sentence ("Thanks, but it still crashes",
`lexicon._opening_courtesy`); this is the same reading where the turn is unsaid:

- a sentence of thanks alone ("Thanks.", "Thank you very much!", "Hi, thanks.", "Thanks in advance.",
  or thanks for what customers thank for by habit: "Thanks for the update.", "Thank you for your
  help.") in a message whose other sentences say the problem is not solved is read as empty: neither the
  lexicon nor the n-grams read it, and "thanks a lot" no longer fires `praise`;
- thanks alone before a comma ("Thanks, still not working.") is left unread when the rest of its
  sentence says so.

Beside praise the thanks are meant, as they are in sentiment.sarcasm: a message with a positive signal
or an exclamation of praise ("I mentioned it before. Wonderful. Thank you!") keeps its thanks.
"Not solved" is narrow on purpose: `chasing` (not waiting *for* something: "Thanks, been waiting for
this!"), `lost_work`, `broken_promise`, or a plain report of a fault (`sarcasm.reports_fault`: "The
link is broken."). Thanks for what was done ("Thanks for the quick fix.", "Thanks for sorting it.")
are gratitude and stay read, and so do thanks beside a past frustration ("Thank you. That was driving
me crazy.") or a remark on the service.

The labelled sets hold six texts this reads differently (of 73,000; five labelled positive, by
developers and Reddit, not customers), too few to learn from: it is a fixed rule, read the same way
in training (`scorer.read_message`) and scoring. tests/sentiment/test_courtesy.py shows each case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sentiment.desk_words import THANKING
from sentiment.lexicon import phrase_length, tokenize
from sentiment.sarcasm import looks_forward, opens_with_praise, reports_fault
from sentiment.signals import BROKEN_PROMISE, CHASING, LOST_WORK, SIGNAL_WEIGHTS, detect_signals

# The signals that say the problem the customer wrote about is still there.
UNSOLVED = frozenset({CHASING, LOST_WORK, BROKEN_PROMISE})
# A greeting that may open the thanks ("Hi, thanks.", "Ok thank you!").
_GREETINGS = frozenset({"hi", "hello", "hey", "ok", "okay"})
# What a customer thanks for out of habit, as a formula ("Thanks for the update.", "Thank you for your
# help."): courtesy as much as bare thanks. Thanks for what was done ("for the quick fix", "for sorting
# it") are not formulas.
_FORMULAS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            *((whose, what) for whose in ("your", "the") for what in ("help", "reply", "response", "update")),
            ("your", "time"),
            ("the", "info"),
            ("the", "information"),
            ("looking", "into", "it"),
            ("looking", "into", "this"),
            ("getting", "back", "to", "me"),
            ("getting", "back", "to", "us"),
            ("checking",),
            ("trying",),
        ),
        key=len,
        reverse=True,
    )
)
# The words that may follow thanks in a sentence of thanks alone ("Thanks again.", "Thanks though.").
_TAIL = frozenset({"again", "anyway", "in", "advance", "though"})
_MAX_TAIL = 2
# How a sentence that may be thanks alone opens, lower-cased: a cheap test that most sentences fail.
_OPENINGS = ("thank", "many", "hi", "hello", "hey", "ok")


def _words(text: str) -> list[str]:
    return [t.lower().replace("'", "") for t in tokenize(text) if t[0].isalnum()]


def thanks_length(words: Sequence[str]) -> int:
    """How many of the first `words` are thanks (after a greeting), 0 when they are none."""
    start = 1 if words and words[0] in _GREETINGS else 0
    length = phrase_length(words, start, THANKING)
    return start + length if length else 0


def thanks_alone(sentence: str) -> bool:
    """Whether a sentence is thanks and nothing else ("Thanks.", "Many thanks!", "Thanks in advance.")."""
    words = _words(sentence)
    length = thanks_length(words)
    if not length:
        return False
    if length < len(words) and words[length] == "for":
        formula = phrase_length(words, length + 1, _FORMULAS)
        if not formula:
            return False
        length += 1 + formula
    tail = words[length:]
    return len(tail) <= _MAX_TAIL and _TAIL.issuperset(tail)


def unsolved(found: Mapping[str, tuple[str, float]]) -> bool:
    """Whether signals `found` (`signals.detect_signals`) say the problem is still there."""
    return any(
        name in UNSOLVED and not (name == CHASING and looks_forward(words))
        for name, (words, _) in found.items()
    )


def says_unsolved(text: str) -> bool:
    """Whether `text` says the problem is still there, by a signal or a plain report of a fault, and
    fires no positive signal: "Thanks. It was still slow this morning, but everything is working
    again now." thanks for the fix."""
    found = detect_signals(text)
    if any(SIGNAL_WEIGHTS[name] > 0 for name in found):
        return False
    return unsolved(found) or reports_fault(text)


def without_courtesy(
    sentences: Sequence[str], found: Mapping[str, tuple[str, float]]
) -> tuple[list[str], tuple[str, ...]]:
    """The sentences with thanks said as courtesy beside a complaint left out, and the thanks left out.

    `found` are the signals of the whole message; a sentence of thanks alone fires none of UNSOLVED,
    so when one of them fired, it fired elsewhere in the message.
    """
    read = list(sentences)
    left_out: list[str] = []
    alone: list[int] = []
    for i, sentence in enumerate(sentences):
        if not sentence[:6].lower().startswith(_OPENINGS):
            continue
        if thanks_alone(sentence):
            alone.append(i)
            continue
        head, comma, rest = sentence.partition(",")
        if comma and rest.strip() and thanks_alone(head) and says_unsolved(rest):
            read[i] = rest
            left_out.append(head + comma)
    if alone:
        # Every sentence of thanks alone is judged against the rest of the message at once: one
        # reading of it, however many thanks it holds ("Thanks. Still broken." pasted a hundred
        # times read the rest a hundred times).
        others = [s for i, s in enumerate(sentences) if i not in alone]
        rest = " ".join(others)
        # The message's signals first: most thanks stand beside no complaint.
        if (
            rest
            and (unsolved(found) or reports_fault(rest))
            and not any(map(opens_with_praise, others))
            and says_unsolved(rest)
        ):
            for i in alone:
                read[i] = ""
            left_out = [sentences[i] for i in alone] + left_out
    return read, tuple(left_out)
