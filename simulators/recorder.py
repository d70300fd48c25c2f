"""What the simulator was asked and what it found wrong: recorded requests and contract violations."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from simulators.openapi_check import Violation


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    status: int | None = None
    user: str | None = None
    operation: str | None = None
    fault: int | None = None
    at: float = field(default_factory=time.time)
    duration: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "json": self.json,
            "status": self.status,
            "user": self.user,
            "operation": self.operation,
            "fault": self.fault,
            "at": self.at,
            "duration": self.duration,
        }


class RequestLog:
    """Thread-safe lists of requests and violations; `limit` bounds memory in long benchmark runs."""

    def __init__(self, limit: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._violations: list[Violation] = []
        self.limit = limit

    def add_request(self, record: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(record)
            if len(self._requests) > self.limit:
                del self._requests[: len(self._requests) - self.limit]

    def add_violation(self, violation: Violation) -> None:
        with self._lock:
            self._violations.append(violation)

    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def violations(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    def clear(self, *, requests: bool = True, violations: bool = True) -> None:
        with self._lock:
            if requests:
                self._requests.clear()
            if violations:
                self._violations.clear()
