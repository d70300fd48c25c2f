"""`database`: where every durable fact lives."""

from __future__ import annotations

from pydantic import Field, field_validator

from adapters.settings import Section


class DatabaseSettings(Section):
    url: str = Field(
        default="sqlite:///ela.db",
        description="SQLAlchemy URL: sqlite:///path/to/file.db or postgresql://user:pass@host/db",
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")
