"""STARTTLS and login against a real SMTP server that insists on both (aiosmtpd, a certificate made
for the test by openssl): the credentials cross only inside TLS, and only to a server whose certificate
verifies (here against `ca_file`)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pydantic import SecretStr

from adapters.errors import TransientWriteError
from connector.settings.smtp import SmtpSettings
from connector.store import Store
from connector.store.outbox import ClaimedAction
from connector.surveys.email import EmailSender
from tests.surveys.conftest import FakeClock, Inbox, free_port

USER, PASSWORD = "ela-surveys", "smtp-password-for-tests"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make the test server's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, port, cert
    controller.stop()


def action() -> ClaimedAction:
    payload = {
        "send_id": 0,
        "to": "casey@customer.example",
        "subject": "How did we do?",
        "text": "Rate us: https://ela.example.com/s/x?r=5",
        "html": "<p>Rate us</p>",
        "message_id": "<survey-1-survey@example.com>",
    }
    now = datetime.now(UTC)
    return ClaimedAction(
        1, 1, "jira", "jira", "SUP-1", "email", "survey:1:survey", payload, 1, False, now, now
    )


# aiosmtpd 1.4 warns about its own deprecated attribute when a login succeeds, in its server thread.
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
def test_starttls_and_login_then_delivery(tls_server: tuple[Inbox, int, Path], store: Store) -> None:
    inbox, port, cert = tls_server
    settings = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security="starttls",
        username=USER,
        password=SecretStr(PASSWORD),
        sender="desk@example.com",
        ca_file=str(cert),
    )
    result, reconciled = EmailSender(settings, store, FakeClock()).send(action())
    assert (result, reconciled) == ("<survey-1-survey@example.com>", False)
    [message] = inbox.messages
    assert message["Subject"] == "How did we do?"

    unverified = settings.model_copy(update={"ca_file": None})
    with pytest.raises(TransientWriteError, match=r"cannot reach the mail server.*CERTIFICATE_VERIFY_FAILED"):
        EmailSender(unverified, store, FakeClock()).send(action())
    assert len(inbox.messages) == 1
