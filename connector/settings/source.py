"""YAML to plain Python data, remembering where each value came from.

PyYAML's `safe_load` forgets line numbers and silently keeps the last of two duplicate keys; an admin
editing a long file needs both, so we compose the node tree ourselves. `${VAR}` references are resolved
here too, so a missing secret is reported at the line that asks for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# ${NAME} or ${NAME:-default}; $${...} escapes a literal "${".
_ENV_REF = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ConfigProblem:
    path: str  # dotted, e.g. sites.prod.fields.mood
    line: int | None
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(top level)'}: {self.message}"


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of the value at `path`, or of its nearest ancestor that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def dotted(path: Path) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")


def _scalar(node: yaml.ScalarNode, loader: yaml.SafeLoader) -> Any:
    return loader.construct_object(node, deep=True)


def _interpolate(value: str, path: Path, result: LoadedYaml, env: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)[1:]
        name, default = match.group(2), match.group(3)
        if name in env:
            return env[name]
        if default is not None:
            return default
        result.problems.append(
            ConfigProblem(dotted(path), result.lines.get(path), f"environment variable {name} is not set")
        )
        return ""

    return _ENV_REF.sub(replace, value)


def _convert(
    node: yaml.Node, path: Path, result: LoadedYaml, loader: yaml.SafeLoader, env: Mapping[str, str]
) -> Any:
    result.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                result.problems.append(
                    ConfigProblem(dotted(path), key_node.start_mark.line + 1, "keys must be plain strings")
                )
                continue
            key = str(key)
            child = (*path, key)
            if key in out:
                result.problems.append(
                    ConfigProblem(
                        dotted(child),
                        key_node.start_mark.line + 1,
                        f"duplicate key (first defined on line {result.lines[child]})",
                    )
                )
                continue
            out[key] = _convert(value_node, child, result, loader, env)
            result.lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), result, loader, env) for i, item in enumerate(node.value)]
    value = _scalar(node, loader)  # type: ignore[arg-type]
    if isinstance(value, str) and "$" in value:
        return _interpolate(value, path, result, env)
    return value


def load_yaml(text: str, env: Mapping[str, str] | None = None) -> LoadedYaml:
    """Parse YAML text into plain data plus a line map. Syntax errors become a single problem."""
    result = LoadedYaml(data=None)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            result.data = _convert(node, (), result, loader, os.environ if env is None else env)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        result.problems.append(ConfigProblem("", line, f"not valid YAML: {exc.problem or exc}"))
    finally:
        loader.dispose()
    return result
