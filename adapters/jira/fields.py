"""Jira fields: finding them by name or id (`FieldCatalogue`), and what kind of value each takes."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from adapters.errors import PermanentWriteError
from adapters.jira.http import JiraHttp

FieldKind = Literal["select", "multiselect", "number", "text", "textarea", "labels", "datetime"]

CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
KIND_BY_CUSTOM_TYPE: dict[str, FieldKind] = {
    CF + "select": "select",
    CF + "radiobuttons": "select",  # same wire shape as a select: {"value": ...}
    CF + "multiselect": "multiselect",
    CF + "multicheckboxes": "multiselect",  # same wire shape: [{"value": ...}, ...]
    CF + "float": "number",
    CF + "textfield": "text",
    CF + "textarea": "textarea",
    CF + "labels": "labels",
    CF + "datetime": "datetime",  # Date Time Picker
}


@dataclass(frozen=True)
class ResolvedField:
    """A logical key (`mood`) bound to the Jira field that holds it."""

    key: str
    id: str  # customfield_10050
    name: str  # Customer mood
    kind: FieldKind
    schema_type: str  # Jira's own type: the custom type key, or the schema type of a system field


def describe(field: Mapping[str, Any]) -> str:
    return f"{field.get('name')!r} ({field.get('id')})"


def schema_type_of(field: Mapping[str, Any]) -> str:
    schema = field.get("schema")
    if not isinstance(schema, Mapping):
        return "no schema"
    return str(schema.get("custom") or schema.get("system") or schema.get("type") or "no schema")


class FieldCatalogue:
    """Jira's field list (GET /rest/api/{v}/field), fetched once and kept until `invalidate()`."""

    def __init__(self, http: JiraHttp) -> None:
        self._http = http
        self._fields: list[Mapping[str, Any]] | None = None

    @property
    def loaded(self) -> bool:
        return self._fields is not None

    def invalidate(self) -> None:
        self._fields = None

    def fields(self, *, refresh: bool = False) -> list[Mapping[str, Any]]:
        if self._fields is None or refresh:
            body = self._http.call("GET", self._http.api("field"), action="list Jira fields")
            if not isinstance(body, list):
                raise PermanentWriteError(
                    f"list Jira fields: expected a JSON list, got {type(body).__name__}"
                )
            self._fields = [f for f in body if isinstance(f, Mapping) and isinstance(f.get("id"), str)]
        return self._fields

    def resolve(self, refs: Mapping[str, str], *, refresh: bool = False) -> dict[str, ResolvedField]:
        """Bind every logical key to a field, found by id or else by name; one error lists every
        reference that did not resolve, with close matches."""
        fields = self.fields(refresh=refresh)
        by_id = {f["id"]: f for f in fields}
        by_name: dict[str, list[Mapping[str, Any]]] = {}
        for f in fields:
            for name in {str(f.get("name", "")), str(f.get("untranslatedName", ""))} - {""}:
                by_name.setdefault(name.casefold(), []).append(f)
        resolved: dict[str, ResolvedField] = {}
        problems: list[str] = []
        for key, ref in refs.items():
            matches = [by_id[ref]] if ref in by_id else by_name.get(ref.strip().casefold(), [])
            if not matches:
                problems.append(f"{key}: no Jira field with id or name {ref!r}{_suggest(ref, fields)}")
                continue
            if len(matches) > 1:
                ids = ", ".join(describe(m) for m in matches)
                problems.append(
                    f"{key}: several Jira fields are named {ref!r} ({ids}); configure the id instead"
                )
                continue
            field = matches[0]
            schema_type = schema_type_of(field)
            kind = KIND_BY_CUSTOM_TYPE.get(schema_type)
            if field.get("id") == "labels":
                # The system field: setting it replaces every label agents put on the ticket.
                problems.append(
                    f"{key}: the system Labels field would lose the agents' own labels on every write; "
                    "use a custom field of type labels"
                )
            elif kind is None:
                problems.append(
                    f"{key}: {describe(field)} is of type {schema_type}, which the connector cannot write "
                    "(select, radio buttons, multi-select, checkboxes, number, text field, paragraph, "
                    "labels, date time picker)"
                )
            else:
                resolved[key] = ResolvedField(key, field["id"], str(field.get("name", "")), kind, schema_type)
        by_field: dict[str, list[str]] = {}
        for rf in resolved.values():
            by_field.setdefault(rf.id, []).append(rf.key)
        problems.extend(
            f"{', '.join(keys)}: all mapped to the same Jira field {fid}"
            for fid, keys in by_field.items()
            if len(keys) > 1
        )
        if problems:
            raise PermanentWriteError("Jira fields not usable: " + "; ".join(problems))
        return resolved


def _suggest(ref: str, fields: Sequence[Mapping[str, Any]]) -> str:
    labels = {str(f.get("name", "")).casefold(): f for f in fields}
    labels.update({str(f["id"]).casefold(): f for f in fields})
    close = difflib.get_close_matches(ref.strip().casefold(), list(labels), n=3, cutoff=0.6)
    seen: list[str] = []
    for match in close:
        described = describe(labels[match])
        if described not in seen:
            seen.append(described)
    return f" (did you mean {', '.join(seen)}?)" if seen else ""
