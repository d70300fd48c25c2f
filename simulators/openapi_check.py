"""Checks requests against an OpenAPI 3.0 definition: path, method, query parameters and JSON body.

The Jira simulator answers only what the real API defines. Anything else is recorded as a violation
and answered the way Jira would (404 for an unknown path, 405 for an unknown method, 400 for a bad
body), so a client that drifts from the published API fails in tests instead of in production.

Speed matters (benchmarks send thousands of requests): path templates are compiled once and bucketed by
segment count, and one JSON-schema validator is built per operation on first use. `jsonschema` is
imported only when a body is first validated, so a process without it can still check paths.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class _NoValidation:
    def iter_errors(self, document: Any) -> list[Any]:
        return []


_NO_VALIDATION = _NoValidation()


@dataclass(frozen=True)
class Violation:
    """A request the real API does not define, or would reject for its shape."""

    kind: str
    method: str
    path: str
    detail: str
    operation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "detail": self.detail,
            "operation": self.operation,
        }


@dataclass
class Operation:
    method: str
    template: str
    operation_id: str | None
    query: dict[str, dict[str, Any]]
    required_query: frozenset[str]
    body_schema: dict[str, Any] | None
    body_required: bool
    body_media_types: tuple[str, ...]
    definition: ApiDefinition
    _validator: Any = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


@dataclass
class _Template:
    template: str
    regex: re.Pattern[str]
    literal_segments: int
    operations: dict[str, Operation] = field(default_factory=dict)


class ApiDefinition:
    """One OpenAPI document, indexed for matching. `prefixes` are the paths it governs."""

    def __init__(self, document: Mapping[str, Any], *, name: str, prefixes: Sequence[str]) -> None:
        self.name = name
        self.prefixes = tuple(prefixes)
        self.document = document
        self._schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})
        self._converted: dict[str, Any] = {}
        self._buckets: dict[int, list[_Template]] = {}
        self._lock = threading.Lock()
        for template, item in document.get("paths", {}).items():
            self._add_path(template, item)
        for bucket in self._buckets.values():
            # A literal segment beats a parameter: /issue/createmeta is not /issue/{issueIdOrKey}.
            bucket.sort(key=lambda entry: -entry.literal_segments)

    @classmethod
    def from_file(cls, path: Path, *, name: str, prefixes: Sequence[str]) -> ApiDefinition:
        return _load_definition(str(path), name, tuple(prefixes))

    def governs(self, path: str) -> bool:
        return path.startswith(self.prefixes)

    def match(self, path: str) -> tuple[_Template, dict[str, str]] | None:
        segments = path.strip("/").count("/") + 1
        for entry in self._buckets.get(segments, ()):
            found = entry.regex.fullmatch(path)
            if found:
                return entry, found.groupdict()
        return None

    def operations(self) -> Iterable[Operation]:
        for bucket in self._buckets.values():
            for entry in bucket:
                yield from entry.operations.values()

    def _add_path(self, template: str, item: Mapping[str, Any]) -> None:
        segments = template.strip("/").split("/")
        pattern = "/" + "/".join(
            f"(?P<{_group(seg)}>[^/]+)" if seg.startswith("{") else re.escape(seg) for seg in segments
        )
        entry = _Template(
            template=template,
            regex=re.compile(pattern),
            literal_segments=sum(not seg.startswith("{") for seg in segments),
        )
        shared = list(item.get("parameters", []))
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                entry.operations[method.upper()] = self._operation(method.upper(), template, op, shared)
        self._buckets.setdefault(len(segments), []).append(entry)

    def _operation(self, method: str, template: str, op: Mapping[str, Any], shared: list[Any]) -> Operation:
        query: dict[str, dict[str, Any]] = {}
        required: set[str] = set()
        for entry in [*shared, *op.get("parameters", [])]:
            param = self._deref(entry)
            if param.get("in") != "query":
                continue
            query[param["name"]] = param.get("schema", {})
            if param.get("required"):
                required.add(param["name"])
        body = self._deref(op.get("requestBody") or {})
        content: Mapping[str, Any] = body.get("content", {})
        json_media = content.get("application/json")
        return Operation(
            method=method,
            template=template,
            operation_id=op.get("operationId"),
            query=query,
            required_query=frozenset(required),
            body_schema=json_media.get("schema") if json_media else None,
            body_required=bool(body.get("required")),
            body_media_types=tuple(content),
            definition=self,
        )

    def _deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self._pointer(node["$ref"])
        return node

    def _pointer(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validator_for(self, operation: Operation) -> Any:
        """A Draft 4 validator (OpenAPI 3.0 schemas are close to it) for the operation's JSON body."""
        with self._lock:
            if operation._validator is None:
                referenced: dict[str, Any] = {}
                root = _to_json_schema(operation.body_schema or {}, self._collect(referenced))
                schemas = {name: referenced[name] for name in referenced}
                document = {"allOf": [root], "components": {"schemas": schemas}}
                try:
                    validators = importlib.import_module("jsonschema.validators")
                except ImportError:  # a user's install without the test extras: paths and queries only
                    operation._validator = _NO_VALIDATION
                else:
                    operation._validator = validators.Draft4Validator(document)
            return operation._validator

    def _collect(self, referenced: dict[str, Any]) -> Any:
        """A $ref visitor that converts each referenced component schema once."""

        def visit(ref: str) -> None:
            name = ref.rsplit("/", 1)[-1]
            if name in referenced or not ref.startswith("#/components/schemas/"):
                return
            referenced[name] = None  # guards recursion through self-referencing schemas
            if name not in self._converted:
                self._converted[name] = _to_json_schema(self._schemas.get(name, {}), visit)
            else:
                _to_json_schema(self._schemas.get(name, {}), visit)
            referenced[name] = self._converted[name]

        return visit


