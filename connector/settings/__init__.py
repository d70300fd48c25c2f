"""The admin's YAML file as validated models: one module per section, a loader that reports every
problem at once. A site's section is its platform's own model (adapters/<platform>/settings.py)."""

from connector.settings.database import DatabaseSettings
from connector.settings.ela import ElaSettings
from connector.settings.loader import ConfigError, load_settings, parse_settings
from connector.settings.logging import LoggingSettings
from connector.settings.model import Settings
from connector.settings.mood import MoodLabels, MoodSettings, MoodThresholds, TrendLabels, TrendSettings
from connector.settings.sentiment import SentimentSettings
from connector.settings.server import MetricsSettings, ServerSettings
from connector.settings.source import ConfigProblem
from connector.settings.worker import WorkerSettings, WritebackSettings

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "DatabaseSettings",
    "ElaSettings",
    "LoggingSettings",
    "MetricsSettings",
    "MoodLabels",
    "MoodSettings",
    "MoodThresholds",
    "SentimentSettings",
    "ServerSettings",
    "Settings",
    "TrendLabels",
    "TrendSettings",
    "WorkerSettings",
    "WritebackSettings",
    "load_settings",
    "parse_settings",
]
