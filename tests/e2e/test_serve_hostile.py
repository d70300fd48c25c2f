"""`ela serve` under the traffic that broke it: chunked bodies over the limit, hundreds of clients that
never finish their requests, and a worker process killed outright."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from connector.setup import setup_site
from simulators.jira.simulator import JiraSimulator
from tests.e2e.support import SECRET, write_config
from tests.e2e.test_serve import free_port, processes_mentioning

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = "casey@customer.example"
PAYLOAD = REPO / "tests/adapters/jira/fixtures/payloads/jsm-cloud-customer-comment.json"


@dataclass
class Served:
    base: str
    port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes]


def wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}{path}", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        assert time.monotonic() < deadline, f"ela serve did not become ready: {log.read_text()[-2000:]}"
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)


def start_serve(jira: JiraSimulator, tmp_path: Path, *args: str) -> Served:
    port = free_port()
    config = write_config(tmp_path, jira.base_url, port=port)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "connector",
                "serve",
                "--config",
                str(config.path),
                "--workers",
                "2",
                *args,
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", port, config.path, log, process)
    wait_ready(served.base, process, log)
    return served


@pytest.fixture
def served(jira: JiraSimulator, tmp_path: Path) -> Iterator[Served]:
    running = start_serve(jira, tmp_path)
    yield running
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(60) == 0, running.log.read_text()[-2000:]


def signed(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def raw_post(port: int, head: bytes, body: bytes, timeout: float = 30) -> bytes:
    """One request over a plain socket; returns the status line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_a_chunked_body_over_the_limit_is_refused_whole(served: Served) -> None:
    big = b'{"webhookEvent": "comment_created", "pad": "' + b"x" * 1_100_000 + b'"}'
    # Signed over the first MiB, as an attacker hoping the tail is cut off and the rest taken.
    head = (
        "POST /webhooks/jira/jira HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature: {signed(big[:1_048_576])}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    chunks = b"".join(
        f"{len(big[i : i + 65536]):x}\r\n".encode() + big[i : i + 65536] + b"\r\n"
        for i in range(0, len(big), 65536)
    )
    assert raw_post(served.port, head, chunks + b"0\r\n\r\n").startswith(b"HTTP/1.1 413")
    head = (
        "POST /webhooks/jira/jira HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature: {signed(big)}\r\nContent-Length: {len(big)}\r\nConnection: close\r\n\r\n"
    ).encode()
    assert raw_post(served.port, head, big).startswith(b"HTTP/1.1 413")


def test_hundreds_of_slow_clients_do_not_stop_intake(served: Served) -> None:
    slow: list[socket.socket] = []
    try:
        for n in range(200):
            sock = socket.create_connection(("127.0.0.1", served.port))
            if n % 2:  # a body that never comes
                sock.sendall(
                    b"POST /webhooks/jira/jira HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
                    + b"x" * 100
                )
            else:  # headers that never end
                sock.sendall(b"POST /webhooks/jira/jira HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        body = PAYLOAD.read_bytes()
        answer = requests.post(
            f"{served.base}/webhooks/jira/jira",
            data=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature": signed(body)},
            timeout=15,  # a request-process server would hold it until its workers were killed (31 s)
        )
        assert answer.status_code == 202
        assert requests.get(f"{served.base}/healthz", timeout=15).status_code == 200
    finally:
        for sock in slow:
            sock.close()
    assert served.process.poll() is None


def test_a_killed_worker_is_restarted_and_readiness_follows_its_heartbeat(
    jira: JiraSimulator, served: Served
) -> None:
    config = write_config(served.config.parent, jira.base_url, port=served.port)
    fields = setup_site(config.settings.sites["jira"], config.settings).created_or_found
    wait_ready(served.base, served.process, served.log, "/readyz")
    mention = f"connector worker --config {served.config}"
    [first] = processes_mentioning(mention)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:
        now = processes_mentioning(mention)
        if now and now != [first]:
            break
        assert time.monotonic() < deadline, "the worker was not started again"
        time.sleep(0.1)
    jira.register_webhook(f"{served.base}/webhooks/jira/jira", secret=SECRET)
    key = jira.create_issue("SUP", "Monitor flickers", reporter=CUSTOMER)
    jira.add_comment(key, "It is broken AGAIN and nobody answers. Unacceptable!", author=CUSTOMER)
    deadline = time.monotonic() + 60
    while not jira.issue(key).fields.get(fields["mood"]):
        assert time.monotonic() < deadline, "the restarted worker never wrote the mood"
        time.sleep(0.1)
    assert "supervisor.child_exited" in served.log.read_text()


def test_without_a_worker_readiness_says_so(jira: JiraSimulator, tmp_path: Path) -> None:
    running = start_serve(jira, tmp_path, "--no-worker")
    try:
        answer = requests.get(f"{running.base}/readyz", timeout=5)
        assert answer.status_code == 503
        assert "no worker heartbeat" in answer.json()["worker"]
        metrics = requests.get(f"{running.base}/metrics", timeout=5).text
        assert "ela_workers_alive 0.0" in metrics
    finally:
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(60) == 0


def test_every_web_process_counts_into_the_same_metrics(served: Served) -> None:
    body = PAYLOAD.read_bytes()
    for n in range(12):
        answer = requests.post(
            f"{served.base}/webhooks/jira/jira",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature": signed(body),
                "X-Atlassian-Webhook-Identifier": f"count-{n}",
                "Connection": "close",  # a new connection each time: the two processes share them
            },
            timeout=15,
        )
        assert answer.status_code == 202
    accepted = 'ela_webhooks_total{event="comment_created",outcome="accepted",site="jira"}'
    for _ in range(6):  # whichever process answers the scrape, it adds up both processes' counts
        metrics = requests.get(f"{served.base}/metrics", headers={"Connection": "close"}, timeout=5).text
        [line] = [line for line in metrics.splitlines() if line.startswith(accepted)]
        assert float(line.split()[-1]) == 12.0


def test_metrics_on_their_own_port_with_a_token(jira: JiraSimulator, tmp_path: Path) -> None:
    metrics_port = free_port()
    port = free_port()
    config = write_config(tmp_path, jira.base_url, port=port)
    token = "metrics-token-0123456789"
    config.path.write_text(config.path.read_text() + f"metrics: {{port: {metrics_port}, token: {token}}}\n")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "connector", "serve", "--config", str(config.path), "--no-worker"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(f"http://127.0.0.1:{port}", process, log)
        assert requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 404
        scrape = f"http://127.0.0.1:{metrics_port}/metrics"
        assert requests.get(scrape, timeout=5).status_code == 401
        answer = requests.get(scrape, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert answer.status_code == 200 and "ela_queue_depth" in answer.text
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, log.read_text()[-2000:]