def _group(segment: str) -> str:
    return re.sub(r"\W", "_", segment.strip("{}"))


@functools.lru_cache(maxsize=8)
def _load_definition(path: str, name: str, prefixes: tuple[str, ...]) -> ApiDefinition:
    with Path(path).open(encoding="utf-8") as handle:
        return ApiDefinition(json.load(handle), name=name, prefixes=prefixes)


def _to_json_schema(schema: Any, on_ref: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema as Jira applies it to requests: `nullable` becomes a null type;
    a read-only property is never required (Jira's definitions mark e.g. `id` both read-only and
    required); and scalars coerce into each other the way Jira's JSON binding (Jackson) does, so
    `{"transition": {"id": 51}}` passes like it does on a real site while shape errors (an array for an
    object, a missing required property, an unknown one where none are allowed) are still caught."""
    if isinstance(schema, list):
        return [_to_json_schema(item, on_ref) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        on_ref(schema["$ref"])
        return {"$ref": schema["$ref"]}
    out = {key: _to_json_schema(value, on_ref) for key, value in schema.items() if key != "properties"}
    properties = schema.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {name: _to_json_schema(sub, on_ref) for name, sub in properties.items()}
        read_only = {
            name for name, sub in properties.items() if isinstance(sub, dict) and sub.get("readOnly")
        }
        if read_only and "required" in out:
            out["required"] = [name for name in out["required"] if name not in read_only]
            if not out["required"]:
                del out["required"]
    nullable = out.pop("nullable", False)
    out = _coerce_scalars(out)
    if nullable:
        if isinstance(out.get("type"), list):
            out["type"] = [*out["type"], "null"]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


_NUMERIC_TEXT = {"type": "string", "pattern": r"^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$"}
_INTEGER_TEXT = {"type": "string", "pattern": r"^\s*-?\d+\s*$"}
_BOOLEAN_TEXT = {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"}


def _coerce_scalars(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if kind == "string":
        return {**schema, "type": ["string", "number", "integer", "boolean"]}
    text = {"integer": _INTEGER_TEXT, "number": _NUMERIC_TEXT, "boolean": _BOOLEAN_TEXT}.get(kind or "")
    if text is None:
        return schema
    typed = {key: value for key, value in schema.items() if key not in ("enum", "default", "example")}
    alternatives: list[dict[str, Any]] = [typed, text]
    if "enum" in schema:
        return {"anyOf": alternatives, "enum": schema["enum"]}
    return {"anyOf": alternatives}


@dataclass
class CheckResult:
    """What the checker found. `status` is the answer Jira would give to the first violation."""

    governed: bool
    method: str = ""
    path: str = ""
    operation: Operation | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    status: int = 200
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, status: int, kind: str, detail: str) -> CheckResult:
        label = self.operation.label if self.operation else None
        self.violations.append(Violation(kind, self.method, self.path, detail, label))
        if len(self.violations) == 1:
            self.status, self.message = status, detail
        return self


class OpenApiChecker:
    """Checks requests against several definitions; `aliases` map a path prefix onto its twin (v2 -> v3)."""

    def __init__(
        self,
        definitions: Sequence[ApiDefinition],
        aliases: Sequence[tuple[str, str]] = (("/rest/api/2/", "/rest/api/3/"),),
    ) -> None:
        self.definitions = list(definitions)
        self.aliases = list(aliases)

    def check(
        self,
        method: str,
        path: str,
        query: Mapping[str, Sequence[str]],
        *,
        content_type: str | None,
        body: bytes,
    ) -> CheckResult:
        canonical = path
        for alias, twin in self.aliases:
            if path.startswith(alias):
                canonical = twin + path[len(alias) :]
        governing = [d for d in self.definitions if d.governs(canonical)]
        if not governing:
            return CheckResult(governed=False)
        result = CheckResult(governed=True, method=method, path=path)
        # Several definitions may share a prefix (the platform file and later additions to it).
        found = next((match for d in governing if (match := d.match(canonical)) is not None), None)
        if found is None:
            return result.fail(404, "undefined_path", f"{governing[0].name} defines no {path}")
        entry, result.path_params = found
        operation = entry.operations.get(method.upper())
        if operation is None:
            allowed = ", ".join(sorted(entry.operations))
            detail = f"{entry.template} is defined for {allowed}, not {method}"
            return result.fail(405, "method_not_allowed", detail)
        result.operation = operation
        self._check_query(result, operation, query)
        self._check_body(result, operation, content_type=content_type, body=body)
        return result

    @staticmethod
    def _check_query(result: CheckResult, operation: Operation, query: Mapping[str, Sequence[str]]) -> None:
        for name, values in query.items():
            schema = operation.query.get(name)
            if schema is None:
                defined = ", ".join(sorted(operation.query)) or "none"
                detail = f"query parameter '{name}' is not defined for {operation.label} (defined: {defined})"
                result.fail(400, "unknown_query_parameter", detail)
                continue
            for value in values:
                problem = _query_value_problem(schema, value)
                if problem:
                    detail = f"query parameter '{name}={value}' {problem}"
                    result.fail(400, "invalid_query_value", detail)
        for name in operation.required_query - set(query):
            result.fail(400, "missing_query_parameter", f"'{name}' is required")

    @staticmethod
    def _check_body(
        result: CheckResult, operation: Operation, *, content_type: str | None, body: bytes
    ) -> None:
        if not body.strip():
            if operation.body_required:
                result.fail(400, "missing_body", f"{operation.label} needs a JSON body")
            return
        if operation.body_schema is None:
            if not operation.body_media_types:
                return  # Jira ignores a body on an operation that takes none
            media = ", ".join(operation.body_media_types)
            result.fail(415, "unsupported_media_type", f"expects {media}")
            return
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            detail = f"Content-Type '{content_type}' is not application/json"
            result.fail(415, "unsupported_media_type", detail)
            return
        try:
            document = json.loads(body)
        except ValueError as error:
            result.fail(400, "malformed_json", f"body is not JSON: {error}")
            return
        validator = operation.definition.validator_for(operation)
        errors = sorted(validator.iter_errors(document), key=lambda e: (len(e.absolute_path), e.message))
        if errors:
            first = errors[0]
            where = "/".join(str(part) for part in first.absolute_path) or "(body)"
            detail = f"body does not match {operation.label}: at {where}: {first.message}"
            result.fail(400, "invalid_body", detail)


def _query_value_problem(schema: Mapping[str, Any], value: str) -> str | None:
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        for part in value.split(","):
            problem = _query_value_problem(items, part)
            if problem:
                return problem
        return None
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return "is not a boolean (true or false)"
    if kind == "integer":
        try:
            int(value)
        except ValueError:
            return "is not an integer"
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return "is not a number"
    enum = schema.get("enum")
    if enum is not None and value not in [str(option) for option in enum]:
        return f"is not one of {', '.join(map(str, enum))}"
    return None
