"""A tiny labelled corpus, clearly worded, for training and evaluation tests that need one."""

from __future__ import annotations

from sentiment.evaluate import LabelledText

POSITIVE = [
    "Thanks, great work!",
    "Awesome, that fixed it :)",
    "Works perfectly now, thank you!",
    "Brilliant, much appreciated",
    "Great job, love it",
    "Excellent support, thanks a lot",
]
NEUTRAL = [
    "Attached the log file.",
    "Which version are you on?",
    "Moved to the backlog.",
    "See the linked ticket.",
    "I restarted the server at noon.",
    "The patch is in the next release.",
]
NEGATIVE = [
    "Still broken, this is unacceptable!",
    "Terrible, it crashed again :(",
    "Nobody replied, very frustrating",
    "Useless answer, nothing works",
    "This is awful, escalate now",
    "Worst update ever, everything fails",
]


def small_corpus(copies: int = 2) -> list[LabelledText]:
    rows = []
    for _ in range(copies):
        rows += [LabelledText(t, 1) for t in POSITIVE]
        rows += [LabelledText(t, 0) for t in NEUTRAL]
        rows += [LabelledText(t, -1) for t in NEGATIVE]
    return rows
