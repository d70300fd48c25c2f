"""Jira custom fields: finding them by name or id (`FieldCatalogue`), and creating them for `ela setup`
(`ensure_fields`)."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adapters.errors import PermanentWriteError
from adapters.jira_http import JiraHttp

if TYPE_CHECKING:
    from adapters.jira_writer import JiraWriter

log = logging.getLogger(__name__)

FieldKind = Literal["select", "number", "text", "textarea", "labels"]

_CF = "com.atlassian.jira.plugin.system.customfieldtypes:"
_KIND_BY_CUSTOM_TYPE: dict[str, FieldKind] = {
    _CF + "select": "select",
    _CF + "radiobuttons": "select",  # same wire shape as a select: {"value": ...}
    _CF + "float": "number",
    _CF + "textfield": "text",
    _CF + "textarea": "textarea",
    _CF + "labels": "labels",
}


@dataclass(frozen=True)
class ResolvedField:
    """A logical key (`mood`) bound to the Jira field that holds it."""

    key: str
    id: str  # customfield_10050
    name: str  # Customer mood
    kind: FieldKind
    schema_type: str  # Jira's own type: the custom type key, or the schema type of a system field


def _describe(field: Mapping[str, Any]) -> str:
    return f"{field.get('name')!r} ({field.get('id')})"


def _schema_type(field: Mapping[str, Any]) -> str:
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
                ids = ", ".join(_describe(m) for m in matches)
                problems.append(
                    f"{key}: several Jira fields are named {ref!r} ({ids}); configure the id instead"
                )
                continue
            field = matches[0]
            schema_type = _schema_type(field)
            kind = _KIND_BY_CUSTOM_TYPE.get(schema_type)
            if field.get("id") == "labels":
                # The system field: setting it replaces every label agents put on the ticket.
                problems.append(
                    f"{key}: the system Labels field would lose the agents' own labels on every write; "
                    "use a custom field of type labels"
                )
            elif kind is None:
                problems.append(
                    f"{key}: {_describe(field)} is of type {schema_type}, which the connector cannot write "
                    "(select, radio buttons, number, text field, paragraph, labels)"
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
        described = _describe(labels[match])
        if described not in seen:
            seen.append(described)
    return f" (did you mean {', '.join(seen)}?)" if seen else ""


# --- ela setup: create the fields --------------------------------------------------------------------

SpecType = Literal["select", "number", "text"]
_CREATE: dict[str, tuple[str, str]] = {  # spec type -> (custom field type, searcher key)
    "select": (_CF + "select", _CF + "multiselectsearcher"),
    "number": (_CF + "float", _CF + "exactnumber"),
    "text": (_CF + "textfield", _CF + "textsearcher"),
}
_ACCEPTED_KINDS: dict[str, set[FieldKind]] = {
    "select": {"select"},
    "number": {"number"},
    "text": {"text", "textarea"},
}
_CONTEXT_NAME = "ELA Connector"
_OPTIONS_PER_REQUEST = 1000  # Jira's limit for one POST .../option


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name: str
    type: SpecType
    options: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.key or not self.name.strip():
            raise ValueError(f"field spec {self.key!r}: key and name must not be empty")
        if self.type not in _CREATE:
            raise ValueError(
                f"field spec {self.key!r}: type must be one of {sorted(_CREATE)}, not {self.type!r}"
            )
        if self.options and self.type != "select":
            raise ValueError(f"field spec {self.key!r}: only a select field has options")
        if any(not o.strip() for o in self.options) or len(set(self.options)) != len(self.options):
            raise ValueError(f"field spec {self.key!r}: options must be non-empty and distinct")


def ensure_fields(writer_or_client: JiraWriter | JiraHttp, specs: Sequence[FieldSpec]) -> dict[str, str]:
    """Find by name or create each custom field, with a global context and (for selects) every option.
    Idempotent: what already exists is reused, so a second run creates nothing. Returns key -> field id.

    Uses the Cloud REST API v3 (contexts and options have no REST API on Data Center)."""
    http = writer_or_client if isinstance(writer_or_client, JiraHttp) else writer_or_client.http
    if not http.cloud:
        names = ", ".join(f"{s.name!r} ({s.type})" for s in specs)
        raise PermanentWriteError(
            "creating fields needs Jira Cloud's REST API v3; on Data Center create these custom fields in "
            f"Administration > Issues > Custom fields and map them by name: {names}"
        )
    if len({s.key for s in specs}) != len(specs) or len({s.name.casefold() for s in specs}) != len(specs):
        raise ValueError("field specs must have distinct keys and distinct names")
    fields = http.call("GET", http.api("field", "3"), action="list Jira fields")
    if not isinstance(fields, list):
        raise PermanentWriteError("list Jira fields: expected a JSON list")
    ids: dict[str, str] = {}
    for spec in specs:
        field_id = _find_or_create_field(http, fields, spec)
        context_id = _ensure_global_context(http, field_id, spec)
        if spec.options:
            _ensure_options(http, field_id, context_id, spec)
        ids[spec.key] = field_id
    if not isinstance(writer_or_client, JiraHttp):
        writer_or_client.catalogue.invalidate()
    return ids


def _find_or_create_field(http: JiraHttp, fields: list[Any], spec: FieldSpec) -> str:
    named = [
        f
        for f in fields
        if isinstance(f, Mapping)
        and f.get("custom")
        and str(f.get("name", "")).strip().casefold() == spec.name.strip().casefold()
    ]
    fitting = [f for f in named if _KIND_BY_CUSTOM_TYPE.get(_schema_type(f)) in _ACCEPTED_KINDS[spec.type]]
    if len(fitting) == 1:
        return str(fitting[0]["id"])
    if len(fitting) > 1:
        raise PermanentWriteError(
            f"{spec.key}: several {spec.type} fields are named {spec.name!r} "
            f"({', '.join(_describe(f) for f in fitting)}); rename or remove the extra ones"
        )
    if named:
        raise PermanentWriteError(
            f"{spec.key}: a field named {spec.name!r} already exists as {_schema_type(named[0])} "
            f"({named[0].get('id')}), not a {spec.type} field; rename it or choose another name"
        )
    field_type, searcher = _CREATE[spec.type]
    body = {"name": spec.name, "type": field_type, "searcherKey": searcher}
    if spec.description:
        body["description"] = spec.description
    created = http.call(
        "POST",
        http.api("field", "3"),
        body=body,
        action=f"create Jira field {spec.name!r}",
        forbidden_hint="creating custom fields needs the Administer Jira global permission",
    )
    if not isinstance(created, Mapping) or not isinstance(created.get("id"), str):
        raise PermanentWriteError(f"create Jira field {spec.name!r}: Jira's answer has no field id")
    fields.append(created)
    log.info("jira.field_created", extra={"field_key": spec.key, "field_id": created["id"]})
    return str(created["id"])


def _pages(http: JiraHttp, path: str, action: str) -> Iterator[Mapping[str, Any]]:
    """Every item of a Jira PageBean (startAt / maxResults / isLast / values)."""
    start = 0
    while True:
        page = http.call("GET", path, params={"startAt": str(start)}, action=action)
        values = page.get("values") if isinstance(page, Mapping) else None
        if not isinstance(values, list):
            raise PermanentWriteError(f"{action}: expected a page with 'values'")
        yield from (v for v in values if isinstance(v, Mapping))
        start += len(values)
        total = page.get("total")
        last = page.get("isLast", isinstance(total, int) and start >= total)
        if last or not values:
            return


def _ensure_global_context(http: JiraHttp, field_id: str, spec: FieldSpec) -> str:
    path = http.api(f"field/{field_id}/context", "3")
    action = f"list contexts of {field_id}"
    contexts = [c for c in _pages(http, path, action) if c.get("isGlobalContext")]
    contexts.sort(key=lambda c: not c.get("isAnyIssueType"))  # prefer the one for every issue type
    if contexts:
        return str(contexts[0]["id"])
    # Empty projectIds and issueTypeIds: every project, every issue type.
    body = {
        "name": _CONTEXT_NAME,
        "description": f"Values written by ELA Connector ({spec.key})",
        "projectIds": [],
        "issueTypeIds": [],
    }
    created = http.call(
        "POST",
        path,
        body=body,
        action=f"create a global context for {field_id}",
        forbidden_hint="creating field contexts needs the Administer Jira global permission",
    )
    if not isinstance(created, Mapping) or created.get("id") is None:
        raise PermanentWriteError(f"create a global context for {field_id}: Jira's answer has no context id")
    log.info("jira.context_created", extra={"field_id": field_id, "context_id": str(created["id"])})
    return str(created["id"])


def _ensure_options(http: JiraHttp, field_id: str, context_id: str, spec: FieldSpec) -> None:
    path = http.api(f"field/{field_id}/context/{context_id}/option", "3")
    existing = {str(o.get("value")): o for o in _pages(http, path, f"list options of {field_id}")}
    disabled = [existing[v] for v in spec.options if v in existing and existing[v].get("disabled")]
    missing = [v for v in spec.options if v not in existing]
    hint = "changing field options needs the Administer Jira global permission"
    if disabled:
        body = {
            "options": [{"id": str(o["id"]), "value": str(o["value"]), "disabled": False} for o in disabled]
        }
        http.call("PUT", path, body=body, action=f"enable options of {field_id}", forbidden_hint=hint)
    for start in range(0, len(missing), _OPTIONS_PER_REQUEST):
        chunk = missing[start : start + _OPTIONS_PER_REQUEST]
        body = {"options": [{"value": v, "disabled": False} for v in chunk]}
        http.call("POST", path, body=body, action=f"add options to {field_id}", forbidden_hint=hint)
    if disabled or missing:
        log.info(
            "jira.options_ensured",
            extra={"field_id": field_id, "added": len(missing), "enabled": len(disabled)},
        )
