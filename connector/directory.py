"""Group membership of comment authors, for sites that name their customers by platform group.

A lookup is a REST call, so answers are kept for a while: an author's groups rarely change within the
minutes a conversation on a ticket lasts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from adapters.base import UserDirectory
from adapters.events import Person

DirectoryFor = Callable[[str], UserDirectory | None]


class GroupCache:
    def __init__(self, directories: DirectoryFor, ttl_seconds: float = 600.0) -> None:
        self.directories = directories
        self.ttl = ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def groups(self, site: str, person: Person) -> frozenset[str]:
        """The author's groups; a WriteError from the platform propagates (the event is retried)."""
        if not person.id:
            return frozenset()
        key = (site, person.id)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        directory = self.directories(site)
        found = directory.groups_of(person) if directory is not None else frozenset()
        with self._lock:
            self._cache[key] = (now, found)
        return found
