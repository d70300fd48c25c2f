"""A journal entry (`sys_journal_field`: Additional comments or Work notes) to the normalised Comment.

An entry is one row: `sys_id`, `element` (`comments` is customer-visible, `work_notes` internal),
`element_id` (the record's sys_id), `name` (its table), `value` (the text), `sys_created_on` and
`sys_created_by` (a user name). The row's sys_id is the comment's id: the business rule sends it, the
poller reads it, so a comment pushed and polled is one event.
"""

from __future__ import annotations

import re

from adapters.base import RoleRules
from adapters.errors import PayloadRejected
from adapters.events import Comment, Person, Ticket
from adapters.payload import JsonObject
from adapters.servicenow.roles import author_role
from adapters.servicenow.values import SYS_ID, datetime_of, value
from sentiment.clean import clean

PUBLIC, INTERNAL = "comments", "work_notes"
ELEMENTS = (PUBLIC, INTERNAL)
# ServiceNow keeps rich text in a journal entry between [code] markers, as HTML.
_CODE = re.compile(r"\[code\](.*?)\[/code\]", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>\n]{1,500}>")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}


def entry_id(entry: JsonObject) -> str:
    found = value(entry, "sys_id")
    if found is None or not SYS_ID.fullmatch(found):
        raise PayloadRejected("journal entry has no sys_id")
    return found


def element(entry: JsonObject) -> str:
    found = value(entry, "element")
    if found not in ELEMENTS:
        raise PayloadRejected(f"journal entry element {str(found)[:40]!r} is not comments or work_notes")
    return found


def cleaned_text(text: str) -> str:
    """The author's own words. A journal dump's header line ("2024-01-05 10:00:00 - Jane Doe (Additional
    comments)") and older entries go in `sentiment.clean`; HTML entered as [code]...[/code] becomes text."""
    if "[code]" in text.lower():
        text = _CODE.sub(lambda m: _TAG.sub(" ", m.group(1)), text)
        for entity, plain in _ENTITIES.items():
            text = text.replace(entity, plain)
    return clean(text)


def comment(entry: JsonObject, author: Person | None, ticket: Ticket, rules: RoleRules) -> Comment:
    created = datetime_of(entry, "sys_created_on")
    return Comment(
        id=entry_id(entry),
        author=author,
        author_role=author_role(author, ticket, rules),
        text=cleaned_text(value(entry, "value") or ""),
        public=element(entry) == PUBLIC,
        created_at=created,
        updated_at=created,  # journal entries are never edited
    )
