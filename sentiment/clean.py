"""Turn a ticket comment into the words a customer actually wrote.

Comments arrive as Jira wiki markup (API v2 and webhooks), ADF (API v3), plain text from e-mail
channels, or ServiceNow journal entries. Markup, code, machine output, quoted e-mail history, signatures
and disclaimers carry no mood of the writer (or the mood of someone else), so they go before scoring.
Emoji and emoticons stay: the scorer reads them.
"""

from __future__ import annotations

import re

from sentiment.adf import parse_adf
from sentiment.replies import strip_email

# Every pattern below is bounded or anchored so that a hostile comment costs linear time: the worker
# scores every comment, and one "[[[[..." must not stall it for seconds.

# {code}, {code:java}, {noformat}, {quote} blocks: their content is somebody else's words or machine output.
_BLOCK_OPEN = re.compile(r"\{(code|noformat|quote)(?::[^}\n]{0,200})?\}", re.IGNORECASE)
_BLOCK_CLOSE = {
    name: re.compile(r"\{" + name + r"\}", re.IGNORECASE) for name in ("code", "noformat", "quote")
}
# Markdown fences (a run of three or more ``` or ~~~ on a line of its own, with at most a language
# name after it; e-mail and chat channels write them): their content is code or a log, as in {code}.
# Only a closed fence goes: a lone line of tildes is often a divider, and "```cmd``` fails" is inline.
_FENCE = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*[\w+#.-]{0,30}[ \t]*\n(?:.*?\n)??[ \t]*(?P=fence)[`~]*[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_MACRO_TAGS = re.compile(
    r"\{(?:panel|color|anchor|section|column|expand|info|note|tip|warning|toc|status)(?::[^}\n]{0,200})?\}",
    re.IGNORECASE,
)
_BQ_LINE = re.compile(r"^bq\.\s.*$", re.MULTILINE)
_MENTION = re.compile(r"\[~(?:accountid:)?[^\]]+\]")
_AT_MENTION = re.compile(r"(?<![\w.@])@[\w.-]*\w")
_EMAIL_ADDRESS = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
_LINK_WITH_TEXT = re.compile(r"\[([^\[\]|\n]{1,300})\|[^\[\]\n]{1,2000}\]")
_BARE_LINK = re.compile(r"\[(?:https?:|mailto:|file:|#|\^)[^\[\]\n]{0,2000}\]")
# Images are !file.png! or !url!, optionally with |attributes; "Great!Wow!" is not an image.
_IMAGE = re.compile(
    r"!(?:[\w./%:-]{1,300}\.(?:png|jpe?g|gif|svg|bmp|webp)|https?://[^!\s]{1,2000})(?:\|[^!\n]{0,300})?!",
    re.IGNORECASE,
)
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_HEADING = re.compile(r"^h[1-6]\.\s*", re.MULTILINE)
_LIST_MARK = re.compile(r"^[ \t]*(?:[*#]+|-)[ \t]+", re.MULTILINE)
_RULE = re.compile(r"^-{4,}\s*$", re.MULTILINE)
_TABLE_PIPES = re.compile(r"\|\|?")
_EMPHASIS = re.compile(r"(?<![\w*])([*_+^~]|\?\?)(\S(?:.{0,300}?\S)?)\1(?![\w*])")
_EMPHASIS_HINT = re.compile(r"[*_+^~]|\?\?")
_MONOSPACE = re.compile(r"\{\{([^{}\n]{0,200}?)\}\}")
_WIKI_BREAK = re.compile(r"\\\\")
# Jira's wiki icons: thumbs up / down are the writer's verdict; the others are status markers.
_WIKI_ICONS = {"(y)": " 👍 ", "(n)": " 👎 "}
_WIKI_ICON = re.compile(r"\((?:y|n|i|/|x|!|\?|\+|-|on|off|\*[rgby]?|flag|flagoff)\)")

