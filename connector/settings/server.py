"""`server` and `metrics`: the web processes that receive webhooks, and where metrics are scraped."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from adapters.settings import Section


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    workers: int = Field(default=2, ge=1, le=64)  # web processes under `ela serve`
    threads: int = Field(default=8, ge=1, le=256)  # request threads per web process
    connection_limit: int = Field(default=1000, ge=10, le=100_000)  # open connections per web process
    channel_timeout: float = Field(default=30.0, gt=0)  # a connection idle this long is dropped
    graceful_seconds: float = Field(default=20.0, ge=0)  # how long a stopping process finishes its work
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # /readyz answers 503 when no worker's heartbeat is this recent (the queue is not being worked).
    ready_requires_worker: bool = True
    worker_stale_seconds: float = Field(default=60.0, gt=0)


class MetricsSettings(Section):
    # None: /metrics is served beside the webhooks; a port: only there (served by `ela serve` itself).
    port: int | None = Field(default=None, ge=0, le=65535)
    host: str = "127.0.0.1"
    # Set: a scrape must send `Authorization: Bearer <token>`.
    token: SecretStr | None = None

    @field_validator("token")
    @classmethod
    def _strong(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("must be at least 16 characters")
        return value
