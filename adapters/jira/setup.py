"""`ela setup` on Jira: find each mapped custom field by name or create it, with a global context and
(for selects) every option. Idempotent: what already exists is reused, so a second run creates nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from adapters.base import TicketWriter
from adapters.errors import PermanentWriteError
from adapters.jira.fields import CF, KIND_BY_CUSTOM_TYPE, FieldKind, describe, schema_type_of
from adapters.jira.http import JiraHttp
from adapters.jira.settings import JiraSiteSettings
from adapters.jira.writer import JiraWriter
from adapters.platform import SetupPlan, SetupResult
from adapters.results import FieldSpec

log = logging.getLogger(__name__)

# result kind -> (custom field type, searcher key) of the field `ela setup` creates
_CREATE: dict[str, tuple[str, str]] = {
    "select": (CF + "select", CF + "multiselectsearcher"),
    "multi-select": (CF + "multiselect", CF + "multiselectsearcher"),
    "number": (CF + "float", CF + "exactnumber"),
    "text": (CF + "textfield", CF + "textsearcher"),
    "datetime": (CF + "datetime", CF + "datetimerange"),
}
# result kind -> the kinds of an existing field that can hold it
_ACCEPTED_KINDS: dict[str, set[FieldKind]] = {
    "select": {"select"},
    "multi-select": {"multiselect"},
    "number": {"number"},
    "text": {"text", "textarea"},
    "datetime": {"datetime"},
}
_CONTEXT_NAME = "ELA Connector"
_OPTIONS_PER_REQUEST = 1000  # Jira's limit for one POST .../option


def ensure_fields(writer_or_client: JiraWriter | JiraHttp, specs: Sequence[FieldSpec]) -> dict[str, str]:
    """Find by name or create each custom field; returns key -> field id.

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
    fitting = [f for f in named if KIND_BY_CUSTOM_TYPE.get(schema_type_of(f)) in _ACCEPTED_KINDS[spec.type]]
    if len(fitting) == 1:
        return str(fitting[0]["id"])
    if len(fitting) > 1:
        raise PermanentWriteError(
            f"{spec.key}: several {spec.type} fields are named {spec.name!r} "
            f"({', '.join(describe(f) for f in fitting)}); rename or remove the extra ones"
        )
    if named:
        raise PermanentWriteError(
            f"{spec.key}: a field named {spec.name!r} already exists as {schema_type_of(named[0])} "
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


_FIELD_ID = re.compile(r"^customfield_\d+$")


def setup(site: JiraSiteSettings, specs: Sequence[FieldSpec], writer: TicketWriter) -> SetupResult:
    """The site's mapped fields: those given by name are found or created; those given by id
    (`customfield_10050`) must exist already and are only checked."""
    assert isinstance(writer, JiraWriter)
    by_name = [spec for spec in specs if not _FIELD_ID.match(spec.name)]
    by_id = {spec.key for spec in specs if _FIELD_ID.match(spec.name)}
    created = ensure_fields(writer, by_name) if by_name else {}
    checked = {key: field.id for key, field in writer.resolve_fields(refresh=True).items() if key in by_id}
    return SetupResult(created, checked)


def plan(site: JiraSiteSettings, specs: Sequence[FieldSpec], writer: TicketWriter) -> SetupPlan:
    """What `setup` would create: fields mapped by name that Jira does not have yet (it reads the field
    list only)."""
    assert isinstance(writer, JiraWriter)
    fields = writer.http.call("GET", writer.http.api("field"), action="list Jira fields")
    if not isinstance(fields, list):
        raise PermanentWriteError("list Jira fields: expected a JSON list")
    names = {
        str(f.get("name", "")).strip().casefold(): f
        for f in fields
        if isinstance(f, Mapping) and f.get("custom")
    }
    ids = {str(f.get("id")) for f in fields if isinstance(f, Mapping)}
    to_create: list[str] = []
    existing: list[str] = []
    for spec in specs:
        if _FIELD_ID.match(spec.name):
            (existing if spec.name in ids else to_create).append(
                f"{spec.key}: field {spec.name}"
                + ("" if spec.name in ids else " does not exist: map it by name")
            )
            continue
        found = names.get(spec.name.strip().casefold())
        if found is not None:
            existing.append(f"{spec.key}: custom field {describe(found)}, {schema_type_of(found)}")
            continue
        field_type, searcher = _CREATE[spec.type]
        options = f", options: {', '.join(spec.options)}" if spec.options else ""
        to_create.append(
            f"{spec.key}: custom field {spec.name!r} of type {field_type} (searcher {searcher}), "
            f"with a global context{options}"
        )
    return SetupPlan(tuple(to_create), tuple(existing))
