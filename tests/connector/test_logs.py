from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from connector.logs import NAMESPACES, setup_logging
from connector.settings import LoggingSettings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """setup_logging reconfigures process-wide loggers; give the next tests pytest's defaults back."""
    yield
    for name in NAMESPACES:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True


def test_json_lines_carry_the_event_and_its_context() -> None:
    stream = io.StringIO()
    setup_logging(LoggingSettings(level="INFO", format="json"), stream)
    logging.getLogger("ela.test").info("webhook.accepted", extra={"context": {"site": "acme", "events": 2}})
    logging.getLogger("adapters.jira_fields").info("jira.field_created", extra={"field_id": "customfield_1"})
    logging.getLogger("ela.test").debug("not shown at INFO")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["event"], first["level"], first["site"], first["events"]) == (
        "webhook.accepted",
        "info",
        "acme",
        2,
    )
    assert (second["logger"], second["event"], second["field_id"]) == (
        "adapters.jira_fields",
        "jira.field_created",
        "customfield_1",
    )


def test_text_format_and_exceptions() -> None:
    stream = io.StringIO()
    setup_logging(LoggingSettings(level="DEBUG", format="text"), stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("ela.test").exception("event.failed", extra={"context": {"event_pk": 7}})
    text = stream.getvalue()
    assert text.startswith("error   ela.test: event.failed event_pk=7")
    assert "ValueError: boom" in text
