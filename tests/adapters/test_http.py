"""adapters/http.py, what every platform client shares: Retry-After, the status-to-WriteError mapping, the
transport failures, and the one-attempt session, against real HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.util import Retry

from adapters.errors import PermanentWriteError, RateLimited, TransientWriteError, WriteError
from adapters.http import (
    OneAttemptAdapter,
    error_for_status,
    one_attempt_session,
    parse_retry_after,
    transport_errors,
)

SITE = "https://acme.example.net"


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 2, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after("1.5", now=now) == 1.5
    assert parse_retry_after("Thu, 02 May 2024 10:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Thu, 02 May 2024 09:00:00 GMT", now=now) == 0.0  # already past
    assert parse_retry_after("-5", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize("value", ["", "   ", "nan", "inf", "1e999"])
def test_retry_after_that_names_no_finite_wait_reads_as_absent(value: str) -> None:
    assert parse_retry_after(value) is None


def test_retry_after_in_the_obsolete_date_forms_is_read_as_gmt() -> None:
    now = datetime(1994, 11, 6, 8, 49, 0, tzinfo=UTC)
    assert parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now=now) == 37.0  # RFC 850
    assert parse_retry_after("Sun Nov  6 08:49:37 1994", now=now) == 37.0  # asctime, no zone


# error_for_status ------------------------------------------------------------------------------------


def _answer(status: int, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers)
    response.url = SITE + "/rest/thing"
    return response


def _error(response: requests.Response, *, said: str = "", forbidden_hint: str = "") -> WriteError:
    return error_for_status(
        response,
        action="write fields on SD-1",
        platform="Acme",
        site_url=SITE,
        said=said,
        credentials="the e-mail address and API token",
        forbidden_hint=forbidden_hint,
    )


def test_429_is_rate_limited_with_the_wait_the_platform_asked_for() -> None:
    error = _error(_answer(429, **{"Retry-After": "17"}), said="Too many requests")
    assert isinstance(error, RateLimited)
    assert error.retry_after == 17.0 and error.status == 429
    assert error.message == "write fields on SD-1: Acme rate limit (429) (Acme said: Too many requests)"


def test_429_without_retry_after_leaves_the_wait_to_the_outbox() -> None:
    error = _error(_answer(429))
    assert isinstance(error, RateLimited) and error.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599, 408])
def test_server_errors_and_408_are_transient(status: int) -> None:
    error = _error(_answer(status), said="down for maintenance")
    assert type(error) is TransientWriteError
    assert error.status == status
    assert error.message == f"write fields on SD-1: Acme answered {status} (Acme said: down for maintenance)"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_permanent_and_names_where_it_points(status: int) -> None:
    error = _error(_answer(status, Location="https://acme.atlassian.net/rest/thing"))
    assert type(error) is PermanentWriteError and error.status == status
    assert f"redirected ({status}) to https://acme.atlassian.net/rest/thing" in error.message
    assert "set the site url to Acme's final address" in error.message


def test_a_redirect_without_location_still_says_what_to_fix() -> None:
    error = _error(_answer(302))
    assert "redirected (302) to somewhere else; set the site url" in error.message


def test_401_names_the_credentials_to_check_and_the_site() -> None:
    error = _error(_answer(401), said="Client must be authenticated")
    assert type(error) is PermanentWriteError and error.status == 401
    assert f"rejected the credentials (401) for {SITE}" in error.message
    assert "check the e-mail address and API token" in error.message
    assert "expired or been revoked" in error.message
    assert error.message.endswith("(Acme said: Client must be authenticated)")


def test_403_carries_the_callers_hint() -> None:
    hinted = _error(_answer(403), said="no", forbidden_hint="give the user Edit Issues on the project")
    assert type(hinted) is PermanentWriteError and hinted.status == 403
    assert hinted.message == (
        "write fields on SD-1: Acme refused permission (403): give the user Edit Issues on the project "
        "(Acme said: no)"
    )
    assert _error(_answer(403)).message == "write fields on SD-1: Acme refused permission (403)"


@pytest.mark.parametrize("status", [400, 404, 405, 409, 413, 422])
def test_other_client_errors_are_permanent_with_the_platforms_words(status: int) -> None:
    error = _error(_answer(status), said="Field 'mood' cannot be set")
    assert type(error) is PermanentWriteError and error.status == status
    assert (
        error.message
        == f"write fields on SD-1: Acme answered {status} (Acme said: Field 'mood' cannot be set)"
    )


# a real server on loopback -----------------------------------------------------------------------------


class _Server:
    """A threaded HTTP server whose paths each misbehave in one way; it counts what reached it."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits.get(path, 0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                with server._lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                if self.path == "/ok":
                    self._send(200, b'{"ok": true}')
                elif self.path == "/unavailable":
                    self._send(503, b"busy")
                elif self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/ok")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/slow":  # no answer until the test lets go
                    server.release.wait(10)
                    self._send(200, b"late")
                elif self.path == "/drop":  # the connection closes with no answer at all
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif self.path == "/short":  # fewer bytes than the Content-Length promised
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b'{"ok":')
                    self.wfile.flush()
                    self.close_connection = True
                elif self.path == "/stall":  # headers and a little body, then nothing
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b'{"ok":')
                    self.wfile.flush()
                    server.release.wait(10)
                    self.close_connection = True
                else:
                    self._send(404, b"")

            def do_GET(self) -> None:
                self._serve()

            def do_PUT(self) -> None:
                self._serve()

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    thread = threading.Thread(target=running.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield running
    running.release.set()
    running.httpd.shutdown()
    running.httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_write_whose_connection_drops_is_sent_once_not_retried(server: _Server) -> None:
    session = one_attempt_session(server.url, 2, 2)
    with (
        pytest.raises(TransientWriteError, match="cannot reach Acme at"),
        transport_errors("write fields on SD-1", "Acme", server.url),
    ):
        session.put(server.url + "/drop", json={"mood": "Negative"})
    assert server.count("/drop") == 1


def test_a_retrying_adapter_on_the_callers_session_is_replaced_for_the_site(server: _Server) -> None:
    retrying = requests.Session()
    retry = Retry(total=3, status_forcelist=[503], backoff_factor=0, raise_on_status=False)
    retrying.mount("http://", HTTPAdapter(max_retries=retry))
    assert retrying.get(server.url + "/unavailable", timeout=5).status_code == 503  # the adapter gave up...
    assert server.count("/unavailable") == 4  # ...after four tries: what the outbox must never meet

    session = one_attempt_session(server.url, 2, 2, retrying)
    assert session is retrying
    assert isinstance(session.get_adapter(server.url + "/unavailable"), OneAttemptAdapter)
    answer = session.get(server.url + "/unavailable")
    assert answer.status_code == 503
    assert server.count("/unavailable") == 5  # one more: exactly one attempt


def test_a_redirect_is_answered_to_the_caller_and_mapped(server: _Server) -> None:
    """The clients ask for no redirect to be followed (a 302 would turn a PUT into a GET): one request
    reaches the server, and its answer says where the site has moved."""
    session = one_attempt_session(server.url, 2, 2)
    answer = session.put(server.url + "/moved", json={}, allow_redirects=False)
    assert answer.status_code == 302 and server.count("/moved") == 1 and server.count("/ok") == 0
    error = _error(answer)
    assert type(error) is PermanentWriteError and "redirected (302) to /ok" in error.message


def test_the_sessions_read_timeout_wins_over_a_callers_longer_one(server: _Server) -> None:
    session = one_attempt_session(server.url, 2, 0.2)
    with (
        pytest.raises(TransientWriteError, match=r"Acme did not answer in time \(ReadTimeout\)"),
        transport_errors("write fields on SD-1", "Acme", server.url),
    ):
        session.get(server.url + "/slow", timeout=60)
    assert server.count("/slow") == 1


def test_a_connect_timeout_is_transient() -> None:
    """A listener whose accept queue is full drops new SYNs, as an unreachable firewall does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        fillers = [socket.socket() for _ in range(4)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
            time.sleep(0.1)
            session = one_attempt_session(url, 0.3, 30)
            with (
                pytest.raises(TransientWriteError, match=r"did not answer in time \(ConnectTimeout\)"),
                transport_errors("read SD-1", "Acme", url),
            ):
                session.get(url + "/ok")
        finally:
            for filler in fillers:
                filler.close()


def test_a_refused_connection_is_transient_and_names_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    session = one_attempt_session(url, 2, 2)
    with pytest.raises(TransientWriteError) as caught, transport_errors("read SD-1", "Acme", url):
        session.get(url + "/ok")
    assert caught.value.message.startswith(f"read SD-1: cannot reach Acme at {url} (")
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_an_answer_cut_short_is_transient(server: _Server) -> None:
    session = one_attempt_session(server.url, 2, 2)
    with (
        pytest.raises(TransientWriteError, match="read SD-1: Acme's answer was cut short"),
        transport_errors("read SD-1", "Acme", server.url),
    ):
        session.get(server.url + "/short")


def test_an_answer_that_stalls_part_way_is_a_timeout_not_unreachable(server: _Server) -> None:
    """requests raises a ConnectionError for a read timeout while the body streams in; the platform was
    reached, and the message must not send the operator to check the URL."""
    session = one_attempt_session(server.url, 2, 0.3)
    with pytest.raises(TransientWriteError) as caught, transport_errors("read SD-1", "Acme", server.url):
        session.get(server.url + "/stall")
    assert caught.value.message == "read SD-1: Acme stopped answering part-way through (read timeout)"
    assert server.count("/stall") == 1


def test_a_retrying_adapters_exhaustion_is_transient(server: _Server) -> None:
    retrying = requests.Session()
    retrying.mount(
        "http://", HTTPAdapter(max_retries=Retry(total=1, status_forcelist=[503], backoff_factor=0))
    )
    with (
        pytest.raises(TransientWriteError, match=r"read SD-1: .*too many 503"),
        transport_errors("read SD-1", "Acme", server.url),
    ):
        retrying.get(server.url + "/unavailable", timeout=5)


def test_a_bad_url_is_not_turned_into_something_to_retry() -> None:
    """Only failures where no answer came back are transient; a malformed URL is the caller's to report."""
    with pytest.raises(requests.exceptions.InvalidURL), transport_errors("read SD-1", "Acme", "http://[::1"):
        requests.get("http://[::1/x", timeout=1)


def test_an_answer_that_arrives_passes_through_untouched(server: _Server) -> None:
    session = one_attempt_session(server.url + "/", 2, 2)
    with transport_errors("read SD-1", "Acme", server.url):
        answer = session.get(server.url + "/ok")
    assert answer.status_code == 200 and answer.json() == {"ok": True}


@pytest.mark.parametrize(("connect", "read"), [(0, 5), (5, 0), (-1, 5), (5, -0.5)])
def test_timeouts_must_be_positive(connect: float, read: float) -> None:
    with pytest.raises(ValueError, match="must be positive seconds"):
        one_attempt_session(SITE, connect, read)
