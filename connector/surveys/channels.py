"""A survey send's message, and how it leaves: a public comment on the ticket (the platform mails it
to the customer), or an e-mail of our own. Both go through the outbox, each message once, under a key
made from the send and its purpose (the survey, or its n-th reminder)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy.orm import Session

from connector.store import outbox
from connector.store.models import SurveySend
from connector.surveys.definitions import Texts, render

EMAIL_KIND = "email"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def links(base_url: str, token: str, texts: Texts, low: int, high: int) -> list[tuple[int, str, str]]:
    """(point, label, one-click URL) for every point of the scale."""
    return [(n, texts.labels[n], f"{base_url}/s/{token}?r={n}") for n in range(low, high + 1)]


def compose(
    send: SurveySend,
    texts: Texts,
    values: dict[str, str | None],
    base_url: str,
    token: str,
    *,
    reminder: bool,
) -> Message:
    rated = links(base_url, token, texts, send.scale_min, send.scale_max)
    intro = render(texts.intro, values)
    question = render(texts.question, values)
    opening = [render(texts.reminder, values)] if reminder else []
    lines = [*opening, intro, "", question, ""]
    lines += [f"{n} \u2013 {label}: {url}" if label != str(n) else f"{n}: {url}" for n, label, url in rated]
    lines += ["", texts.comment_prompt]
    text = "\n".join(lines)
    buttons = "".join(
        f'<td style="padding:2px"><a href="{html.escape(url)}" title="{html.escape(label)}" '
        'style="display:inline-block;min-width:28px;padding:10px 6px;border-radius:6px;'
        'background:#0b5cad;color:#fff;text-decoration:none;text-align:center;font:bold 16px sans-serif">'
        f"{n}</a></td>"
        for n, label, url in rated
    )
    ends = (
        f'<tr><td colspan="{len(rated)}" style="font:12px sans-serif;color:#555">'
        f"{html.escape(texts.labels[send.scale_min])} \u2026 {html.escape(texts.labels[send.scale_max])}"
        "</td></tr>"
    )
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in (*opening, intro))
    body = (
        f'<!doctype html><html lang="{texts.language}"><body style="font:15px sans-serif;color:#222">'
        f"{paragraphs}<p><strong>{html.escape(question)}</strong></p>"
        f'<table role="presentation" cellspacing="0"><tr>{buttons}</tr>{ends}</table>'
        f"<p>{html.escape(texts.comment_prompt)}</p></body></html>"
    )
    subject = render(texts.subject, values)
    return Message(("Reminder: " if reminder else "") + subject, text, body)


def queue(session: Session, send: SurveySend, message: Message, *, purpose: str, sender: str | None) -> str:
    """Put the message in the outbox; returns the action's key."""
    key = f"survey:{send.id}:{purpose}"
    if send.channel == "comment":
        outbox.enqueue_comment(
            session,
            platform=send.platform,
            site=send.site,
            ticket_key=send.ticket_key,
            text=message.text,
            public=True,
            key=key,
        )
        return key
    domain = parseaddr(sender or "")[1].rpartition("@")[2] or "ela-connector.invalid"
    outbox.enqueue(
        session,
        platform=send.platform,
        site=send.site,
        ticket_key=send.ticket_key,
        kind=EMAIL_KIND,
        key=key,
        payload={
            "send_id": send.id,
            "to": send.requester_email,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            # The same Message-ID on every attempt: a mail system that sees it twice may drop the copy.
            "message_id": f"<survey-{send.id}-{purpose.replace(':', '-')}@{domain}>",
        },
    )
    return key
