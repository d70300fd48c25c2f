"""Escalation: what a policy does when it goes at risk or is breached, queued in the ticket's outbox.

Labels, an internal comment to agents (the reason and the customer's last mood), a raised priority and
outbound webhooks, each an outbox action with its own idempotency key. Keys are numbered by the state's
escalation count, which commits in the same transaction as the actions: a timer fired twice, or an
evaluation retried after a crash, queues each action once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from adapters.events import Ticket
from adapters.settings import SiteSettings
from connector.ela.status import Change, ElaStatus, PolicyState
from connector.platforms import platform_for
from connector.settings.ela import ElaSettings
from connector.store import outbox
from connector.store.audit import audit
from connector.store.models import TicketRow

WEBHOOK_KIND = "ela.webhook"
_KEY_MAX = 200  # the outbox's key column


def action_key(*parts: object) -> str:
    key = ":".join(str(part) for part in parts)
    if len(key) <= _KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: _KEY_MAX - 33]}~{digest}"


def should_raise(current: str | None, wanted: str, order: list[str]) -> bool:
    """Raise to `wanted` unless the ticket already has it or a higher one (`order`: highest first). A
    priority the list does not know is raised: the admin's list names the ones that matter."""
    folded = [p.casefold() for p in order]
    if current is None or current.casefold() not in folded:
        return True
    return folded.index(current.casefold()) > folded.index(wanted.casefold())


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def comment_text(title: str, change: Change, mood: str | None, due: str | None) -> str:
    verdict = "is at risk" if change.outcome is ElaStatus.at_risk else "was breached"
    lines = [f'ELA Connector: the policy "{title}" {verdict} on this ticket. {_sentence(change.reason)}']
    if due and change.outcome is ElaStatus.at_risk:
        lines.append(f"It breaches at {due} unless the customer gets a reply.")
    lines.append(f"The customer's last mood: {mood or 'unknown'}.")
    return " ".join(lines)


class Escalator:
    def __init__(self, ela: ElaSettings) -> None:
        self.ela = ela

    def escalate(
        self,
        session: Session,
        *,
        ticket: TicketRow,
        snapshot: Ticket,
        site: SiteSettings | None,
        state: PolicyState,
        change: Change,
        mood: str | None,
        due: datetime | None,
        due_text: str | None,
    ) -> list[str]:
        """Queue the actions the policy names for `change` (at_risk or breached); what was queued."""
        spec = self.ela.policies[state.policy]
        stage = change.outcome.value
        actions = getattr(spec.escalate, stage)
        if actions.empty:
            return []
        state.escalations += 1
        number = state.escalations
        if change.outcome is ElaStatus.at_risk:
            state.at_risk_escalation = number
        where: dict[str, Any] = {"platform": ticket.platform, "site": ticket.site, "ticket_key": ticket.key}
        title = self.ela.title(state.policy)
        done: list[str] = []
        if actions.labels:
            outbox.enqueue_labels(
                session,
                **where,
                key=action_key("ela", ticket.key, state.policy, number, stage, "labels"),
                add=actions.labels,
            )
            done.append("labels")
        if actions.comment:
            outbox.enqueue_comment(
                session,
                **where,
                text=comment_text(title, change, mood, due_text),
                public=False,
                key=action_key("ela", ticket.key, state.policy, number, stage, "comment"),
            )
            done.append("comment")
        if actions.priority and should_raise(ticket.priority, actions.priority, self.ela.priorities):
            outbox.enqueue(
                session,
                **where,
                kind="priority",
                key=action_key("ela", ticket.key, state.policy, number, stage, "priority"),
                payload={"priority": actions.priority},
            )
            done.append("priority")
        message: dict[str, Any] = {
            "status": stage,
            "site": ticket.site,
            "ticket": ticket.key,
            "summary": snapshot.summary,
            "url": _ticket_url(site, ticket.key),
            "policy": state.policy,
            "title": title,
            "reason": change.reason,
            "mood": mood,
            "due": due.isoformat() if due else None,
            "at": change.at.isoformat(),
        }
        for hook in actions.webhooks:
            outbox.enqueue(
                session,
                **where,
                kind=WEBHOOK_KIND,
                key=action_key("ela", ticket.key, state.policy, number, stage, "webhook", hook),
                payload={"webhook": hook, "message": message},
            )
            done.append(f"webhook:{hook}")
        audit(
            session,
            ticket.site,
            ticket.key,
            f"ela.escalated.{stage}",
            {"policy": state.policy, "cycle": change.cycle, "escalation": number, "actions": done},
        )
        return done

    def recovered(self, session: Session, *, ticket: TicketRow, state: PolicyState) -> list[str]:
        """The policy is met (or back on track) after its at-risk escalation: take that escalation's labels
        off again, but not those a breach added too."""
        number = state.at_risk_escalation
        state.at_risk_escalation = None
        spec = self.ela.policies[state.policy]
        if number is None or not spec.escalate.remove_labels_when_met:
            return []
        kept = set(spec.escalate.breached.labels)
        labels = [label for label in spec.escalate.at_risk.labels if label not in kept]
        if not labels:
            return []
        outbox.enqueue_labels(
            session,
            platform=ticket.platform,
            site=ticket.site,
            ticket_key=ticket.key,
            key=action_key("ela", ticket.key, state.policy, number, "recovered", "labels"),
            remove=labels,
        )
        audit(session, ticket.site, ticket.key, "ela.recovered", {"policy": state.policy, "removed": labels})
        return labels


def _ticket_url(site: SiteSettings | None, key: str) -> str | None:
    if site is None:
        return None
    link = platform_for(site.platform).ticket_url
    return link(site, key) if link is not None else None
