"""`survey_pages`: the answer pages customers reach from a survey's one-click links."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from adapters.settings import Section


class SurveyPagesSettings(Section):
    # Where customers reach the connector's /s/ pages: the public URL of `ela serve` (behind your
    # proxy); the links in every survey start with it.
    base_url: str = "http://127.0.0.1:8080"
    # Signs the links (and the pages' CSRF tokens): at least 32 characters, from the environment.
    # Changing it makes every link already sent unusable.
    secret: SecretStr | None = None
    per_token_per_minute: int = Field(default=30, ge=1)  # requests per survey link
    per_address_per_minute: int = Field(default=120, ge=1)  # requests per client address
    # Behind a reverse proxy: take the client address from X-Forwarded-For, set by this many proxies.
    trusted_proxies: int = Field(default=0, ge=0, le=5)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("base_url must start with https:// (or http:// on loopback)")
        return value.rstrip("/")

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("secret must be at least 32 characters")
        return value
