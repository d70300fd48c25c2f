"""Injected failures: rate limiting, outages, slowness and dropped connections, by method and path.

A rule matches on method and a regular expression searched in the request path; the first matching rule
that still has uses left applies. Rules with `times=None` apply forever.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FaultRule:
    """One injected failure. `status=None` with `latency` only slows the request down and lets it through."""

    id: int
    method: str | None
    path: re.Pattern[str] | None
    status: int | None
    retry_after: float | None
    latency: float
    times: int | None
    reset: bool
    body: Any
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern if self.path else None,
            "status": self.status,
            "retry_after": self.retry_after,
            "latency": self.latency,
            "times": self.times,
            "reset": self.reset,
            "used": self.used,
        }


@dataclass
class FaultSet:
    """The simulator's injected failures; safe to change from any thread while requests are served."""

    _rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1

    def add(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        latency: float = 0.0,
        times: int | None = 1,
        reset: bool = False,
        body: Any = None,
    ) -> FaultRule:
        """Add a rule. `status` 429 or 503 with `retry_after` (seconds) sends a Retry-After header;
        `latency` (seconds) delays the answer; `reset=True` drops the TCP connection without an answer."""
        # The control API passes an admin's JSON straight in: every option is checked here, by type too,
        # so a bad one is a clear 400 rather than a TypeError's words or a 500.
        if status is not None and (not _whole(status) or not 400 <= status <= 599):
            raise ValueError(f"fault status must be 4xx or 5xx, not {status!r}")
        if not _seconds(latency) or latency < 0:
            raise ValueError(f"latency must be seconds, not negative: {latency!r}")
        if retry_after is not None and (not _seconds(retry_after) or retry_after < 0):
            raise ValueError(f"retry_after must be seconds, not negative: {retry_after!r}")
        if times is not None and (not _whole(times) or times < 1):
            raise ValueError("times must be at least 1 (or None for every matching request)")
        if not isinstance(reset, bool):
            raise ValueError(f"reset must be true or false, not {reset!r}")
        if method is not None and not isinstance(method, str):
            raise ValueError(f"method must be an HTTP method such as GET, not {method!r}")
        if status is None and latency <= 0 and not reset:
            raise ValueError("a fault needs a status, a latency or reset=True")
        try:
            compiled = re.compile(path) if path is not None else None
        except (re.error, TypeError) as error:
            raise ValueError(f"fault path must be a regular expression: {path!r} ({error})") from None
        with self._lock:
            rule = FaultRule(
                id=self._next_id,
                method=method.upper() if method else None,
                path=compiled,
                status=status,
                retry_after=retry_after,
                latency=latency,
                times=times,
                reset=reset,
                body=body,
            )
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that applies to this request, counting it as used."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.used += 1
                    return rule
        return None

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.describe() for rule in self._rules]


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _seconds(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
