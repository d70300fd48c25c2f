"""A platform the connector has never heard of, registered at run time: a signed webhook goes through
intake, store, pipeline and outbox to the platform's own writer, and `ela setup` works on it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from connector import platforms
from connector.runtime import Runtime
from connector.settings import parse_settings
from connector.setup import setup_site
from tests.connector import toy_platform
from tests.e2e.support import serve

REPO = Path(__file__).resolve().parents[2]
SECRET = "toy-secret-0123456789"
CONFIG = """
database: {{url: "sqlite:///{db}"}}
writeback: {{coalesce_seconds: 0}}
sites:
  playroom:
    platform: toy
    desk: playroom
    webhook: {{secret: {secret}}}
    fields: {{mood: Mood, mood_trend: Trend}}
"""


@pytest.fixture
def toy() -> Iterator[toy_platform.ToyDesk]:
    platforms.register(toy_platform.PLATFORM)
    desk = toy_platform.DESKS["playroom"] = toy_platform.ToyDesk()
    yield desk
    platforms.unregister("toy")
    toy_platform.DESKS.clear()


def _post(url: str, payload: dict[str, object], secret: str = SECRET) -> requests.Response:
    body = json.dumps(payload).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Toy-Signature": signature}
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_a_platform_registered_from_outside_the_connector_works_end_to_end(
    toy: toy_platform.ToyDesk, tmp_path: Path
) -> None:
    settings = parse_settings(CONFIG.format(db=tmp_path / "ela.db", secret=SECRET), env={})
    site = settings.sites["playroom"]
    assert isinstance(site, toy_platform.ToySiteSettings)
    assert setup_site(site, settings).created_or_found == {"mood": "toyfield_1", "mood_trend": "toyfield_2"}

    running = serve(Runtime(settings), "toy", "playroom")
    url = running.url
    try:
        angry = {
            "id": "d1",
            "ticket": "T-1",
            "title": "Broken",
            "comment": {
                "id": 1,
                "author": "kim",
                "customer": True,
                "text": "This is broken again, nobody helps!",
            },
        }
        assert _post(url, angry, secret="wrong-secret-0123456789").status_code == 401
        answer = _post(url, angry)
        assert answer.status_code == 202, answer.text
        assert _post(url, angry).json()["status"] == "duplicate"
        for _ in range(5):
            if running.runtime.worker.run_once().idle:
                break
    finally:
        running.server.shutdown()
        running.server.server_close()
        running.runtime.close()

    assert toy.calls == ["write T-1 ['mood', 'mood_trend']"]
    written = toy.values["T-1"]
    assert written["toyfield_1"] in ("Negative", "Very negative")
    assert written["toyfield_2"] == "Steady"


def test_the_connector_does_not_know_the_toy_platform() -> None:
    mentions = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "connector").rglob("*"))
        if path.is_file() and path.suffix in (".py", ".yaml") and "toy" in path.read_text().lower()
    ]
    assert mentions == []


def test_an_unregistered_platform_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="platform 'toy' is not supported"):
        parse_settings(CONFIG.format(db=tmp_path / "ela.db", secret=SECRET), env={})
