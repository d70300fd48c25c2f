"""Scoring a message: split into sentences, score each, aggregate so one angry sentence counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textblob import TextBlob

from sentiment.clean import clean

# TextBlob's own sentence splitter needs NLTK corpora downloaded at run time; a regex is enough here.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n{2,}|\n(?=[-*•]\s)")


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


NEUTRAL_BAND = 0.05


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def score(text: str) -> SentimentResult:
    cleaned = clean(text)
    sentences = tuple(
        SentenceScore(s, float(TextBlob(s).sentiment.polarity)) for s in split_sentences(cleaned)
    )
    if not sentences:
        return SentimentResult(0.0, 0, ())
    mean = sum(s.polarity for s in sentences) / len(sentences)
    worst = min(s.polarity for s in sentences)
    # A clearly negative sentence dominates a message that is otherwise polite.
    polarity = worst if worst < -0.3 and worst < mean else mean
    label = 1 if polarity > NEUTRAL_BAND else -1 if polarity < -NEUTRAL_BAND else 0
    return SentimentResult(max(-1.0, min(1.0, polarity)), label, sentences)
