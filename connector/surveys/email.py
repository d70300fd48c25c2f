"""The `email` outbox kind: survey e-mails over SMTP (smtplib), text and HTML.

SMTP has no read-back: once the server has taken a message there is no asking it later whether it did.
So an e-mail goes out **at most once**. An action found `sending` (a worker died between starting the
SMTP exchange and recording its end) is not sent again: it is marked failed with the reason, and its
survey send's delivery is recorded as `unconfirmed` (audited, shown by `ela status` and `ela
surveys`). The customer may have it, or not; a second copy is the one thing we promise never to send.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from adapters.errors import PermanentWriteError, TransientWriteError
from connector.settings.smtp import SmtpSettings
from connector.store import Store
from connector.store import outbox as queue
from connector.store.models import SurveySend
from connector.surveys import sends
from connector.surveys.clock import Clock

log = logging.getLogger("ela.surveys")

UNCONFIRMED = (
    "unconfirmed: a worker stopped during this e-mail's SMTP exchange, so it may have been delivered; "
    "it is not sent again (survey e-mails go out at most once)"
)


class EmailSender:
    """A Sender for the flusher (`Flusher.register("email", ...)`)."""

    def __init__(self, settings: SmtpSettings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def send(self, action: queue.ClaimedAction) -> tuple[str | None, bool]:
        payload = action.payload
        send_id = int(payload.get("send_id", 0))
        if action.uncertain:
            self._note(send_id, "unconfirmed", UNCONFIRMED)
            raise PermanentWriteError(UNCONFIRMED)
        to = str(payload.get("to") or "")
        if "@" not in to:
            self._note(send_id, "failed", "no e-mail address")
            raise PermanentWriteError(f"survey e-mail {action.key}: no address to send it to")
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = to
        message["Subject"] = str(payload["subject"])
        message["Message-ID"] = str(payload["message_id"])
        message["Date"] = formatdate(localtime=False)
        # Tells mail systems (and auto-responders) that no person typed this: no out-of-office replies.
        message["Auto-Submitted"] = "auto-generated"
        if self.settings.reply_to:
            message["Reply-To"] = self.settings.reply_to
        message.set_content(str(payload["text"]))
        message.add_alternative(str(payload["html"]), subtype="html")
        try:
            refused = self._deliver(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self._note(send_id, "failed", f"recipient refused: {exc.recipients}")
            raise PermanentWriteError(f"the mail server refused {to}: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                self._note(send_id, "failed", f"{exc.smtp_code} {exc.smtp_error!r}")
                raise PermanentWriteError(
                    f"the mail server said {exc.smtp_code}: {exc.smtp_error!r}"
                ) from exc
            raise TransientWriteError(f"the mail server said {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Refused connections, timeouts, dropped sessions before DATA was accepted: try again.
            raise TransientWriteError(f"cannot reach the mail server: {type(exc).__name__}: {exc}") from exc
        if refused:
            self._note(send_id, "failed", f"recipient refused: {refused}")
            raise PermanentWriteError(f"the mail server refused {to}: {refused}")
        self._note(send_id, "delivered", None)
        return str(payload["message_id"]), False

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        smtp = self.settings
        context = ssl.create_default_context(cafile=smtp.ca_file)
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                password = smtp.password.get_secret_value() if smtp.password else ""
                client.login(smtp.username, password)
            return client.send_message(message)

    def _note(self, send_id: int, delivery: str, detail: str | None) -> None:
        """What the channel made of the send's message, on the send and in the audit log."""
        if not send_id:
            return
        with self.store.session() as session:
            send = session.get(SurveySend, send_id)
            if send is None:
                return
            send.delivery = delivery
            sends.log(session, send, f"delivery_{delivery}", "email", self.clock(), detail=detail)
        if delivery != "delivered":
            log.warning("survey.delivery", extra={"context": {"send": send_id, "delivery": delivery}})
