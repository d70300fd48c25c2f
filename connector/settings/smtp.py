"""`smtp`: the mail server e-mail surveys go through."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from adapters.settings import Section


class SmtpSettings(Section):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    # starttls: upgrade a plain connection (port 587); ssl: TLS from the first byte (port 465); none:
    # plain text, only for a relay on the same host or network.
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None  # from the environment: ${SMTP_PASSWORD}
    sender: str = "ELA Connector <surveys@example.com>"  # the From header
    reply_to: str | None = None
    timeout_seconds: float = Field(default=20.0, gt=0)
    ca_file: str | None = None  # a CA bundle for a server whose certificate is private

    @field_validator("sender", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"not an e-mail address: {value!r}")
        return value
