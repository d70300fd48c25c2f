"""Sentiment of customer messages: cleaning, scoring, mood bands, evaluation.

The one entry point the rest of the product uses is `score(text)`.
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
from sentiment.mood import DEFAULT_BANDS, Mood, MoodBands
from sentiment.scorer import SentenceScore, SentimentResult, score

__all__ = [
    "DEFAULT_BANDS",
    "Engine",
    "EngineError",
    "Mood",
    "MoodBands",
    "SentenceScore",
    "SentimentResult",
    "available_engines",
    "clean",
    "get_engine",
    "register_engine",
    "score",
    "unregister_engine",
]
