"""The parts of a site's YAML section that every platform shares: how deliveries prove their origin,
who counts as a customer, and where results are written. Each platform's own site model (its URL,
credentials, options) extends `SiteSettings`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, create_model, field_validator, model_validator

from adapters.base import RoleRules, WebhookAuth
from adapters.results import RESULT_FIELDS


class Section(BaseModel):
    """A section of the YAML file: unknown options are refused (typos), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSettings(Section):
    secret: SecretStr | None = Field(default=None, description="HMAC secret of a signed webhook")
    token: SecretStr | None = Field(default=None, description="shared token for senders that cannot sign")
    token_header: str = "X-ELA-Token"
    token_query: str = "token"

    @model_validator(mode="after")
    def _some_proof(self) -> WebhookSettings:
        if self.secret is None and self.token is None:
            raise ValueError("set `secret` (signed admin webhooks) or `token` (Automation, Data Center)")
        for name, value in (("secret", self.secret), ("token", self.token)):
            if value is None:
                continue
            if not value.get_secret_value().strip():
                raise ValueError(f"{name} must not be blank")
            if len(value.get_secret_value().strip()) < 16:
                raise ValueError(f"{name} must be at least 16 characters (not counting spaces around it)")
        return self

    def auth(self) -> WebhookAuth:
        return WebhookAuth(
            secret=self.secret.get_secret_value() if self.secret else None,
            token=self.token.get_secret_value() if self.token else None,
            token_header=self.token_header,
            token_query=self.token_query,
        )


class CustomerSettings(Section):
    domains: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    system_accounts: list[str] = Field(default_factory=list)
    request_participants_field: str | None = None

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip("@") for d in value]
        bad = [d for d in cleaned if "." not in d or " " in d]
        if bad:
            raise ValueError(f"not e-mail domains: {', '.join(bad)}")
        return cleaned

    def rules(self) -> RoleRules:
        return RoleRules(
            customer_domains=frozenset(self.domains),
            customer_groups=frozenset(self.groups),
            system_accounts=frozenset(self.system_accounts),
            request_participants_field=self.request_participants_field,
        )


class _Mapping(Section):
    def mapped(self) -> dict[str, str]:
        """Logical key -> the platform's field (name or id), for every result the site writes."""
        return {k: v for k, v in self.model_dump().items() if v}


# Logical result -> the platform's field name ("Customer mood") or id ("customfield_10050"); unset: not
# written. One option per entry of the result table, so a misspelt result is an unknown option.
_FIELD_OPTIONS: dict[str, Any] = {field.key: (str | None, None) for field in RESULT_FIELDS}
FieldMapping: type[_Mapping] = create_model(
    "FieldMapping",
    __base__=_Mapping,
    __doc__="Where each result is written on the site's tickets.",
    **_FIELD_OPTIONS,
)


class PullSettings(Section):
    """Pull mode, for sites whose platform cannot reach the connector: the worker polls the platform's
    API instead of (or besides) receiving webhooks. Each poll starts `overlap_seconds` before where the
    last one ended, because a platform's clock has seconds (JQL has minutes) and a change saved in the
    second of the last poll may not have been visible to it; what a poll finds again is dropped by the
    store, so push and pull together never store a change twice."""

    enabled: bool = False
    interval_seconds: float = Field(default=60.0, ge=1.0, le=86_400.0)
    overlap_seconds: float = Field(default=120.0, ge=0.0, le=86_400.0)
    page_size: int = Field(default=100, ge=1, le=1000)
    max_pages: int = Field(default=10, ge=1, le=1000)  # per poll; the next poll goes on from there
    lookback_minutes: float = Field(default=60.0, ge=0.0)  # how far back the very first poll looks
    timeout_seconds: float = Field(default=300.0, gt=0)  # a poll's lease: longer than one poll takes


class SiteSettings(Section):
    """What every site has; a platform's model narrows `platform` to its own name."""

    platform: str
    webhook: WebhookSettings | None = None  # None: the site is only polled (pull.enabled)
    customers: CustomerSettings = CustomerSettings()
    fields: FieldMapping = FieldMapping()
    pull: PullSettings = PullSettings()

    @model_validator(mode="after")
    def _push_or_pull(self) -> SiteSettings:
        if self.webhook is None and not self.pull.enabled:
            raise ValueError(
                "set `webhook` (the platform pushes its changes) or `pull: {enabled: true}` (the "
                "connector polls the platform), or both"
            )
        return self

    def where(self) -> str:
        """Where the site is, for people (its URL)."""
        return ""
