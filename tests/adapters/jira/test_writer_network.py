"""JiraWriter over real loopback sockets: the timeouts really apply, and a refused connection is
transient. No mocks: these are the failures `responses` can only pretend to raise."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from adapters.errors import TransientWriteError, WriteError
from adapters.jira.writer import JiraTarget, JiraWriter


def _run_with_deadline(action: Callable[[], None], deadline: float) -> tuple[BaseException | None, float]:
    """Run `action` in a thread; fail the test (instead of hanging it) if it outlives `deadline`."""
    outcome: list[BaseException | None] = [None]

    def run() -> None:
        try:
            action()
        except BaseException as exc:  # handed back to the test
            outcome[0] = exc

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(deadline)
    assert not worker.is_alive(), f"the call was still waiting after {deadline} s: no timeout applied"
    return outcome[0], time.monotonic() - started


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel completes the handshake from the backlog)
    and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def _writer(port: int) -> JiraWriter:
    target = JiraTarget(
        url=f"http://127.0.0.1:{port}",
        email="ela@acme.com",
        api_token="secret",
        fields={"mood": "customfield_10050"},
        connect_timeout=1.0,
        read_timeout=0.3,
    )
    return JiraWriter(target, session=requests.Session())


def test_a_jira_that_never_answers_is_transient_after_the_read_timeout(silent_server: int) -> None:
    writer = _writer(silent_server)

    error, elapsed = _run_with_deadline(lambda: writer.add_comment("SD-1", "hello", public=True), deadline=10)

    assert isinstance(error, TransientWriteError)
    assert "did not answer in time (ReadTimeout)" in str(error)
    assert 0.25 <= elapsed < 5  # the read timeout (0.3 s), not atlassian-python-api's default of 75 s


def test_a_refused_connection_is_transient() -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    writer = _writer(port)

    error, _ = _run_with_deadline(lambda: writer.write_fields("SD-1", {"mood": "Negative"}), deadline=10)

    assert isinstance(error, TransientWriteError)
    assert isinstance(error, WriteError) and f"cannot reach Jira at http://127.0.0.1:{port}" in str(error)
