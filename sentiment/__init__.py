"""Sentiment of customer messages: cleaning, scoring, mood bands, evaluation.

The one entry point the rest of the product uses is `score(text)`.
"""

from sentiment.mood import Mood, MoodBands
from sentiment.scorer import SentenceScore, SentimentResult, score

__all__ = ["Mood", "MoodBands", "SentenceScore", "SentimentResult", "score"]
