"""What every platform client shares: one attempt per request, Retry-After, and the mapping of every way
a call can fail onto WriteError.

Retries, backoff and durable state belong to the connector's outbox, which tells outcomes apart by the
WriteError subclass. So a platform client makes exactly one attempt: a retry hidden down here would send
a write twice whose first outcome the outbox must reconcile.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError

from adapters.errors import PermanentWriteError, RateLimited, TransientWriteError, WriteError

BODY_EXCERPT = 300


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 10.2.3).

    None when absent or unreadable; a date in the past means "now" (0).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 850 / asctime forms carry no zone; HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def excerpt(response: requests.Response) -> str:
    """A short, single-line excerpt of a body that is not the platform's JSON (a proxy's HTML page)."""
    text = " ".join(response.text.split())
    return text[:BODY_EXCERPT] + ("..." if len(text) > BODY_EXCERPT else "")


class OneAttemptAdapter(HTTPAdapter):
    """Every request through it gets our (connect, read) timeouts and exactly one attempt.

    Mounted on a session for the site's URL, so it also replaces any retrying adapter a caller's
    session may carry.
    """

    def __init__(self, timeouts: tuple[float, float]) -> None:
        super().__init__(max_retries=0)
        self._timeouts = timeouts

    def send(  # noqa: PLR0917 (the signature is requests' own)
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request, stream=stream, timeout=self._timeouts, verify=verify, cert=cert, proxies=proxies
        )


def one_attempt_session(
    url: str, connect_timeout: float, read_timeout: float, session: requests.Session | None = None
) -> requests.Session:
    """`session` (or a new one) with a OneAttemptAdapter mounted for `url`."""
    if connect_timeout <= 0 or read_timeout <= 0:
        raise ValueError("connect_timeout and read_timeout must be positive seconds")
    session = session if session is not None else requests.Session()
    session.mount(url.rstrip("/") + "/", OneAttemptAdapter((connect_timeout, read_timeout)))
    return session


@contextmanager
def transport_errors(action: str, platform: str, url: str) -> Iterator[None]:
    """Turn what requests raises when no HTTP answer came back into WriteErrors, named for the user."""
    try:
        yield
    except requests.Timeout as exc:
        raise TransientWriteError(
            f"{action}: {platform} did not answer in time ({type(exc).__name__})"
        ) from exc
    except requests.ConnectionError as exc:
        # requests reports a read timeout while the body streams in (the headers came, then the
        # platform stalled) as a ConnectionError wrapping urllib3's ReadTimeoutError: it was reached.
        if exc.args and isinstance(exc.args[0], ReadTimeoutError):
            raise TransientWriteError(
                f"{action}: {platform} stopped answering part-way through (read timeout)"
            ) from exc
        raise TransientWriteError(f"{action}: cannot reach {platform} at {url} ({exc})") from exc
    except requests.exceptions.RetryError as exc:  # only from a retrying adapter: repeated 429 / 5xx
        raise TransientWriteError(f"{action}: {exc}") from exc
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        raise TransientWriteError(f"{action}: {platform}'s answer was cut short ({exc})") from exc


def error_for_status(
    response: requests.Response,
    *,
    action: str,
    platform: str,
    site_url: str,
    said: str,
    credentials: str,
    forbidden_hint: str = "",
) -> WriteError:
    """The WriteError for a non-2xx answer. `said` is the platform's own words from the body;
    `credentials` names what to check on a 401 ("the e-mail address and API token")."""
    status = response.status_code
    detail = f" ({platform} said: {said})" if said else ""
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(f"{action}: {platform} rate limit (429){detail}", retry_after=retry_after)
    # 408 is a timeout reported by a server or proxy: the request may succeed when sent again.
    if status >= 500 or status == 408:
        return TransientWriteError(f"{action}: {platform} answered {status}{detail}", status=status)
    if 300 <= status < 400:
        where = response.headers.get("Location", "somewhere else")
        return PermanentWriteError(
            f"{action}: {platform} redirected ({status}) to {where}; set the site url to "
            f"{platform}'s final address",
            status=status,
        )
    if status == 401:
        return PermanentWriteError(
            f"{action}: {platform} rejected the credentials (401) for {site_url}: check {credentials}, "
            f"and that the token has not expired or been revoked{detail}",
            status=status,
        )
    if status == 403:
        hint = f": {forbidden_hint}" if forbidden_hint else ""
        return PermanentWriteError(
            f"{action}: {platform} refused permission (403){hint}{detail}", status=status
        )
    return PermanentWriteError(f"{action}: {platform} answered {status}{detail}", status=status)
