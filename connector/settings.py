"""The admin's YAML file as validated models, and the loader that reports every problem at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from adapters.base import RoleRules, WebhookAuth
from connector.config_yaml import ConfigProblem, LoadedYaml, dotted, load_yaml
from sentiment.engines import Engine, EngineError, get_engine
from sentiment.mood import Mood, MoodBands

SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
FIELD_KEYS = ("mood", "mood_score", "initial_mood", "mood_trend")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
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


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    workers: int = Field(default=2, ge=1, le=64)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)


class WorkerSettings(_Section):
    poll_seconds: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    lease_seconds: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class WritebackSettings(_Section):
    flush_seconds: float = Field(default=1.0, gt=0)
    coalesce_seconds: float = Field(default=2.0, ge=0)
    max_attempts: int = Field(default=12, ge=1)
    backoff_initial_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)


class MoodThresholds(_Section):
    """Upper polarity bound of each of the four lower bands (very_positive is everything above)."""

    very_negative: float
    negative: float
    neutral: float
    positive: float

    @model_validator(mode="after")
    def _rising(self) -> MoodThresholds:
        self.bands()
        return self

    def bands(self) -> MoodBands:
        return MoodBands(self.very_negative, self.negative, self.neutral, self.positive)


class _Labels(_Section):
    """Display labels: they become the options of a select field, so each must be unique and non-empty."""

    @model_validator(mode="after")
    def _distinct(self) -> _Labels:
        values = list(self.as_dict().values())
        if any(not v.strip() for v in values):
            raise ValueError("labels must not be empty")
        if len(set(values)) != len(values):
            raise ValueError("labels must differ from each other (they become the options of a select field)")
        return self

    def as_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items()}


class TrendLabels(_Labels):
    improving: str = "Improving"
    steady: str = "Steady"
    worsening: str = "Worsening"


class MoodLabels(_Labels):
    very_negative: str = "Very negative"
    negative: str = "Negative"
    neutral: str = "Neutral"
    positive: str = "Positive"
    very_positive: str = "Very positive"

    def label(self, mood: Mood) -> str:
        return self.as_dict()[mood.value]


class TrendSettings(_Section):
    window: int = Field(default=3, ge=2, le=50)
    threshold: float = Field(default=0.15, gt=0, le=2)
    labels: TrendLabels = TrendLabels()


class MoodSettings(_Section):
    # None: the bands fitted to the sentiment engine's own scale (see `ela sentiment eval`).
    thresholds: MoodThresholds | None = None
    labels: MoodLabels = MoodLabels()
    trend: TrendSettings = TrendSettings()

    def bands(self, engine_bands: MoodBands) -> MoodBands:
        return self.thresholds.bands() if self.thresholds is not None else engine_bands


class SentimentSettings(_Section):
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


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class WebhookSettings(_Section):
    secret: SecretStr | None = Field(default=None, description="HMAC secret of a Jira admin webhook")
    token: SecretStr | None = Field(default=None, description="shared token for senders that cannot sign")
    token_header: str = "X-ELA-Token"
    token_query: str = "token"

    @model_validator(mode="after")
    def _some_proof(self) -> WebhookSettings:
        if self.secret is None and self.token is None:
            raise ValueError("set `secret` (signed admin webhooks) or `token` (Automation, Data Center)")
        for name, value in (("secret", self.secret), ("token", self.token)):
            if value is not None and len(value.get_secret_value()) < 16:
                raise ValueError(f"{name} must be at least 16 characters")
        return self

    def auth(self) -> WebhookAuth:
        return WebhookAuth(
            secret=self.secret.get_secret_value() if self.secret else None,
            token=self.token.get_secret_value() if self.token else None,
            token_header=self.token_header,
            token_query=self.token_query,
        )


class CustomerSettings(_Section):
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


class JiraAuthSettings(_Section):
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


class FieldMapping(_Section):
    """Logical field -> Jira field name ("Customer mood") or id ("customfield_10050"). Unset: not written."""

    mood: str | None = None
    mood_score: str | None = None
    initial_mood: str | None = None
    mood_trend: str | None = None

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


class JiraSiteSettings(_Section):
    platform: Literal["jira"]
    url: HttpUrl
    deployment: Literal["cloud", "datacenter"] = "cloud"
    api_version: Literal["2", "3"] = "3"
    service_desk: bool = True
    auth: JiraAuthSettings
    webhook: WebhookSettings
    customers: CustomerSettings = CustomerSettings()
    fields: FieldMapping = FieldMapping()

    @model_validator(mode="after")
    def _deployment_matches_auth(self) -> JiraSiteSettings:
        if self.deployment == "datacenter" and self.api_version == "3":
            raise ValueError("Jira Data Center has no REST API v3: set api_version: '2'")
        return self


SiteSettings = Annotated[JiraSiteSettings, Field(discriminator="platform")]


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    server: ServerSettings = ServerSettings()
    worker: WorkerSettings = WorkerSettings()
    writeback: WritebackSettings = WritebackSettings()
    mood: MoodSettings = MoodSettings()
    sentiment: SentimentSettings = SentimentSettings()
    logging: LoggingSettings = LoggingSettings()
    sites: dict[str, SiteSettings] = Field(default_factory=dict)


class ConfigError(Exception):
    """A configuration that must not start the service; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


def _validation_problems(exc: ValidationError, loaded: LoadedYaml) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors():
        # Pydantic puts the discriminator's tag in the path of a tagged union ("jira"): drop it.
        loc: tuple[str | int, ...] = tuple(p for p in error["loc"] if p not in ("jira",))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown option (check the spelling against config/example.yaml)"
        elif error["type"] == "union_tag_invalid":
            tag = (error.get("ctx") or {}).get("tag")
            message = f"platform {tag!r} is not supported yet (supported: jira)"
        elif error["type"] == "union_tag_not_found":
            message = "`platform` is required (supported: jira)"
        problems.append(ConfigProblem(dotted(loc), loaded.line_of(loc), message))
    return problems


def parse_settings(text: str, source: str = "<config>", env: dict[str, str] | None = None) -> Settings:
    loaded = load_yaml(text, env)
    if loaded.problems and loaded.data is None:
        raise ConfigError(source, loaded.problems)
    data = loaded.data if loaded.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(source, [ConfigProblem("", 1, "the file must be a mapping of sections")])
    problems = list(loaded.problems)
    sites = data.get("sites")
    if isinstance(sites, dict):
        problems.extend(
            ConfigProblem(
                dotted(("sites", name)),
                loaded.line_of(("sites", name)),
                "site names become URL paths: use lower-case letters, digits, - and _",
            )
            for name in sites
            if not SITE_NAME.match(name)
        )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        # A missing ${VAR} leaves an empty value whose section then fails its own checks too; the
        # missing variable is the one thing to fix, so those echoes are left out.
        unset = [p.path for p in loaded.problems]
        problems.extend(
            p
            for p in _validation_problems(exc, loaded)
            if not any(u == p.path or u.startswith(p.path + ".") for u in unset)
        )
        settings = None
    if problems or settings is None:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise ConfigError(source, problems)
    return settings


def load_settings(path: str | Path, env: dict[str, str] | None = None) -> Settings:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(file), [ConfigProblem("", None, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(file), [ConfigProblem("", None, f"not UTF-8 text: {exc.reason}")]) from exc
    return parse_settings(text, str(file), env)
