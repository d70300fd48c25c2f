"""Sentiment of customer messages: cleaning, scoring, mood bands, evaluation.

The one entry point the rest of the product uses is `score(text)`; `explain(text)` says why.
"""

from sentiment.clean import clean
from sentiment.engines import (
    Engine,
    EngineError,
    available_engines,
    get_engine,
    register_engine,
    unregister_engine,
)
from sentiment.explain import Contribution, Explanation, explain
from sentiment.language import detect
from sentiment.mood import DEFAULT_BANDS, UNKNOWN_MOOD, Mood, MoodBands
from sentiment.scorer import DeskEngine, SentenceScore, SentimentResult, has_own_words, score
from sentiment.signals import SIGNALS

__all__ = [
    "DEFAULT_BANDS",
    "SIGNALS",
    "UNKNOWN_MOOD",
    "Contribution",
    "DeskEngine",
    "Engine",
    "EngineError",
    "Explanation",
    "Mood",
    "MoodBands",
    "SentenceScore",
    "SentimentResult",
    "available_engines",
    "clean",
    "detect",
    "explain",
    "get_engine",
    "has_own_words",
    "register_engine",
    "score",
    "unregister_engine",
]
