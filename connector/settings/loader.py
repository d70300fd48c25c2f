"""Reading the admin's YAML file into Settings, reporting every problem at once with its line."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from connector import platforms
from connector.settings.model import Settings, settings_model
from connector.settings.source import ConfigProblem, LoadedYaml, dotted, load_yaml

SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class ConfigError(Exception):
    """A configuration that must not start the service; `problems` lists every reason."""

    def __init__(self, source: str, problems: list[ConfigProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


def _validation_problems(exc: ValidationError, loaded: LoadedYaml) -> list[ConfigProblem]:
    problems = []
    names = sorted(platforms.platforms())
    supported = ", ".join(names)
    for error in exc.errors():
        loc: tuple[str | int, ...] = tuple(error["loc"])
        if len(loc) > 2 and loc[0] == "sites" and loc[2] in names:
            # Pydantic puts the tag of a tagged union (the platform) in the path: sites.<name>.<platform>.auth
            loc = loc[:2] + loc[3:]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown option (check the spelling against config/example.yaml)"
        elif error["type"] == "union_tag_invalid" and loc[:1] == ("sites",):
            tag = (error.get("ctx") or {}).get("tag")
            message = f"platform {tag!r} is not supported yet (supported: {supported})"
        elif error["type"] == "union_tag_not_found" and loc[:1] == ("sites",):
            message = f"`platform` is required (supported: {supported})"
        problems.append(ConfigProblem(dotted(loc), loaded.line_of(loc), message))
    return problems


def parse_settings(text: str, source: str = "<config>", env: dict[str, str] | None = None) -> Settings:
    loaded = load_yaml(text, env)
    if loaded.problems and loaded.data is None:
        raise ConfigError(source, loaded.problems)
    data = loaded.data if loaded.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(source, [ConfigProblem("", 1, "the file must be a mapping of sections")])
    problems = list(loaded.problems)
    sites = data.get("sites")
    if isinstance(sites, dict):
        problems.extend(
            ConfigProblem(
                dotted(("sites", name)),
                loaded.line_of(("sites", name)),
                "site names become URL paths: use lower-case letters, digits, - and _",
            )
            for name in sites
            if not SITE_NAME.match(name)
        )
    try:
        settings = settings_model().model_validate(data)
    except ValidationError as exc:
        # A missing ${VAR} leaves an empty value whose section then fails its own checks too; the
        # missing variable is the one thing to fix, so those echoes are left out.
        unset = [p.path for p in loaded.problems]
        problems.extend(
            p
            for p in _validation_problems(exc, loaded)
            if not any(u == p.path or u.startswith(p.path + ".") for u in unset)
        )
        settings = None
    if problems or settings is None:
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise ConfigError(source, problems)
    return settings


def load_settings(path: str | Path, env: dict[str, str] | None = None) -> Settings:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(file), [ConfigProblem("", None, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(file), [ConfigProblem("", None, f"not UTF-8 text: {exc.reason}")]) from exc
    return parse_settings(text, str(file), env)
