"""A ServiceNow site's YAML section, and the writer it configures."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from adapters.servicenow.http import TableApi
from adapters.servicenow.writer import ServiceNowWriter
from adapters.settings import Section, SiteSettings

Table = Literal["incident", "sn_customerservice_case"]
# A custom column: u_ in the global scope, x_<vendor>_<app>_ in a scoped application.
COLUMN = re.compile(r"^(?:u|x_[a-z0-9]+(?:_[a-z0-9]+)?)_[a-z0-9_]{1,70}$")
DEFAULT_AGENT_ROLES = ("itil", "sn_customerservice_agent", "admin")
DEFAULT_TABLES: tuple[Table, ...] = ("incident", "sn_customerservice_case")


class ServiceNowAuthSettings(Section):
    user: str = Field(min_length=1)  # the connector's user: its journal entries are found by this name
    password: SecretStr | None = None
    oauth_token: SecretStr | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> ServiceNowAuthSettings:
        if (self.password is None) == (self.oauth_token is None):
            raise ValueError("give `password` (Basic auth) or `oauth_token` (a Bearer token), not both")
        return self


class ServiceNowSiteSettings(SiteSettings):
    platform: Literal["servicenow"]
    url: HttpUrl
    auth: ServiceNowAuthSettings
    tables: list[Table] = Field(default_factory=lambda: list(DEFAULT_TABLES))
    agent_roles: list[str] = Field(default_factory=lambda: list(DEFAULT_AGENT_ROLES))
    labels_field: str | None = None

    def where(self) -> str:
        return str(self.url)

    @field_validator("url")
    @classmethod
    def _instance_url(cls, url: HttpUrl) -> HttpUrl:
        if urlsplit(str(url)).path.strip("/"):
            raise ValueError("give the instance's address only, e.g. https://acme.service-now.com")
        return url

    @field_validator("tables")
    @classmethod
    def _tables(cls, tables: list[Table]) -> list[Table]:
        if not tables or len(set(tables)) != len(tables):
            raise ValueError("list each table once: incident, sn_customerservice_case")
        return tables

    @field_validator("labels_field")
    @classmethod
    def _labels_column(cls, column: str | None) -> str | None:
        if column is not None and not COLUMN.fullmatch(column):
            raise ValueError(f"{column!r} is not a custom column name (u_ela_labels)")
        return column

    @model_validator(mode="after")
    def _columns(self) -> ServiceNowSiteSettings:
        bad = [
            f"{key}: {column!r}"
            for key, column in self.fields.mapped().items()
            if not COLUMN.fullmatch(column)
        ]
        if bad:
            raise ValueError(
                "ServiceNow results go into custom columns, named u_... (lower case, digits, _): "
                + "; ".join(bad)
            )
        return self


def api(site: ServiceNowSiteSettings) -> TableApi:
    auth = site.auth
    return TableApi(
        str(site.url),
        user=auth.user,
        password=auth.password.get_secret_value() if auth.password else None,
        oauth_token=auth.oauth_token.get_secret_value() if auth.oauth_token else None,
    )


def writer(site: ServiceNowSiteSettings) -> ServiceNowWriter:
    """The site's writer (it keeps where each ticket is, so one is kept per site)."""
    return ServiceNowWriter(
        api(site), tables=site.tables, fields=site.fields.mapped(), labels_field=site.labels_field
    )
