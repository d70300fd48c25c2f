"""Outbound webhooks, as a platform sends them: registrations, signing, and delivery with retries.

Sender threads deliver in order per (webhook, lane), a lane being one ticket: a failing delivery holds
back later events of the same ticket until it succeeds or is given up, while other tickets keep flowing.
Retry delays are multiplied by `time_scale` so tests can run them in milliseconds. What a platform puts
in the headers (its delivery id, retry count, signature) is its `HeaderPolicy`.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})

# (delivery identifier, attempt number from 1, body, the registration's secret) -> the request's headers
HeaderPolicy = Callable[[str, int, bytes, "str | None"], dict[str, str]]


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retryable(status: int | None) -> bool:
    return status is None or status in RETRYABLE_STATUSES or status >= 500


@dataclass(frozen=True)
class WebhookRegistration:
    id: int
    url: str
    events: frozenset[str]
    secret: str | None = None
    name: str = ""

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": sorted(self.events),
            "signed": self.secret is not None,
            "name": self.name,
        }


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one event to one webhook. `status` is None when no answer came back."""

    webhook_id: int
    url: str
    event: str
    identifier: str
    attempt: int
    headers: dict[str, str]
    body: bytes
    status: int | None
    error: str | None
    issue_key: str | None
    sent_at: float
    duration: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "url": self.url,
            "event": self.event,
            "identifier": self.identifier,
            "attempt": self.attempt,
            "headers": self.headers,
            "body": self.json(),
            "status": self.status,
            "error": self.error,
            "issue_key": self.issue_key,
            "sent_at": self.sent_at,
            "duration": self.duration,
        }


@dataclass
class _Job:
    registration: WebhookRegistration
    identifier: str
    event: str
    body: bytes
    lane: tuple[int, str]
    issue_key: str | None
    attempt: int = 1
    due: float = 0.0


@dataclass
class WebhookDispatcher:
    headers: HeaderPolicy
    retry_delays: tuple[float, ...]
    time_scale: float = 1.0
    thread_name: str = "sim-webhooks"
    timeout: tuple[float, float] = (5.0, 20.0)
    workers: int = 2
    _registrations: dict[int, WebhookRegistration] = field(default_factory=dict)
    _deliveries: list[Delivery] = field(default_factory=list)
    _lanes: dict[tuple[int, str], deque[_Job]] = field(default_factory=dict)
    _ready: list[tuple[float, int, tuple[int, str]]] = field(default_factory=list)
    _busy: set[tuple[int, str]] = field(default_factory=set)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stopping: bool = False
    _seq: Iterator[int] = field(default_factory=itertools.count)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _local: threading.local = field(default_factory=threading.local)

    # registrations -------------------------------------------------------------------------------

    def register(
        self, url: str, events: Iterable[str], secret: str | None = None, name: str = ""
    ) -> WebhookRegistration:
        wanted = frozenset(events)
        if not wanted:
            raise ValueError("a webhook needs at least one event ('*' for all)")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must be http(s): {url}")
        with self._cond:
            registration = WebhookRegistration(next(self._ids), url, wanted, secret or None, name)
            self._registrations[registration.id] = registration
            return registration

    def unregister(self, webhook_id: int) -> bool:
        with self._cond:
            return self._registrations.pop(webhook_id, None) is not None

    def wants(self, event: str) -> bool:
        with self._cond:
            return any(r.wants(event) for r in self._registrations.values())

    def registrations(self) -> list[WebhookRegistration]:
        with self._cond:
            return list(self._registrations.values())

    # publishing ----------------------------------------------------------------------------------

    def publish(self, event: str, payload: dict[str, Any], *, lane: str, issue_key: str | None) -> int:
        """Queues the event for every webhook that wants it; returns how many deliveries were queued."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        queued = 0
        with self._cond:
            now = time.monotonic()
            for registration in self._registrations.values():
                if not registration.wants(event):
                    continue
                key = (registration.id, lane)
                job = _Job(registration, str(uuid.uuid4()), event, body, key, issue_key, due=now)
                queue = self._lanes.setdefault(key, deque())
                queue.append(job)
                if len(queue) == 1 and key not in self._busy:
                    self._push(job)
                queued += 1
            if queued:
                self._cond.notify_all()
        return queued

    def _push(self, job: _Job) -> None:
        heapq.heappush(self._ready, (job.due, next(self._seq), job.lane))

    # delivery ------------------------------------------------------------------------------------

    def start(self) -> None:
        with self._cond:
            self._stopping = False
        for index in range(self.workers):
            thread = threading.Thread(target=self._run, name=f"{self.thread_name}-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=max(self.timeout) + 1)
        self._threads.clear()

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._ready and self._ready[0][0] <= now:
                    _, _, key = heapq.heappop(self._ready)
                    queue = self._lanes.get(key)
                    if not queue:
                        continue
                    if key[0] not in self._registrations:
                        # Unregistered while its events waited: a platform sends a deleted webhook nothing.
                        del self._lanes[key]
                        self._cond.notify_all()  # wait_idle may be waiting for this lane to go
                        continue
                    self._busy.add(key)
                    return queue[0]
                self._cond.wait(timeout=(self._ready[0][0] - now) if self._ready else None)
        return None

    def _run(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                return
            delivery = self._send(job)
            with self._cond:
                self._deliveries.append(delivery)
                gave_up = job.attempt > len(self.retry_delays)
                if retryable(delivery.status) and not gave_up and job.registration.id in self._registrations:
                    job.due = time.monotonic() + self.retry_delays[job.attempt - 1] * self.time_scale
                    job.attempt += 1
                    self._push(job)
                else:
                    queue = self._lanes.get(job.lane)
                    if queue and queue[0] is job:
                        queue.popleft()
                    if queue:
                        queue[0].due = max(queue[0].due, time.monotonic())
                        self._push(queue[0])
                    else:
                        self._lanes.pop(job.lane, None)
                self._busy.discard(job.lane)
                self._cond.notify_all()

    def _send(self, job: _Job) -> Delivery:
        headers = self.headers(job.identifier, job.attempt, job.body, job.registration.secret)
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        started = time.time()
        status: int | None = None
        error: str | None = None
        try:
            response = session.post(
                job.registration.url,
                data=job.body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            status = response.status_code
            response.close()
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        return Delivery(
            webhook_id=job.registration.id,
            url=job.registration.url,
            event=job.event,
            identifier=job.identifier,
            attempt=job.attempt,
            headers=headers,
            body=job.body,
            status=status,
            error=error,
            issue_key=job.issue_key,
            sent_at=started,
            duration=time.time() - started,
        )

    # inspection ----------------------------------------------------------------------------------

    def deliveries(self) -> list[Delivery]:
        with self._cond:
            return list(self._deliveries)

    def pending(self) -> int:
        with self._cond:
            return sum(len(queue) for queue in self._lanes.values())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Waits until every queued delivery has succeeded or been given up."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._lanes and not self._busy, timeout=timeout)

    def clear(self) -> None:
        with self._cond:
            self._deliveries.clear()
            self._lanes.clear()
            self._ready.clear()
