"""Turn a ticket comment into the words a customer actually wrote.

Comments arrive as Jira wiki markup (API v2 and webhooks), plain text from e-mail channels, or ServiceNow
journal entries. Markup, code, quoted e-mail history and signatures carry no mood of the writer (or the
mood of someone else), so they go before scoring.
"""

from __future__ import annotations

import re

# {code}, {code:java}, {noformat}, {quote} blocks: their content is somebody else's words or machine output.
_BLOCKS = re.compile(r"\{(code|noformat|quote)(?::[^}]*)?\}.*?\{\1\}", re.DOTALL | re.IGNORECASE)
_UNCLOSED_BLOCK = re.compile(r"\{(?:code|noformat)(?::[^}]*)?\}.*\Z", re.DOTALL | re.IGNORECASE)
_PANEL_TAGS = re.compile(r"\{(?:panel|color|anchor|section|column)(?::[^}]*)?\}", re.IGNORECASE)
_BQ_LINE = re.compile(r"^bq\.\s.*$", re.MULTILINE)
_MENTION = re.compile(r"\[~(?:accountid:)?[^\]]+\]")
_LINK_WITH_TEXT = re.compile(r"\[([^\]|]+)\|[^\]]+\]")
_BARE_LINK = re.compile(r"\[(?:https?|mailto|file):[^\]]*\]")
_IMAGE = re.compile(r"![^!\s][^!\n]*!")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_HEADING = re.compile(r"^h[1-6]\.\s*", re.MULTILINE)
_LIST_MARK = re.compile(r"^\s*[*#-]+\s+", re.MULTILINE)
_TABLE_PIPES = re.compile(r"\|\|?")
_EMPHASIS = re.compile(r"(?<![\w*])([*_+^~]|\?\?)(\S(?:.*?\S)?)\1(?![\w*])")
_MONOSPACE = re.compile(r"\{\{(.*?)\}\}")

# E-mail replies: everything from the attribution line of quoted history on is someone else's message.
_QUOTE_HEADERS = re.compile(
    r"^(?:On .{1,200}wrote:\s*$|-{2,}\s*Original Message\s*-{2,}|From:\s.+$|_{10,}$)",
    re.MULTILINE | re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)
# RFC 3676 signature separator ("-- " on its own line) and the usual valedictions that open a signature.
_SIGNATURE = re.compile(
    r"^(?:-- ?$|(?:kind |best |warm )?regards,?\s*$|thanks(?: and regards)?,\s*$|cheers,\s*$|"
    r"sent from my \w+.*$)",
    re.MULTILINE | re.IGNORECASE,
)
_STACK_LINE = re.compile(
    r"^\s*(?:at [\w$.<>]+\(.*\)|Caused by: .*|Traceback \(most recent call last\):|File \".*\", line \d+.*|"
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*\s+(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b.*)$",
    re.MULTILINE,
)
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_markup(text: str) -> str:
    """Jira wiki markup to plain text, dropping code, noformat and quote blocks."""
    text = _BLOCKS.sub(" ", text)
    text = _UNCLOSED_BLOCK.sub(" ", text)
    text = _PANEL_TAGS.sub(" ", text)
    text = _BQ_LINE.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _LINK_WITH_TEXT.sub(r"\1", text)
    text = _BARE_LINK.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HEADING.sub("", text)
    text = _LIST_MARK.sub("", text)
    text = _MONOSPACE.sub(r"\1", text)
    text = _TABLE_PIPES.sub(" ", text)
    return _EMPHASIS.sub(r"\2", text)


def strip_email_history(text: str) -> str:
    """Cut quoted replies and signatures from a message that came in by e-mail."""
    match = _QUOTE_HEADERS.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    text = _QUOTED_LINE.sub("", text)
    match = _SIGNATURE.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    return text


def clean(text: str) -> str:
    """Markup, machine output, quoted history and signatures out; whitespace normalised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_markup(text)
    text = _STACK_LINE.sub("", text)
    text = strip_email_history(text)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))
