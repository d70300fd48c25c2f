"""SLA beside ELA: a resolved ticket's SLA met or breached against its ELA met or breached.

The platform's SLA clocks come with the ticket (Ticket.slas, read by the adapter from the platform's own
SLA fields). An SLA says how fast; the ELA says how the customer felt. The quadrant that matters most is
the "watermelon": every SLA met, green outside, and the ELA breached, red inside.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from adapters.events import SlaState
from connector.ela.status import ElaStatus


class Quadrant(StrEnum):
    both_met = "both_met"
    watermelon = "watermelon"  # SLA met, ELA breached
    sla_breached = "sla_breached"  # SLA breached, ELA met
    both_breached = "both_breached"


def sla_outcome(slas: Iterable[SlaState]) -> str | None:
    """`breached` when any cycle of any SLA breached, `met` when the ticket has SLAs and none breached,
    None when it has none (the platform measures no SLA on it, or the adapter cannot read them)."""
    states = list(slas)
    if not states:
        return None
    if any(s.breached or s.ever_breached for s in states):
        return "breached"
    return "met"


def ela_outcome(statuses: Iterable[ElaStatus], *, in_scope: bool) -> str | None:
    """`breached` when any policy breached; else `met` when the ticket is in some policy's scope (a
    promise that never had to act was kept; a wait still running on a resolved ticket has not failed
    the customer yet); None when no policy applies to the ticket at all."""
    if ElaStatus.breached in list(statuses):
        return "breached"
    return "met" if in_scope else None


def quadrant(sla: str | None, ela: str | None) -> Quadrant | None:
    if sla is None or ela is None:
        return None
    if sla == "met":
        return Quadrant.both_met if ela == "met" else Quadrant.watermelon
    return Quadrant.sla_breached if ela == "met" else Quadrant.both_breached
