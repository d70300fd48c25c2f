"""Scoring a message: clean, split into sentences, score each, aggregate so one angry sentence counts."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sentiment.adf import parse_adf
from sentiment.clean import clean
from sentiment.courtesy import without_courtesy
from sentiment.language import CONFIDENT, detect
from sentiment.lexicon import SentenceLexicon, analyse
from sentiment.model import DEFAULT_MODEL_PATH, Calibration, LinearModel, aggregate, load_reading
from sentiment.mood import MoodBands
from sentiment.sarcasm import read_as_meant, with_sarcasm
from sentiment.signals import apply_signals, detect_signals

# TextBlob's own sentence splitter needs NLTK corpora downloaded at run time; a regex is enough here.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{2,}|\n(?=[-*•]\s)")

# A comment longer than this is a pasted log or document; its opening carries the writer's mood, and
# the worker must not spend seconds on one comment.
MAX_TEXT_CHARS = 20_000
MAX_SENTENCES = 200
# An ADF document (Jira Cloud's comment JSON) is several times longer than the text it holds, and one
# cut short is no longer JSON: up to this size it is rendered whole before the text is bounded.
MAX_ADF_CHARS = 1_000_000


@dataclass(frozen=True)
class SentenceScore:
    text: str
    polarity: float


@dataclass(frozen=True)
class SentimentResult:
    polarity: float  # the message, in [-1, 1]
    label: int  # three-class decision: -1 negative, 0 neutral, 1 positive
    sentences: tuple[SentenceScore, ...]
    engine: str = "textblob"
    # ISO 639-1 code of the language the comment is confidently in ("en", "de", ...); None when it is
    # too short to judge or the detector is unsure (such a comment is scored as usual).
    language: str | None = None
    # False when the comment is confidently in a language the engine does not score: its mood is
    # unknown (sentiment.mood.UNKNOWN_MOOD), polarity 0.0 and label 0 mean nothing and must be ignored.
    scored: bool = True
    # The service-desk signals that fired (sentiment.signals.SIGNALS: "chasing", "lost_work",
    # "broken_promise", "poor_service", "frustrated", "praise", "recommends", "advises_against").
    signals: frozenset[str] = field(default_factory=frozenset)


NEUTRAL_BAND = 0.05  # the plain engines' three-class decision, as published for TextBlob and VADER


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def sentences_of(text: str) -> list[str]:
    """The cleaned sentences of a comment, bounded for pathological input."""
    if MAX_TEXT_CHARS * 2 < len(text) <= MAX_ADF_CHARS:
        rendered = parse_adf(text)
        if rendered is not None:
            text = rendered
    return split_sentences(clean(text[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS])[:MAX_SENTENCES]


def has_own_words(text: str) -> bool:
    """Whether anything of the writer's own words is left once quotes, code, logs and signatures are
    gone: a comment that only forwards a log or quotes the agent has no mood to read."""
    return bool(sentences_of(text))


def analyse_text(text: str) -> tuple[list[str], list[SentenceLexicon]]:
    """A comment's cleaned sentences and their analyses, as training and the scorer read them."""
    sentences = sentences_of(text)
    return sentences, read_message(sentences).analysed


class Reading(NamedTuple):
    """A message's cleaned sentences read as meant: what the layer and the signals are given."""

    analysed: list[SentenceLexicon]  # one per sentence, courtesy and sarcasm left unread
    signals: dict[str, tuple[str, float]]  # sentiment.signals, praise said in sarcasm counted
    sarcasm: tuple[str, ...]  # praise said in sarcasm, not read (sentiment.sarcasm)
    courtesy: tuple[str, ...]  # thanks beside a complaint, not read (sentiment.courtesy)
    spoken: list[str]  # the sentences with that courtesy left out (a sentence of thanks alone as "")


