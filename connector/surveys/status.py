"""How a survey send's state reads in the `survey status` select field (its options)."""

from __future__ import annotations

STATUS_LABELS = {
    "scheduled": "Scheduled",
    "sent": "Sent",
    "reminded": "Reminded",
    "answered": "Answered",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "skipped": "Skipped",
}
# The states written onto the ticket: those of a survey the customer got or was about to get. A
# skipped send (throttled, excluded, sampled out) writes nothing: the ticket was never surveyed.
WRITTEN = ("sent", "reminded", "answered", "expired", "cancelled")
