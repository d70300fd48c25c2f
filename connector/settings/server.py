"""`server`: the web processes that receive webhooks."""

from __future__ import annotations

from pydantic import Field

from adapters.settings import Section


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    workers: int = Field(default=2, ge=1, le=64)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
