"""The registry of platforms: the one place that lists them. Everything else in the connector asks it.

Adding a platform = a package under adapters/ that exports `PLATFORM`, and its line in BUILT_IN.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from adapters.base import TicketWriter
from adapters.platform import Platform

# Module paths, imported on first use: a platform's client libraries load only when it is used.
BUILT_IN = ("adapters.jira", "adapters.servicenow")

_registry: dict[str, Platform[Any]] = {}
_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


def _load_built_in() -> None:
    if _registry:
        return
    for module in BUILT_IN:
        platform: Platform[Any] = importlib.import_module(module).PLATFORM
        _registry.setdefault(platform.name, platform)


def platforms() -> dict[str, Platform[Any]]:
    """Every registered platform, by name."""
    with _lock:
        _load_built_in()
        return dict(_registry)


def platform_for(name: str) -> Platform[Any]:
    found = platforms().get(name)
    if found is None:
        raise KeyError(f"no platform {name!r} (registered: {', '.join(sorted(platforms()))})")
    return found


def register(platform: Platform[Any]) -> None:
    """Add (or replace) a platform; settings parsed afterwards accept its sites."""
    with _lock:
        _load_built_in()
        _registry[platform.name] = platform
        listeners = list(_listeners)
    for listener in listeners:
        listener()


def unregister(name: str) -> None:
    with _lock:
        _registry.pop(name, None)
        listeners = list(_listeners)
    for listener in listeners:
        listener()


def on_change(listener: Callable[[], None]) -> None:
    """Call `listener` whenever the registry changes (the settings model rebuilds its site union)."""
    with _lock:
        _listeners.append(listener)


class Writers:
    """One writer per site, built on first use (a writer caches things such as the site's field ids)."""

    def __init__(self, sites: dict[str, Any]) -> None:
        self.sites = sites
        self._writers: dict[str, TicketWriter] = {}
        self._lock = threading.Lock()

    def __call__(self, site_name: str) -> TicketWriter | None:
        with self._lock:
            writer = self._writers.get(site_name)
            if writer is None:
                site = self.sites.get(site_name)
                if site is None:
                    return None
                writer = platform_for(site.platform).writer(site)
                self._writers[site_name] = writer
            return writer