def read_message(sentences: Sequence[str]) -> Reading:
    """Each sentence analysed as it is meant, and the message's signals: the one reading of a message
    that training (`ela sentiment train`) and the scorer share.

    Thanks said as courtesy beside a complaint are left out first (sentiment.courtesy), then praise
    said in sarcasm (sentiment.sarcasm); the signals are those of the words left.
    """
    found = detect_signals(" ".join(sentences))
    spoken, courtesy = without_courtesy(sentences, found)
    if courtesy:
        found = detect_signals(" ".join(spoken))  # "thanks a lot" is no praise now
    meant, struck = read_as_meant(spoken)
    return Reading([analyse(s) for s in meant], with_sarcasm(found, struck), struck, courtesy, spoken)


class Scored(NamedTuple):
    """The steps of one message's score, for `DeskEngine.score` and for explanations (a named tuple:
    one is built per comment scored, and a frozen dataclass costs several times more to build)."""

    polarity: float
    sentence_polarities: tuple[float, ...]
    whole: float  # the layer's score of the whole message, signals applied
    decided_by: int | None  # the sentence that set the polarity, when one did
    signals: dict[str, tuple[str, float]]
    emoji_alone: bool  # emoji alone, read by the lexicon at EMOJI_ONLY_LEXICON_WEIGHT
    sarcasm: tuple[str, ...]  # praise said in sarcasm, not read (sentiment.sarcasm)
    courtesy: tuple[str, ...]  # thanks beside a complaint, not read (sentiment.courtesy)
    spoken: list[str]  # the sentences as read, that courtesy left out (Reading.spoken)


