"""The real payloads, mutated by a seeded mutator, signed and posted over loopback HTTP to the intake
served as `ela serve` serves it: never a 5xx, every acknowledged delivery stored, and the process still
answering /metrics and /healthz afterwards. The inputs that once broke it are among the mutations."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from connector.app import create_app
from connector.settings import parse_settings
from connector.store import Store
from connector.store.models import Delivery
from connector.web import WebServer, listening_socket

REPO = Path(__file__).resolve().parents[2]
SECRET = "fuzz-secret-0123456789"
CONFIG = """
database: {url: "sqlite:///DB"}
logging: {level: ERROR}
sites:
  fuzz:
    platform: jira
    url: https://fuzz.atlassian.net
    auth: {email: bot@example.com, api_token: fuzz-token-0123456789}
    webhook: {secret: SECRET}
""".replace("SECRET", SECRET)
NASTY: list[Any] = [
    None,
    "",
    "\ud800",
    "x" * 5000,
    -1,
    2**64,
    1.5e308,
    True,
    [],
    {},
    "9999-12-31T23:59:59.999-1400",
    "0001-01-01T00:00:00.000+1400",
    "2019-06-26T15:29:48.000",
    "<script>alert(1)</script>",
    "SUP-1; DROP TABLE events",
    {"type": "doc", "version": 1, "content": [{"type": "text", "text": "\ud800"}]},
]


def payloads(shared: Path | None) -> list[dict[str, Any]]:
    files = sorted((REPO / "tests/adapters/jira/fixtures/payloads").glob("*.json"))
    if shared is not None:
        files += sorted((shared / "jira-webhooks").glob("*.json"))
        files += sorted((shared / "jira-webhooks" / "zulip").glob("*.json"))
    found = []
    for path in files:
        try:
            found.append(json.loads(path.read_bytes()))
        except ValueError:
            continue  # Zulip's one invalid file: it is tested as a refusal elsewhere
    return [payload for payload in found if isinstance(payload, dict)]


def mutate(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        parents = [document]
        target: Any = document
        while isinstance(target, dict | list) and target and rng.random() < 0.7:
            key = rng.choice(list(target)) if isinstance(target, dict) else rng.randrange(len(target))
            parents.append(target)
            target = target[key]
            last = key
        parent = parents[-1]
        if parent is document and target is document:
            continue
        choice = rng.random()
        if choice < 0.15 and isinstance(parent, dict):
            parent.pop(last, None)
        else:
            parent[last] = rng.choice(NASTY)
    return document


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    settings = parse_settings(CONFIG.replace("DB", str(tmp_path / "ela.db")), env={})
    store = Store(settings.database.url)
    store.upgrade()
    listener = listening_socket("127.0.0.1", 0)
    server = WebServer(create_app(settings, store), listener, settings.server)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", store
    server.stopping.set()
    thread.join(10)
    store.dispose()


def test_mutated_real_payloads_never_break_the_intake(
    intake: tuple[str, Store], request: pytest.FixtureRequest
) -> None:
    base, store = intake
    from tests.conftest import shared_data_dir

    shared = shared_data_dir() if shared_data_dir().is_dir() else None
    originals = payloads(shared)
    rng = random.Random(20261201)
    session = requests.Session()
    acknowledged: set[str] = set()
    statuses: dict[int, int] = {}
    for n in range(400):
        payload = mutate(rng, rng.choice(originals))
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature": signature,
            "X-Atlassian-Webhook-Identifier": f"fuzz-{n}",
        }
        answer = session.post(f"{base}/webhooks/jira/fuzz", data=body, headers=headers, timeout=30)
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        assert answer.status_code < 500, (answer.status_code, answer.text, body[:300])
        if answer.status_code == 202:
            acknowledged.add(answer.json()["delivery"])
    assert session.get(f"{base}/metrics", timeout=10).status_code == 200
    assert session.get(f"{base}/healthz", timeout=10).status_code == 200
    with store.session() as db:
        kept = set(db.scalars(select(Delivery.delivery_key)))
    assert acknowledged <= kept  # every 2xx is in the database
    assert statuses.get(202, 0) > 50 and statuses.get(400, 0) > 20  # the mutations reach both outcomes
