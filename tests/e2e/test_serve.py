"""`ela serve` as an operator runs it: web processes plus a worker process, over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from connector.setup import setup_site
from simulators.jira.simulator import JiraSimulator
from tests.e2e.support import SECRET, write_config

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = "casey@customer.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_serve_receives_processes_and_writes_back_then_stops_cleanly(
    jira: JiraSimulator, tmp_path: Path
) -> None:
    port = free_port()
    config = write_config(tmp_path, jira.base_url, port=port)
    fields = setup_site(config.settings.sites["jira"], config.settings).created_or_found
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "connector", "serve", "--config", str(config.path), "--workers", "2"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # the socket is bound before the web processes are ready: connections wait
            assert time.monotonic() < deadline, "ela serve did not become ready"
            assert serve.poll() is None, log.read_text()
            time.sleep(0.1)
        assert len(processes_mentioning(f"connector worker --config {config.path}")) == 1

        jira.register_webhook(f"{base}/webhooks/jira/jira", secret=SECRET)
        key = jira.create_issue("SUP", "Monitor flickers", reporter=CUSTOMER)
        jira.add_comment(key, "It is broken AGAIN and nobody answers. Unacceptable!", author=CUSTOMER)
        deadline = time.monotonic() + 30
        while not jira.issue(key).fields.get(fields["mood"]):
            assert time.monotonic() < deadline, "the mood never reached the ticket"
            time.sleep(0.1)
        assert jira.issue(key).fields[fields["mood"]]["value"] in ("Negative", "Very negative")
        # The field lands on Jira a moment before the worker records the write as done.
        deadline = time.monotonic() + 10
        while 'ela_writebacks_total{outcome="ok"} 1.0' not in requests.get(f"{base}/metrics", timeout=5).text:
            assert time.monotonic() < deadline, "the landed write-back was never counted"
            time.sleep(0.1)
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(30)
    assert code == 0, log.read_text()
    time.sleep(0.5)
    assert processes_mentioning(f"connector worker --config {config.path}") == []
