"""CSAT, NPS and CES surveys: sent at the right moment, answered in one click, written back.

definitions  defaults per kind and scale, texts in the requester's language, templating
guards       the trigger's filters, exclusions, deterministic sampling
sends        the send's state machine, every change audited; the throttle's query
triggers     a resolution schedules sends, a reopening cancels them (run by connector.pipeline.surveys)
dispatch     due work: the send, its reminders, its expiry, a low score's follow-up
channels     the message, and how it leaves: a public comment, or an e-mail (outbox kind `email`)
email        the `email` sender over SMTP, at most once
tokens       signed, expiring one-send links; CSRF tokens of the answer pages
pages        the answer pages (/s/<token>?r=<n>), prefetch-safe one click
answers      an answer recorded, and stored as a `survey_answered` event
limits       the pages' rate limits, counted in the database
relationship cron-scheduled surveys of recently active requesters
report       what `ela surveys` shows
room         the wiring: pipeline step, due-work handlers, sender
"""
