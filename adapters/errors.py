"""Every error an adapter raises, in one place, each carrying the HTTP status the intake answers with."""

from __future__ import annotations


class AdapterError(Exception):
    status: int = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unauthorized(AdapterError):
    """Missing or wrong signature / token."""

    status = 401


class PayloadRejected(AdapterError):
    """The body is JSON but not a payload this platform sends (or is missing what every such payload has)."""

    status = 400


class WriteError(Exception):
    """A write to a platform failed. Subclasses say whether and when to try again."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RateLimited(WriteError):
    """429: the platform said how long to wait (Retry-After, seconds)."""

    def __init__(self, message: str, *, retry_after: float | None, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class TransientWriteError(WriteError):
    """5xx, timeouts, connection failures: try again with backoff."""


class PermanentWriteError(WriteError):
    """Other 4xx (unknown field, no permission, bad value): retrying cannot help."""
