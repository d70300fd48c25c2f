"""`logging`: level and line format."""

from __future__ import annotations

from typing import Literal

from adapters.settings import Section


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"
