"""Experience Level Agreements: policies over each ticket's mood timeline, with timers, escalations and
the SLA beside them.

settings (connector/settings/ela*.py): the policies, calendars and webhooks in YAML
calendars   round the clock, or business hours in a time zone (daylight saving, holidays)
status      statuses, their ranking, one policy's state on one ticket
observations what the evaluation is told, and the facts a policy may read
policies    the five kinds of policy, as plain rules over a state
evaluate    loads the states, applies the rules, keeps the reasons, schedules timers, escalates, and
            gives the ticket's results (connector/pipeline/ela.py calls it for each event)
timers      the due-work handler of at-risk and breach timers
escalation  labels, an internal comment, the priority and outbound webhooks, through the outbox
webhooks    the outbox sender of Slack, Microsoft Teams and plain JSON webhooks (signed, retried)
sla         a resolved ticket's SLA beside its ELA: the quadrant, "watermelon" among them
report      `ela report ela`: compliance per policy and the quadrant counts
story       `ela demo`'s ELA part: at risk, the escalation, the reply, the recovery to met
"""
