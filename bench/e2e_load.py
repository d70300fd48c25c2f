"""The end-to-end benchmark's load and its observations: signed Jira comment webhooks built from a real
payload, posted on an open-loop schedule (each at its time, whatever the answers before it took), and
the simulator's request log read while they are processed, to see when each ticket's write landed.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import http.client
import json
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
# A real Jira Service Management Cloud payload (a customer's public comment), kept with the tests.
PAYLOAD = REPO / "tests/adapters/jira/fixtures/payloads/jsm-cloud-customer-comment.json"
# Customers' words, varied so that each comment moves the ticket's mood and its values change.
TEXTS = (
    "This is the third time this week the VPN has dropped. I am really frustrated.",
    "Thanks, that fixed it. Great help!",
    "Still broken after the restart, and nobody answers. Completely unacceptable!",
    "It works now, but it was slow to get an answer.",
    "Any update? I cannot work like this.",
)


@dataclass(frozen=True)
class Delivery:
    key: str  # X-Atlassian-Webhook-Identifier: what the store keys the delivery by
    ticket: str
    at: float  # seconds after the start of the schedule
    body: bytes


@dataclass(frozen=True)
class Ack:
    key: str
    ticket: str
    status: int  # 0: no answer (connection error)
    sent: float  # wall clock (time.time), comparable with the simulator's timestamps
    answered: float
    late: float  # seconds the request went out after its scheduled time (the client fell behind)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Payloads:
    """Comment-created payloads for any simulator ticket, from one real payload (or `--payload FILE`)."""

    def __init__(self, path: Path = PAYLOAD) -> None:
        self.template: dict[str, Any] = json.loads(path.read_bytes())
        if "comment" not in self.template or "issue" not in self.template:
            raise ValueError(f"{path}: not a Jira comment webhook (no comment and issue objects)")
        self.serial = 0

    def comment(self, key: str, issue_id: str, text: str) -> bytes:
        self.serial += 1
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"
        payload = copy.deepcopy(self.template)
        payload["timestamp"] = int(now.timestamp() * 1000)
        payload["webhookEvent"] = "comment_created"
        comment = payload["comment"]
        comment["id"] = str(1_000_000 + self.serial)
        comment["body"] = text
        comment["created"] = comment["updated"] = stamp
        issue = payload["issue"]
        issue["id"], issue["key"] = issue_id, key
        fields = issue.setdefault("fields", {})
        if isinstance(fields.get("project"), dict):
            fields["project"]["key"] = key.split("-", maxsplit=1)[0]
        return json.dumps(payload).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_schedule(
    url: str, secret: str, deliveries: Sequence[Delivery], *, connections: int = 8
) -> tuple[list[Ack], float]:
    """Post every delivery at its scheduled time over `connections` keep-alive connections; returns
    the answers and the wall time at which the schedule started. A connection that falls behind
    sends at once (and its lateness is recorded), so a slow server cannot slow the offered load much
    below the schedule while there are free connections."""
    host, port, path = _split(url)
    work: queue.SimpleQueue[Delivery | None] = queue.SimpleQueue()
    for delivery in sorted(deliveries, key=lambda d: d.at):
        work.put(delivery)
    for _ in range(connections):
        work.put(None)
    acks: list[Ack] = []
    lock = threading.Lock()
    start_mono = time.monotonic() + 0.2
    start_wall = time.time() + 0.2

    def sender() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while (delivery := work.get()) is not None:
            wait = start_mono + delivery.at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            late = max(0.0, -wait)
            headers = {
                "Content-Type": "application/json",
                "X-Hub-Signature": sign(secret, delivery.body),
                "X-Atlassian-Webhook-Identifier": delivery.key,
            }
            sent = time.time()
            try:
                conn.request("POST", path, body=delivery.body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            ack = Ack(delivery.key, delivery.ticket, status, sent, time.time(), late)
            with lock:
                acks.append(ack)
        conn.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acks, start_wall


def _split(url: str) -> tuple[str, int, str]:
    rest = url.removeprefix("http://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port or 80), "/" + path


@dataclass(frozen=True)
class Call:
    """One REST request the simulator received (the control API is not counted)."""

    method: str
    path: str
    status: int | None
    at: float  # wall clock when it arrived
    fields: tuple[str, ...]  # a PUT's field ids

    @property
    def issue(self) -> str | None:
        parts = self.path.split("/")
        # /rest/api/3/issue/SUP-1 (a write of fields), not /issue/SUP-1/comment and the like
        if len(parts) == 6 and parts[4] == "issue":
            return parts[5]
        return None

    @property
    def label(self) -> str:
        if self.issue is not None:
            return f"{self.method} /issue/{{key}}"
        # /rest/api/3/issue/SUP-1/comment -> /rest/api/3/issue/{id}/comment: ids and keys, not the version
        parts = self.path.split("/")
        named = parts[:4] + ["{id}" if any(c.isdigit() for c in p) else p for p in parts[4:]]
        return f"{self.method} {'/'.join(named)}"


class Watcher(threading.Thread):
    """Reads the simulator's request log as it grows (GET /_sim/requests?since=n), in the background."""

    def __init__(self, jira: str, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.jira = jira
        self.interval = interval
        self.calls: list[Call] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._session = requests.Session()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.poll()
            self.stopping.wait(self.interval)
        self.poll()

    def poll(self) -> None:
        with self._lock:
            since = len(self.calls)
            answer = self._session.get(f"{self.jira}/_sim/requests", params={"since": since}, timeout=60)
            answer.raise_for_status()
            for record in answer.json():
                body = record.get("json")
                written = body.get("fields", {}) if isinstance(body, dict) else {}
                self.calls.append(
                    Call(
                        record["method"],
                        record["path"],
                        record["status"],
                        record["at"],
                        tuple(written) if isinstance(written, dict) else (),
                    )
                )

    def stop(self) -> list[Call]:
        self.stopping.set()
        self.join(60)
        return list(self.calls)

    def landed(self) -> dict[str, list[float]]:
        """Per ticket, the arrival times of the simulator's accepted writes of its fields, in order."""
        with self._lock:
            calls = list(self.calls)
        found: dict[str, list[float]] = {}
        for call in calls:
            if call.method == "PUT" and call.issue is not None and call.status == 204 and call.fields:
                found.setdefault(call.issue, []).append(call.at)
        return found
