"""Field types: which custom field types exist, how values are checked on write, how changes read.

Each field has a `kind` that decides the stored form of its value and the checks a write must pass.
Error messages are the ones Jira Cloud answers with, so clients that surface them read true. A
`FieldValueError` with `shape=True` is a client sending the wrong JSON type (a violation of the API's
contract); `shape=False` is a well-formed value the site does not accept (e.g. an unknown option).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulators.jira.adf import is_adf
from simulators.jira.model import (
    PRIORITIES,
    RESOLUTIONS,
    Field,
    RichText,
    User,
    jira_time,
    parse_jira_time,
)

CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
SD = "com.atlassian.servicedesk:"

NOT_SETTABLE = "Field '{id}' cannot be set. It is not on the appropriate screen, or unknown."


class FieldValueError(ValueError):
    def __init__(self, message: str, *, shape: bool) -> None:
        super().__init__(message)
        self.message = message
        self.shape = shape


@dataclass(frozen=True)
class CustomFieldType:
    key: str
    kind: str
    schema_type: str
    items: str | None
    searchers: tuple[str, ...]
    creatable: bool = True


def _cf(name: str, kind: str, schema_type: str, items: str | None, *searchers: str) -> CustomFieldType:
    return CustomFieldType(CF + name, kind, schema_type, items, tuple(CF + s for s in searchers))


CUSTOM_FIELD_TYPES: dict[str, CustomFieldType] = {
    t.key: t
    for t in (
        _cf("select", "option", "option", None, "multiselectsearcher"),
        _cf("radiobuttons", "option", "option", None, "multiselectsearcher"),
        _cf("multiselect", "options", "array", "option", "multiselectsearcher"),
        _cf("multicheckboxes", "options", "array", "option", "multiselectsearcher"),
        _cf("float", "number", "number", None, "exactnumber", "numberrange"),
        _cf("textfield", "string", "string", None, "textsearcher"),
        _cf("textarea", "text", "string", None, "textsearcher"),
        _cf("readonlyfield", "string", "string", None, "textsearcher"),
        _cf("url", "string", "string", None, "exacttextsearcher"),
        _cf("datetime", "datetime", "datetime", None, "datetimerange"),
        _cf("datepicker", "date", "date", None, "daterange"),
        _cf("labels", "labels", "array", "string", "labelsearcher"),
        _cf("userpicker", "user", "user", None, "userpickergroupsearcher"),
        _cf("multiuserpicker", "users", "array", "user", "userpickergroupsearcher"),
        CustomFieldType(SD + "vp-origin", "request_type", "sd-customerrequesttype", None, (), False),
        CustomFieldType(SD + "sd-request-participants", "users", "array", "user", (), False),
        CustomFieldType(SD + "sd-sla-field", "sla", "sd-servicelevelagreement", None, (), False),
    )
}

_TEXT_LIMIT = 255


def custom_field_schema(type_key: str, custom_id: int) -> dict[str, Any]:
    kind = CUSTOM_FIELD_TYPES[type_key]
    schema: dict[str, Any] = {"type": kind.schema_type}
    if kind.items:
        schema["items"] = kind.items
    schema.update({"custom": type_key, "customId": custom_id})
    return schema


def system_fields() -> list[Field]:
    """The system fields the simulator models, in the shape GET /field describes them."""

    def sys(
        fid: str,
        name: str,
        kind: str,
        schema_type: str,
        *,
        items: str | None = None,
        settable: bool = True,
        clause: tuple[str, ...] | None = None,
    ) -> Field:
        schema: dict[str, Any] = {"type": schema_type, "system": fid}
        if items:
            schema = {"type": schema_type, "items": items, "system": fid}
        return Field(
            id=fid,
            name=name,
            custom=False,
            kind=kind,
            schema=schema,
            settable=settable,
            clause_names=clause or (fid,),
        )

    return [
        sys("summary", "Summary", "summary", "string"),
        sys("description", "Description", "text", "string"),
        sys("environment", "Environment", "text", "string"),
        sys(
            "issuetype", "Issue Type", "issuetype", "issuetype", settable=False, clause=("issuetype", "type")
        ),
        sys("project", "Project", "project", "project", settable=False),
        sys("status", "Status", "status", "status", settable=False),
        sys("statuscategorychangedate", "Status Category Changed", "readonly", "datetime", settable=False),
        sys("priority", "Priority", "priority", "priority"),
        sys("resolution", "Resolution", "resolution", "resolution", settable=False),
        sys(
            "resolutiondate",
            "Resolved",
            "readonly",
            "datetime",
            settable=False,
            clause=("resolutiondate", "resolved"),
        ),
        sys("assignee", "Assignee", "user", "user"),
        sys("reporter", "Reporter", "user", "user"),
        sys("creator", "Creator", "readonly", "user", settable=False),
        sys("labels", "Labels", "labels", "array", items="string"),
        sys("duedate", "Due date", "date", "date", clause=("due", "duedate")),
        sys("created", "Created", "readonly", "datetime", settable=False, clause=("created", "createdDate")),
        sys("updated", "Updated", "readonly", "datetime", settable=False, clause=("updated", "updatedDate")),
        sys("comment", "Comment", "comment", "comments-page", settable=False),
    ]


def coerce(field: Field, raw: Any, *, version: int, project_id: str, users: Mapping[str, User]) -> Any:
    """The stored form of `raw` written to `field` through REST v`version`, or FieldValueError."""
    kind = field.kind
    if kind == "summary":
        if not isinstance(raw, str) or not raw.strip():
            raise FieldValueError("You must specify a summary of the issue.", shape=not isinstance(raw, str))
        if len(raw) > _TEXT_LIMIT:
            raise FieldValueError("Summary must be less than 255 characters.", shape=False)
        return raw
    if raw is None:
        return [] if kind in ("options", "labels", "users") else None
    if kind == "string":
        if not isinstance(raw, str):
            raise FieldValueError("Operation value must be a string", shape=True)
        if len(raw) > _TEXT_LIMIT:
            raise FieldValueError(
                "The entered text is too long. It exceeds the allowed limit of 255 characters.", shape=False
            )
        return raw
    if kind == "text":
        return _coerce_text(raw, version)
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise FieldValueError("Operation value must be a number", shape=True)
        return float(raw)
    if kind == "option":
        return _option(field, raw, project_id)
    if kind == "options":
        if not isinstance(raw, list):
            raise FieldValueError("data was not an array", shape=True)
        return [_option(field, item, project_id) for item in raw]
    if kind == "labels":
        return _labels(raw)
    if kind == "datetime":
        if not isinstance(raw, str):
            raise FieldValueError("Operation value must be a string", shape=True)
        parsed = parse_jira_time(raw)
        if parsed is None:
            raise FieldValueError(
                "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\".",
                shape=False,
            )
        return parsed
    if kind == "date":
        if not isinstance(raw, str):
            raise FieldValueError("Operation value must be a string", shape=True)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise FieldValueError(
                'Invalid date format. Please enter the date in the format "yyyy-MM-dd".', shape=False
            )
        return raw
    if kind == "user":
        return _user(field, raw, users)
    if kind == "users":
        if not isinstance(raw, list):
            raise FieldValueError("data was not an array", shape=True)
        return [_user(field, item, users) for item in raw]
    if kind == "priority":
        return _priority(raw)
    raise FieldValueError(NOT_SETTABLE.format(id=field.id), shape=False)


def _coerce_text(raw: Any, version: int) -> RichText:
    # Cloud v3 takes rich text only as ADF, v2 only as a wiki-markup string.
    if version == 3:
        if not is_adf(raw):
            raise FieldValueError(
                "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
                shape=True,
            )
        return RichText.from_adf(raw)
    if not isinstance(raw, str):
        raise FieldValueError("Operation value must be a string", shape=True)
    return RichText(raw)


def _option(field: Field, raw: Any, project_id: str) -> str:
    if not isinstance(raw, dict) or not ("id" in raw or "value" in raw):
        raise FieldValueError("Could not find valid 'id' or 'value' in the Parent Option object.", shape=True)
    options = field.options_for(project_id)
    if "id" in raw:
        wanted = str(raw["id"])
        if any(option.id == wanted for option in options):
            return wanted
        raise FieldValueError(f"Option id '{wanted}' is not valid", shape=False)
    value = raw["value"]
    for option in options:
        if option.value == value:
            return option.id
    raise FieldValueError(f"Option value '{value}' is not valid", shape=False)


def _labels(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise FieldValueError("data was not an array", shape=True)
    for label in raw:
        if not label or " " in label:
            raise FieldValueError(f"The label '{label}' contains spaces which is invalid.", shape=False)
    return list(dict.fromkeys(raw))


def _user(field: Field, raw: Any, users: Mapping[str, User]) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("accountId"), str):
        raise FieldValueError(
            f"Specify a valid value for {field.name} (an object with accountId)", shape=True
        )
    account_id: str = raw["accountId"]
    user = users.get(account_id)
    if field.id == "assignee" and (user is None or user.is_customer or not user.active):
        raise FieldValueError(f"User '{account_id}' cannot be assigned issues.", shape=False)
    if user is None:
        raise FieldValueError(f"Specify a valid value for {field.name}", shape=False)
    return account_id


def _priority(raw: Any) -> str:
    if not isinstance(raw, dict) or not ("id" in raw or "name" in raw):
        raise FieldValueError("Could not find valid 'id' or 'name' in priority object.", shape=True)
    for priority in PRIORITIES:
        if priority.id == str(raw.get("id")) or priority.name == raw.get("name"):
            return priority.id
    wanted = raw.get("id", raw.get("name"))
    raise FieldValueError(f"Priority with id or name '{wanted}' does not exist", shape=False)


def change_strings(
    field: Field, stored: Any, *, users: Mapping[str, User], options: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(`from`/`to`, `fromString`/`toString`) for a changelog item, as Jira writes them."""
    if stored is None or stored == []:
        return None, None
    kind = field.kind
    if kind == "option":
        return str(stored), options.get(stored, str(stored))
    if kind == "options":
        return "[" + ", ".join(stored) + "]", ",".join(options.get(i, i) for i in stored)
    if kind == "number":
        return None, format_number(stored)
    if kind == "text":
        return None, stored.text
    if kind == "labels":
        return None, " ".join(stored)
    if kind == "datetime":
        return jira_time(stored), jira_time(stored)
    if kind == "user":
        user = users.get(stored)
        return stored, user.display_name if user else stored
    if kind == "users":
        names = [users[a].display_name if a in users else a for a in stored]
        return "[" + ", ".join(stored) + "]", ", ".join(names)
    if kind == "priority":
        return stored, next(p.name for p in PRIORITIES if p.id == stored)
    if kind == "resolution":
        return stored, next(r.name for r in RESOLUTIONS if r.id == stored)
    return None, str(stored)


def format_number(value: float) -> str:
    """Jira shows whole numbers without a decimal point (12, not 12.0)."""
    return str(int(value)) if float(value).is_integer() else repr(value)
