"""The whole file as one model. Its `sites` take any registered platform's site section, told apart by
their `platform` key; the union is rebuilt whenever the platform registry changes."""

from __future__ import annotations

import threading
from typing import Annotated, Any, Union

from pydantic import Field, create_model, field_validator, model_validator

from adapters.settings import Section, SiteSettings
from connector import platforms
from connector.settings.database import DatabaseSettings
from connector.settings.ela import ElaSettings
from connector.settings.logging import LoggingSettings
from connector.settings.mood import MoodSettings
from connector.settings.sentiment import SentimentSettings
from connector.settings.server import MetricsSettings, ServerSettings
from connector.settings.smtp import SmtpSettings
from connector.settings.survey_pages import SurveyPagesSettings
from connector.settings.surveys import SurveyDefinition, check_survey_wiring, check_unique_names
from connector.settings.worker import WorkerSettings, WritebackSettings


class Settings(Section):
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    metrics: MetricsSettings = MetricsSettings()
    worker: WorkerSettings = WorkerSettings()
    writeback: WritebackSettings = WritebackSettings()
    mood: MoodSettings = MoodSettings()
    sentiment: SentimentSettings = SentimentSettings()
    logging: LoggingSettings = LoggingSettings()
    ela: ElaSettings = ElaSettings()
    # Each value is an instance of its platform's own model (a subclass of SiteSettings).
    sites: dict[str, SiteSettings] = Field(default_factory=dict)
    surveys: list[SurveyDefinition] = Field(default_factory=list)
    smtp: SmtpSettings | None = None
    survey_pages: SurveyPagesSettings = SurveyPagesSettings()

    _surveys_unique = field_validator("surveys")(check_unique_names)

    @model_validator(mode="after")
    def _surveys_fit(self) -> Settings:
        check_survey_wiring(
            self.surveys, self.sites, self.smtp is not None, self.survey_pages.secret is not None
        )
        return self

    @model_validator(mode="after")
    def _ela_sites_exist(self) -> Settings:
        # The ELA section names sites; a misspelt one would silently never match.
        named = {"ela.site_calendars": set(self.ela.site_calendars)} | {
            f"ela.policies.{name}.filters.sites": set(policy.filters.sites)
            for name, policy in self.ela.policies.items()
        }
        problems = [
            f"{where}: no site named {', '.join(sorted(sites - set(self.sites)))} under sites"
            for where, sites in named.items()
            if sites - set(self.sites)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


_model: type[Settings] | None = None
_lock = threading.Lock()


def _forget() -> None:
    global _model  # noqa: PLW0603 (a cache of one model, invalidated by the registry)
    with _lock:
        _model = None


platforms.on_change(_forget)


def settings_model() -> type[Settings]:
    """`Settings` with `sites` narrowed to the registered platforms' site models."""
    global _model  # noqa: PLW0603
    with _lock:
        if _model is None:
            models = tuple(p.settings for p in platforms.platforms().values())
            site: Any = Annotated[Union[models], Field(discriminator="platform")]  # noqa: UP007
            _model = create_model(
                "Settings", __base__=Settings, sites=(dict[str, site], Field(default_factory=dict))
            )
        return _model
