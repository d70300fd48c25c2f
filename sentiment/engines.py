"""Sentiment engines behind one interface, chosen by name in the YAML settings.

Built in: `textblob` (the default: TextBlob's lexicon with service-desk rules and a fitted layer),
`textblob-plain` (TextBlob's polarity as it comes, the published baseline) and `vader` (needs the
optional extra `ela-connector[vader]`). A user's own engine is any class or factory that returns an
object with `name` and `score(text) -> SentimentResult`: register it with `register_engine`, or name it
in YAML by dotted path, `package.module:Factory`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from textblob.en import sentiment as pattern_sentiment

from sentiment.mood import DEFAULT_BANDS, MoodBands
from sentiment.scorer import NEUTRAL_BAND, DeskEngine, SentenceScore, SentimentResult, sentences_of


@runtime_checkable
class Engine(Protocol):
    name: str

    def score(self, text: str) -> SentimentResult: ...


# Mood bands for the plain engines, matching their published +-0.05 neutral band.
PLAIN_BANDS = MoodBands(-0.5, -NEUTRAL_BAND, NEUTRAL_BAND, 0.5)


def bands_for(engine: Engine) -> MoodBands:
    """The mood bands that fit an engine's polarity scale: its own `bands` if it has them."""
    bands = getattr(engine, "bands", None)
    return bands if isinstance(bands, MoodBands) else DEFAULT_BANDS


EngineFactory = Callable[..., Engine]


class EngineError(ValueError):
    """An engine that cannot be had: unknown name, missing optional dependency, bad options."""


def _band_label(polarity: float) -> int:
    return 1 if polarity > NEUTRAL_BAND else -1 if polarity < -NEUTRAL_BAND else 0


class PlainTextBlobEngine:
    """TextBlob's pattern polarity of the cleaned text, +-0.05 neutral band: the baseline to beat."""

    name = "textblob-plain"
    bands = PLAIN_BANDS

    def __init__(self) -> None:
        self._polarity: Callable[[str], Any] = pattern_sentiment

    def score(self, text: str) -> SentimentResult:
        sentences = sentences_of(text)
        if not sentences:
            return SentimentResult(0.0, 0, (), self.name)
        scored = tuple(SentenceScore(s, float(self._polarity(s)[0])) for s in sentences)
        polarity = scored[0].polarity if len(scored) == 1 else float(self._polarity(" ".join(sentences))[0])
        return SentimentResult(polarity, _band_label(polarity), scored, self.name)


class VaderEngine:
    """VADER's compound score of the cleaned text, +-0.05 neutral band (its authors' convention)."""

    name = "vader"
    bands = PLAIN_BANDS

    def __init__(self) -> None:
        try:
            # Optional extra: imported only when a site chooses this engine.
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError as exc:
            raise EngineError(
                "sentiment engine 'vader' needs the optional dependency vaderSentiment: "
                "pip install 'ela-connector[vader]'"
            ) from exc
        self._analyzer = SentimentIntensityAnalyzer()

    def _compound(self, text: str) -> float:
        return float(self._analyzer.polarity_scores(text)["compound"])

    def score(self, text: str) -> SentimentResult:
        sentences = sentences_of(text)
        if not sentences:
            return SentimentResult(0.0, 0, (), self.name)
        scored = tuple(SentenceScore(s, self._compound(s)) for s in sentences)
        polarity = scored[0].polarity if len(scored) == 1 else self._compound(" ".join(sentences))
        return SentimentResult(polarity, _band_label(polarity), scored, self.name)


_REGISTRY: dict[str, EngineFactory] = {
    "textblob": DeskEngine,
    "textblob-plain": PlainTextBlobEngine,
    "vader": VaderEngine,
}


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make `factory(**options)` available as engine `name` (replacing a previous one of that name)."""
    if not name or not callable(factory):
        raise EngineError("an engine needs a non-empty name and a callable factory")
    _REGISTRY[name] = factory


def unregister_engine(name: str) -> None:
    """Forget engine `name`; unknown names are ignored."""
    _REGISTRY.pop(name, None)


def available_engines() -> list[str]:
    return sorted(_REGISTRY)


def get_engine(name: str, **options: Any) -> Engine:
    """The engine called `name` (registered, or a dotted path `package.module:Factory`), built with options.

    Raises EngineError for an unknown name, a missing optional dependency or options it does not take.
    """
    factory = _REGISTRY.get(name) or _import_factory(name)
    try:
        engine = factory(**options)
    except EngineError:
        raise
    except TypeError as exc:
        if not options:  # a factory that needs arguments: "json:loads" is no engine
            raise EngineError(f"sentiment engine {name!r} cannot be built without options: {exc}") from exc
        raise EngineError(
            f"sentiment engine {name!r} does not accept options {sorted(options)}: {exc}"
        ) from exc
    except ValueError as exc:  # a bad option value, or a model file that cannot be used
        raise EngineError(f"sentiment engine {name!r}: {exc}") from exc
    if not isinstance(engine, Engine):
        raise EngineError(f"sentiment engine {name!r} did not produce an object with name and score(text)")
    return engine


def _import_factory(name: str) -> EngineFactory:
    module_name, sep, attribute = name.partition(":")
    if not sep:
        module_name, _, attribute = name.rpartition(".")
    if not module_name or not attribute:
        raise EngineError(
            f"unknown sentiment engine {name!r}: choose one of {', '.join(available_engines())} "
            "or give a dotted path 'package.module:Factory'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineError(f"sentiment engine {name!r}: cannot import {module_name!r} ({exc})") from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise EngineError(f"sentiment engine {name!r}: {module_name!r} has no callable {attribute!r}")
    return factory  # type: ignore[no-any-return]
