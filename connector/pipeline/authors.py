"""Step: who wrote the comment, checked again against everything the store knows of the ticket."""

from __future__ import annotations

from adapters.events import AuthorRole, Ticket
from connector.directory import GroupCache
from connector.pipeline.context import EventContext
from connector.platforms import platform_for


class CommentAuthor:
    """The adapter decided from one payload; some payloads (comment events, on some platforms) carry a
    slim ticket without its requester, so an "agent" is checked again against what the store knows about the
    ticket (requester, participants from earlier events), then against the site's customer groups (a
    platform lookup, cached)."""

    def __init__(self, groups: GroupCache | None) -> None:
        self.groups = groups

    def __call__(self, context: EventContext) -> None:
        comment, site = context.event.comment, context.site
        if comment is None:
            return
        context.author_role = comment.author_role
        if comment.author_role is not AuthorRole.agent or site is None:
            return
        rules = site.customers.rules()
        known = Ticket.model_validate_json(context.ticket_row.snapshot)
        role = platform_for(context.event.platform).author_role(comment.author, known, rules)
        if role is AuthorRole.agent and rules.customer_groups and comment.author and self.groups is not None:
            wanted = {g.casefold() for g in rules.customer_groups}
            if any(g.casefold() in wanted for g in self.groups.groups(context.event.site, comment.author)):
                role = AuthorRole.customer
        context.author_role = role
