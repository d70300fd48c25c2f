"""Engines behind one interface: the registry, dotted paths, options and clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sentiment.engines import (
    Engine,
    EngineError,
    PlainTextBlobEngine,
    available_engines,
    bands_for,
    get_engine,
    register_engine,
    unregister_engine,
)
from sentiment.mood import DEFAULT_BANDS
from sentiment.scorer import DeskEngine, SentimentResult


class ShoutCounter:
    """A user's own engine: negative when a message shouts."""

    name = "shouts"

    def __init__(self, limit: int = 1) -> None:
        self.limit = limit

    def score(self, text: str) -> SentimentResult:
        shouting = sum(1 for word in text.split() if word.isupper() and len(word) > 2) >= self.limit
        return SentimentResult(-1.0 if shouting else 0.0, -1 if shouting else 0, (), self.name)


class NotAnEngine:
    def __init__(self) -> None:
        self.name = "broken"


def test_builtin_engines() -> None:
    assert {"textblob", "textblob-plain", "vader"} <= set(available_engines())
    engine = get_engine("textblob")
    assert isinstance(engine, DeskEngine) and isinstance(engine, Engine)
    assert engine.score("Still broken!").engine == "textblob"
    plain = get_engine("textblob-plain")
    assert isinstance(plain, PlainTextBlobEngine)
    assert plain.score("great").label == 1 and plain.score("great").engine == "textblob-plain"


def test_vader_engine_when_installed() -> None:
    pytest.importorskip("vaderSentiment", reason="needs the optional extra ela-connector[vader]")
    engine = get_engine("vader")
    assert engine.score("I hate this, it is awful").label == -1
    assert engine.score("I love it, great job!").label == 1
    assert bands_for(engine) != DEFAULT_BANDS  # its own scale, its own bands


def test_vader_missing_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "vaderSentiment", None)
    monkeypatch.setitem(sys.modules, "vaderSentiment.vaderSentiment", None)
    with pytest.raises(EngineError, match=r"pip install 'ela-connector\[vader\]'"):
        get_engine("vader")


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(EngineError, match=r"unknown sentiment engine 'nltk'.*textblob"):
        get_engine("nltk")


def test_register_a_users_engine() -> None:
    register_engine("shouts", ShoutCounter)
    try:
        engine = get_engine("shouts", limit=2)
        assert "shouts" in available_engines()
        assert engine.score("THIS IS BAD").label == -1
        assert engine.score("THIS is bad").label == 0
    finally:
        unregister_engine("shouts")
    assert "shouts" not in available_engines()


def test_dotted_path_engine() -> None:
    engine = get_engine(f"{__name__}:ShoutCounter")
    assert engine.name == "shouts" and engine.score("NOPE NOPE").label == -1
    assert get_engine(f"{__name__}.ShoutCounter").name == "shouts"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("no_such_module_xyz:Engine", "cannot import 'no_such_module_xyz'"),
        (f"{__name__}:Missing", "has no callable 'Missing'"),
        (f"{__name__}:NotAnEngine", "did not produce an object with name and score"),
        ("json:loads", "'json:loads' cannot be built without options: .*missing 1 required"),
    ],
)
def test_dotted_path_errors(name: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        get_engine(name)


def test_bad_options_are_engine_errors(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="does not accept options \\['colour'\\]"):
        get_engine("textblob", colour="red")
    with pytest.raises(EngineError, match="lexicon_weight"):
        get_engine("textblob", lexicon_weight=3)
    with pytest.raises(EngineError, match="cannot read model"):
        get_engine("textblob", model=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(EngineError, match="not an ela-sentiment-linear model"):
        get_engine("textblob", model=bad)


def test_register_rejects_nonsense() -> None:
    with pytest.raises(EngineError):
        register_engine("", ShoutCounter)


def test_bands_follow_the_engine() -> None:
    assert bands_for(get_engine("textblob")) == DEFAULT_BANDS
    assert bands_for(ShoutCounter()) == DEFAULT_BANDS
    assert bands_for(get_engine("textblob-plain")).negative_below == -0.05
