"""A Jira site's YAML section, and the writer it configures."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from adapters.jira.writer import JiraTarget, JiraWriter
from adapters.settings import Section, SiteSettings

_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,254}")


class JiraAuthSettings(Section):
    email: str | None = None
    api_token: SecretStr | None = None
    personal_access_token: SecretStr | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> JiraAuthSettings:
        basic = self.email is not None and self.api_token is not None
        if basic == (self.personal_access_token is not None):
            raise ValueError(
                "give either `email` + `api_token` (Jira Cloud) or `personal_access_token` (Data Center)"
            )
        return self


class JiraSiteSettings(SiteSettings):
    platform: Literal["jira"]
    url: HttpUrl
    deployment: Literal["cloud", "datacenter"] = "cloud"
    api_version: Literal["2", "3"] = "3"
    service_desk: bool = True
    auth: JiraAuthSettings
    poll_projects: list[str] = Field(default_factory=list)  # pull mode: only these projects (keys)

    def where(self) -> str:
        return str(self.url)

    @field_validator("poll_projects")
    @classmethod
    def _project_keys(cls, keys: list[str]) -> list[str]:
        bad = [key for key in keys if not _PROJECT_KEY.fullmatch(key)]
        if bad:
            raise ValueError(f"not Jira project keys: {', '.join(bad)}")
        return keys

    @model_validator(mode="after")
    def _deployment_matches_auth(self) -> JiraSiteSettings:
        if self.deployment == "datacenter" and self.api_version == "3":
            raise ValueError("Jira Data Center has no REST API v3: set api_version: '2'")
        return self


def writer(site: JiraSiteSettings) -> JiraWriter:
    """The site's writer (it caches the site's field ids, so one is kept per site)."""
    auth = site.auth
    target = JiraTarget(
        url=str(site.url).rstrip("/"),
        email=auth.email,
        api_token=auth.api_token.get_secret_value() if auth.api_token else None,
        personal_access_token=(
            auth.personal_access_token.get_secret_value() if auth.personal_access_token else None
        ),
        deployment=site.deployment,
        api_version=site.api_version,
        fields=site.fields.mapped(),
        service_desk=site.service_desk,
    )
    return JiraWriter(target)


def ticket_url(site: JiraSiteSettings, key: str) -> str:
    """The issue's page, as agents open it (JSM shows requests there too)."""
    return f"{str(site.url).rstrip('/')}/browse/{key}"