class DeskEngine:
    """The default engine: TextBlob's and VADER's lexicons with service-desk rules, a fitted layer on top."""

    name = "textblob"

    def __init__(
        self,
        model: str | Path | None = None,
        lexicon_weight: float = 0.0,
        languages: Sequence[str] = ("en",),
        domain: str | None = None,
    ) -> None:
        """`model`: a weights file from `ela sentiment train` (default: the shipped one).

        `lexicon_weight` in [0, 1] mixes the plain lexicon polarity into every score: a desk whose
        customers write unlike any of the training domains may lean on the service-desk lexicon
        instead of the fitted layer. 0 is what cross-validation chose.

        `languages`: ISO 639-1 codes of the languages this engine scores. A comment confidently in
        any other gets `scored=False` and no mood. Only English has a lexicon today; listing another
        language scores it with the English one, which is only sensible for a language whose
        comments mix in much English.

        `domain`: read every comment as coming from one of the model's training domains (for
        instance "jira" for a desk whose commenters are developers), with that domain's weights,
        label thresholds and one-sentence rule. None (the default) reads them as customers: with the
        weights of the domain the model names for that (`reads_as`, Reddit comments in the shipped
        one) and the thresholds fitted for customer text.
        """
        if not 0.0 <= lexicon_weight <= 1.0:
            raise ValueError(f"lexicon_weight must be within [0, 1], got {lexicon_weight}")
        if isinstance(languages, str) or not all(isinstance(c, str) and c for c in languages):
            raise ValueError(f"languages must be a list of ISO 639-1 codes, got {languages!r}")
        path = Path(model).expanduser() if model else DEFAULT_MODEL_PATH
        self.domain = domain or None
        # The weights as this engine reads: shared plus its domain's, folded once into one table.
        self.model: LinearModel = load_reading(path, self.domain)
        self.calibration: Calibration = self.model.for_domain(domain) if domain else self.model.calibration
        self.bands: MoodBands = self.calibration.bands
        self.lexicon_weight = lexicon_weight
        self.languages: frozenset[str] = frozenset(c.lower() for c in languages)

    def language_of(self, sentences: Sequence[str]) -> tuple[str | None, bool]:
        """(the confidently detected language or None, whether this engine scores the comment)."""
        code, confidence = detect(" ".join(sentences))
        if code is None or confidence < CONFIDENT:
            return None, True
        return code, code in self.languages

    def score(self, text: str | dict[str, object]) -> SentimentResult:
        """Score one message: plain text, wiki markup, or an ADF document (as JSON text or as parsed)."""
        if isinstance(text, dict):
            # Jira's API v3 returns a comment's body as an ADF document; parsed, it is a dict.
            text = json.dumps(text)
        elif not isinstance(text, str):
            raise TypeError(f"score() takes the message text, a str, not {type(text).__name__}")
        sentences = sentences_of(text)
        if not sentences:
            return SentimentResult(0.0, 0, (), self.name)
        language, scoreable = self.language_of(sentences)
        if not scoreable:
            return SentimentResult(0.0, 0, (), self.name, language, scored=False)
        scored = self.score_sentences(sentences)
        return SentimentResult(
            scored.polarity,
            self.calibration.label(scored.polarity),
            tuple(SentenceScore(s, p) for s, p in zip(sentences, scored.sentence_polarities, strict=True)),
            self.name,
            language,
            signals=frozenset(scored.signals),
        )

    def score_sentences(
        self, sentences: Sequence[str], rules: bool = True, shift: float | None = None
    ) -> Scored:
        """Score cleaned sentences.

        For explanations: `rules=False` leaves the service-desk signals out; `shift` replaces their
        summed weight (and reports no signals).
        """
        reading = read_message(sentences)
        analysed = reading.analysed
        model = self.model
        whole, polarities = model.read(analysed)
        beta = self.lexicon_weight
        emoji_alone = beta < EMOJI_ONLY_LEXICON_WEIGHT and emoji_only(analysed)
        if emoji_alone:
            beta = EMOJI_ONLY_LEXICON_WEIGHT
        if beta:
            polarities = [
                (1 - beta) * p + beta * a.polarity for p, a in zip(polarities, analysed, strict=True)
            ]
        signals = reading.signals if rules and shift is None else {}
        if shift is None:
            shift = sum(weight for _, weight in signals.values())
        calibration = self.calibration
        if len(analysed) == 1:
            whole = apply_signals(polarities[0], shift)
            message = whole
        else:
            if beta:
                whole = (1 - beta) * whole + beta * sum(a.polarity for a in analysed) / len(analysed)
            whole = apply_signals(whole, shift)
            message = aggregate(whole, polarities, calibration, [a.polarity for a in analysed], shift)
        message = max(-1.0, min(1.0, message))
        decided_by = None
        if len(analysed) > 1 and message < whole:
            decided_by = min(range(len(polarities)), key=lambda i: abs(polarities[i] - message))
        return Scored(
            message,
            tuple(polarities),
            whole,
            decided_by,
            signals,
            emoji_alone,
            reading.sarcasm,
            reading.courtesy,
            reading.spoken,
        )


# A comment of emoji and emoticons alone ("😡", "👍", ":(") is read half by the lexicon's emoji values:
# the labelled sets hold 19 such texts in 73,000, too few for the layer to learn them, and it read every
# one of them as neutral (a lone "😡" -0.02). At half, a thumb is a plain mood ("👍" +0.26, "👎" -0.27),
# an angry face a very negative one ("😡" -0.35). The fit does not apply it: it changes none of the
# layer's weights, and 19 texts no threshold.
EMOJI_ONLY_LEXICON_WEIGHT = 0.5


def emoji_only(analysed: Sequence[SentenceLexicon]) -> bool:
    """Whether a comment is emoji and emoticons (and "!", "?") alone, one of them weighed at least."""
    if not any(a.emoji_positive or a.emoji_negative for a in analysed):
        return False
    return all(not w[0].isalnum() and w[0] not in "+-" for a in analysed for w in a.words)


_default: DeskEngine | None = None


def score(text: str | dict[str, object]) -> SentimentResult:
    """Score one customer message with the default engine and the shipped model."""
    global _default  # noqa: PLW0603 - one engine per process, built on first use
    if _default is None:
        _default = DeskEngine()
    return _default.score(text)
