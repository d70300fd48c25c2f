"""A running ServiceNow simulator and a site configured against it, for the adapter's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.servicenow.settings import ServiceNowSiteSettings, writer
from adapters.servicenow.writer import ServiceNowWriter
from simulators.servicenow import ServiceNowSimulator

SECRET = "servicenow-secret-0123456789"
FIELDS = {
    "mood": "u_customer_mood",
    "mood_score": "u_customer_mood_score",
    "initial_mood": "u_initial_customer_mood",
    "mood_trend": "u_customer_mood_trend",
}


def site_settings(url: str, **extra: Any) -> ServiceNowSiteSettings:
    data: dict[str, Any] = {
        "platform": "servicenow",
        "url": url,
        "auth": {"user": "ela.connector", "password": "ela-connector-password"},
        "webhook": {"secret": SECRET},
        "fields": FIELDS,
        "pull": {"enabled": True, "page_size": 50},
    }
    data.update(extra)
    return ServiceNowSiteSettings.model_validate(data)


@pytest.fixture
def sim() -> Iterator[ServiceNowSimulator]:
    """A started simulator; a request the real Table API would misread fails the test that made it."""
    with ServiceNowSimulator() as simulator:
        yield simulator
        assert [str(v) for v in simulator.violations] == []


@pytest.fixture
def site(sim: ServiceNowSimulator) -> ServiceNowSiteSettings:
    return site_settings(sim.base_url)


@pytest.fixture
def snow(site: ServiceNowSiteSettings) -> ServiceNowWriter:
    return writer(site)
