"""Structured logs: one JSON object per line, an event-style message and a context dict.

Call sites log `log.info("webhook.accepted", extra={"context": {...}})`; the formatter flattens the
context into the line. Secrets never reach a log: settings hold them as SecretStr.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from connector.platforms import platforms
from connector.settings import LoggingSettings

# Attributes every LogRecord has; anything else on a record came from a call's `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
# Our own loggers ("ela.*" in the service, module names in the adapters: they know nothing of "ela"),
# and the web server's.
NAMESPACES = ("ela", "adapters", "sentiment", "waitress")


def _context(record: logging.LogRecord) -> dict[str, Any]:
    """The structured part of a record: `extra={"context": {...}}` or plain `extra={...}` keys."""
    found = {k: v for k, v in vars(record).items() if k not in _STANDARD and k != "context"}
    context = getattr(record, "context", None)
    if isinstance(context, dict):
        found.update(context)
    return found


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update({k: v for k, v in _context(record).items() if k not in line})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = f"{record.levelname.lower():7} {record.name}: {record.getMessage()}"
        context = _context(record)
        if context:
            base += " " + " ".join(f"{k}={v}" for k, v in context.items())
        if record.exc_info:
            base += "\n" + self.formatException(record.exc_info)
        return base


def setup_logging(settings: LoggingSettings, stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    for name in NAMESPACES:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(settings.level)
        logger.propagate = False
    # APScheduler logs every job run at INFO, and at WARNING each run it skips because the last one is
    # still going (max_instances=1 is on purpose: a slow pass is not run twice at once). Its errors
    # (a job that raised) still show.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # waitress warns "Task queue depth is N" whenever a request waits for a free thread: under load,
    # every few milliseconds. Queueing shows in ela_intake_seconds instead.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # Platform client libraries that log request and response bodies (customers' words) at DEBUG.
    for platform in platforms().values():
        for name in platform.chatty_loggers:
            logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(settings.level)))
