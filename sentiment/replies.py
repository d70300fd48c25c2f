"""E-mail around a comment: quoted history, signatures, disclaimers.

Service desks turn customer e-mails into comments, and mail clients append the whole thread below the
reply ("On Mon, ... wrote:", Outlook's From/Sent/To block), a signature and often a legal disclaimer.
The quoted thread is someone else's mood (often the agent's own words), the rest is boilerplate.
"""

from __future__ import annotations

import re

# Where quoted history starts: everything from here on is an earlier message.
_HISTORY_START = re.compile(
    r"^(?:"
    r"On\s.{1,200}?(?:\n.{0,100}?)?\bwrote:\s*$"  # Gmail, Apple Mail, Thunderbird (may wrap once)
    r"|Le\s.{1,200}?a\s+écrit\s*:\s*$"
    r"|Am\s.{1,200}?schrieb\s.{0,100}:\s*$"
    r"|El\s.{1,200}?escribió:\s*$"
    r"|-{2,}\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht)\s*-{2,}.*$"
    r"|Begin forwarded message:\s*$"
    r"|From:\s.+\n(?:.*\n){0,2}?(?:Sent|Date|To|Subject|Cc):\s.*$"  # Outlook's header block
    r"|_{10,}\s*$"  # Outlook's separator line above that block
    r")",
    re.MULTILINE | re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)

# Sign-off lines that open a signature. "Thanks," with a comma is a sign-off; "Thanks!" is meant.
_VALEDICTION = re.compile(
    r"^(?:-- ?|"
    r"(?:(?:kind|best|warm|warmest|many|with)\s+)?(?:regards|wishes)(?:\s+and\s+thanks)?\s*[,.!]?|"
    r"(?:thanks|thank you|many thanks|thanks and regards|cheers|best|br|sincerely|yours(?:\s+\w+)?|"
    r"respectfully)\s*,|"
    # Other languages' sign-offs stand without a comma as often as with one; left in, a German
    # signature under an English comment made the whole comment German, and unscored.
    r"(?:mit\s+freundlichen\s+gr(?:ü|ue|u)(?:ß|ss)en|(?:viele|beste|liebe|freundliche|herzliche)\s+gr(?:ü|ue|u)(?:ß|ss)e|"
    r"cordialement|bien\s+(?:à|a)\s+vous|bien\s+cordialement|salutations\s+distinguées|"
    r"saludos\s+cordiales|un\s+saludo|atentamente|met\s+vriendelijke\s+groet(?:en)?|"
    r"cordiali\s+saluti|distinti\s+saluti)\s*[,.!]?"
    r")\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE_MAX_LINES = 8  # a valediction followed by more than this is not a signature block
_DEVICE_FOOTER = re.compile(
    r"^(?:sent from my \w+.*|get outlook for \w+.*|sent from mail for windows.*|"
    r"sent from (?:yahoo|gmail|outlook).*)$",
    re.MULTILINE | re.IGNORECASE,
)
# Legal boilerplate: the paragraph that holds one of these phrases goes.
_DISCLAIMER = re.compile(
    r"(?:^|\n\n)[^\n]*?(?:"
    r"confidentiality notice|disclaimer:|this (?:e-?mail|message|communication)(?: and any attachments?)?"
    r" (?:is|are|may be|may contain|contains?) (?:strictly )?(?:confidential|privileged|intended)"
    r"|if you (?:are not|have received this)[^\n]{0,40}(?:intended recipient|in error)"
    r"|the information (?:contained )?in this (?:e-?mail|message)"
    r"|please consider the environment before printing"
    r")(?:.|\n(?!\n))*",
    re.IGNORECASE,
)


def strip_history(text: str) -> str:
    """Cut the quoted thread below a reply and any ">"-quoted lines."""
    match = _HISTORY_START.search(text)
    if match:
        text = text[: match.start()]
    return _QUOTED_LINE.sub("", text)


def strip_signature(text: str) -> str:
    """Cut a signature block that opens with a sign-off line near the end of the message.

    Only the last lines are searched: a sign-off followed by more than a signature's worth of lines
    is a greeting inside the message.
    """
    text = _DEVICE_FOOTER.sub("", text)
    tail = _tail_start(text, _SIGNATURE_MAX_LINES + 1)
    for match in _VALEDICTION.finditer(text, tail):
        # A sign-off above every word of the message ("Thanks,\n\nit is still broken") opens it: the
        # signature, if any, comes later.
        if text[: match.start()].strip():
            return text[: match.start()]
    return text


def _tail_start(text: str, lines: int) -> int:
    """Offset of the start of the last `lines` non-empty lines."""
    end = len(text)
    seen = 0
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            seen += 1
            if seen == lines:
                return start
        end = start - 1
    return 0


def strip_disclaimers(text: str) -> str:
    return _DISCLAIMER.sub("\n\n", text)


def strip_email(text: str) -> str:
    """Quoted history, disclaimers and signature out, in that order (a signature may sit above both).

    All three live on lines of their own below the message, so a one-line comment skips the work.
    """
    if "\n" not in text and not text.lstrip().startswith(">"):
        return text
    return strip_signature(strip_disclaimers(strip_history(text)))
