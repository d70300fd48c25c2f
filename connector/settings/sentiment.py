"""`sentiment`: the engine that scores customer messages."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from adapters.settings import Section
from sentiment.engines import Engine, EngineError, get_engine


class SentimentSettings(Section):
    engine: str = "textblob"
    options: dict[str, Any] = Field(default_factory=dict)

    _built: Engine | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build_engine(self) -> SentimentSettings:
        # Built while the file is checked: an unknown engine, a missing extra or a bad option is a
        # configuration error, and the service then uses this very engine instead of building another.
        try:
            self._built = get_engine(self.engine, **self.options)
        except EngineError as exc:
            raise ValueError(str(exc)) from exc
        return self

    def build(self) -> Engine:
        """The engine these settings name, as built when they were validated."""
        assert self._built is not None  # set by the validator; a SentimentSettings is never unvalidated
        return self._built