# Machine output pasted into a comment: stack traces and log lines. Their "error", "failed" and
# "fatal" are the program's words, not the customer's.
_STACK_LINE = re.compile(
    r"^[ \t]*(?:"
    r"at [\w$.<>/]+\(.*\)"  # Java / .NET frame
    r"|\.\.\. \d+ (?:more|common frames omitted)"
    r"|Caused by: .*"
    r"|Exception in thread .*"
    r"|(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::.*)?"  # java.lang.FooException: ...
    r"|Traceback \(most recent call last\):"
    r"|File \".*\", line \d+.*(?:\n[ \t]+\S.*)?"  # Python frame and the source line under it
    r"|[A-Z]\w*(?:Error|Exception|Warning): .*"  # Python's closing line
    r")[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
_LOG_LINE = re.compile(
    r"^[ \t]*(?:"
    r"\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?\S*\]?\s.*"  # ISO timestamp first
    r"|\[(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)\]\s.*"  # [LEVEL] message
    r"|(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)\s+"  # LEVEL, then a thread, a time
    r"(?:\[[^\]\n]*\]|\d|[\w$]+(?:\.[\w$]+)+|[\w.$-]+\s*[:-]\s).*"  # or a logger name
    r"|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ .*"  # syslog
    r")(?:\n|\Z)",
    re.MULTILINE,
)
# What every stack or log line holds one of: a text with none of them skips both patterns. Plain
# substring tests first (one regex alternation tried at every position cost more than the rest of
# the cleaning); the three hints that need a pattern only where their fixed part occurs.
_MACHINE_WORDS = (
    *("Error", "Exception", "Traceback", "Caused by", 'File "'),
    *("TRACE", "DEBUG", "INFO", "WARN", "FATAL", "SEVERE", "CRITICAL"),
)
_FRAME_HINT = re.compile(r"\bat [\w$.<>/]+\(")
_MORE_HINT = re.compile(r"\.\.\. \d")
_CLOCK_HINT = re.compile(r"\d\d:\d\d")
# ServiceNow journal fields hold every entry under a header line, and inbound e-mail leaves markers.
_JOURNAL_HEADER = re.compile(
    r"^[ \t]*[\d/.-]{8,10} \d{1,2}:\d\d(?::\d\d)?(?: ?[AP]M)?(?: [A-Z]{2,5})? - .{1,160}?"
    r"\((?:Additional comments|Work notes|Comments|Customer comments|Additional Comments)\)[ \t]*$"
    r"|^[ \t]*reply from: \S+[ \t]*$|^[ \t]*Ref:MSG\d+[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# Control characters, and lone UTF-16 surrogates (a JSON body may escape half a pair, "\\ud83d"): they
# are no text, and a surrogate cannot even be encoded as UTF-8 further on.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_markup(text: str) -> str:
    """Jira wiki markup to plain text, dropping code, noformat and quote blocks.

    Each rule runs only when the characters it needs are present: most comments are a line or two of
    plain text, and the worker scores every one of them.
    """
    if "```" in text or "~~~" in text:
        text = _FENCE.sub("\n\n", text)
    if "{" in text:
        text = _drop_blocks(text)
        text = _MACRO_TAGS.sub(" ", text)
        text = _MONOSPACE.sub(r"\1", text)
    if "bq." in text:
        text = _BQ_LINE.sub(" ", text)
    if "[" in text:
        text = _MENTION.sub(" ", text)
        text = _LINK_WITH_TEXT.sub(r"\1", text)
        text = _BARE_LINK.sub(" ", text)
    if "!" in text:
        text = _IMAGE.sub(" ", text)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL_ADDRESS.sub(" ", text)
        text = _AT_MENTION.sub(" ", text)
    if "(" in text:
        text = _WIKI_ICON.sub(lambda m: _WIKI_ICONS.get(m.group(0), " "), text)
    # Headings, rules and list marks start a line: a one-line comment can only have them first.
    if "\n" in text or text.lstrip()[:1] in ("h", "-", "*", "#"):
        text = _HEADING.sub("", text)
        text = _RULE.sub("\n", text)
        text = _LIST_MARK.sub("", text)
    if "\\\\" in text:
        text = _WIKI_BREAK.sub("\n", text)
    if "|" in text:
        text = _TABLE_PIPES.sub(" ", text)
    if _EMPHASIS_HINT.search(text):
        text = _EMPHASIS.sub(r"\2", text)
    return text


def _drop_blocks(text: str) -> str:
    """Remove {code}...{code} and friends; an unclosed block runs to the end (a paste cut short)."""
    kept: list[str] = []
    position = 0
    while (opening := _BLOCK_OPEN.search(text, position)) is not None:
        kept.append(text[position : opening.start()])
        kept.append("\n\n")
        closing = _BLOCK_CLOSE[opening.group(1).lower()].search(text, opening.end())
        if closing is None:
            return "".join(kept)
        position = closing.end()
    kept.append(text[position:])
    return "".join(kept)


def _may_hold_machine_output(text: str) -> bool:
    return (
        any(word in text for word in _MACHINE_WORDS)
        or ("at " in text and _FRAME_HINT.search(text) is not None)
        or ("... " in text and _MORE_HINT.search(text) is not None)
        or (":" in text and _CLOCK_HINT.search(text) is not None)
    )


def strip_machine_output(text: str) -> str:
    if not _may_hold_machine_output(text):
        return text
    return _LOG_LINE.sub("", _STACK_LINE.sub("", text))


def strip_journal_headers(text: str) -> str:
    """A ServiceNow journal dump (newest entry first) becomes its newest entry, without the header.

    Older entries are other messages, often by other people; the header line is metadata.
    """
    if " - " not in text and "reply from" not in text.lower() and "Ref:MSG" not in text:
        return text
    first = _JOURNAL_HEADER.search(text)
    if first is None:
        return text
    if not text[: first.start()].strip():
        following = _JOURNAL_HEADER.search(text, first.end())
        if following is not None:
            text = text[: following.start()]
    return _JOURNAL_HEADER.sub("", text)


def clean(text: str) -> str:
    """Markup, machine output, quoted history, signatures and disclaimers out; whitespace normalised."""
    if not text:
        return ""
    adf = parse_adf(text)
    if adf is not None:
        text = adf
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_journal_headers(text)
    # Markup first: a {code} or {noformat} block may hold ">" lines, "From:" headers or "-- " that are
    # program text, not e-mail history.
    text = strip_email(strip_machine_output(strip_markup(text)))
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))
