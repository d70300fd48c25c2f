"""Which tickets a survey is for: its trigger's filters, its exclusions and its sample.

Each check answers with the reason a ticket is left out (kept on the skipped send), or None.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from adapters.events import StatusCategory, Ticket, Transition
from connector.settings.surveys import SurveyDefinition


def _fold(values: list[str]) -> set[str]:
    return {v.casefold() for v in values}


def triggered(survey: SurveyDefinition, transition: Transition) -> bool:
    """A transition into one of the survey's statuses, or (none configured) into the done category,
    from outside it: resolved -> closed is not a second resolution."""
    if survey.trigger.statuses:
        wanted = _fold(survey.trigger.statuses)
        into = transition.to_status.casefold() in wanted
        already = transition.from_status is not None and transition.from_status.casefold() in wanted
        return into and not already
    return (
        transition.to_category is StatusCategory.done and transition.from_category is not StatusCategory.done
    )


def reopened(transition: Transition) -> bool:
    return transition.from_category is StatusCategory.done and transition.to_category not in (
        StatusCategory.done,
        None,
    )


def filtered_out(survey: SurveyDefinition, ticket: Ticket) -> str | None:
    """The trigger's filters: each one configured must match."""
    trigger = survey.trigger
    checks = (
        ("project", trigger.projects, ticket.project),
        ("request type", trigger.request_types, ticket.request_type),
        ("issue type", trigger.issue_types, ticket.type),
        ("priority", trigger.priorities, ticket.priority),
    )
    for what, wanted, value in checks:
        if wanted and (value is None or value.casefold() not in _fold(wanted)):
            return f"{what} {value or '(none)'} not in the trigger"
    if trigger.labels and not _fold(trigger.labels) & _fold(list(ticket.labels)):
        return "none of the trigger's labels"
    return None


def excluded(survey: SurveyDefinition, ticket: Ticket, resolved_at: datetime) -> str | None:
    rules = survey.exclude
    labels = _fold(rules.labels) & _fold(list(ticket.labels))
    if labels:
        return f"excluded: label {sorted(labels)[0]}"
    if ticket.request_type and ticket.request_type.casefold() in _fold(rules.request_types):
        return f"excluded: request type {ticket.request_type}"
    quick = rules.resolved_within
    if quick is not None and ticket.created_at is not None and resolved_at - ticket.created_at < quick:
        return "excluded: resolved too quickly"
    email = ticket.requester.email if ticket.requester else None
    if email and "@" in email:
        domain = email.rsplit("@", 1)[1].casefold()
        if any(domain == d or domain.endswith("." + d) for d in rules.domains):
            return f"excluded: requester domain {domain}"
    return None


def sampled_in(survey: SurveyDefinition, site: str, ticket_key: str) -> bool:
    """Deterministic per ticket: the same ticket is in (or out of) the sample at every resolution, and
    on every worker."""
    if survey.sample >= 100:
        return True
    digest = hashlib.sha256(f"{survey.name}|{site}|{ticket_key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < round(survey.sample * 100)
