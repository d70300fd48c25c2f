"""`ela replay`: recorded payloads through the same parse, store and pipeline as live webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.base import Headers, InboundRequest
from adapters.errors import AdapterError
from connector.platforms import platform_for
from connector.settings import Settings
from connector.store.events import store_delivery


class ReplayError(Exception):
    pass


def _site_name(settings: Settings, site: str | None) -> str:
    if site is not None:
        if site not in settings.sites:
            known = ", ".join(settings.sites) or "none"
            raise ReplayError(f"no site named {site!r} in the configuration (sites: {known})")
        return site
    if len(settings.sites) != 1:
        known = ", ".join(settings.sites) or "none"
        raise ReplayError(f"say which site the payloads came from with --site (sites: {known})")
    return next(iter(settings.sites))


def replay_files(
    settings: Settings,
    files: list[Path],
    site: str | None,
    *,
    dry_run: bool,
    emit: Callable[[Any], None],
) -> str:
    site_name = _site_name(settings, site)
    site_settings = settings.sites[site_name]
    adapter = platform_for(site_settings.platform).adapter
    parsed = []
    for path in files:
        body = path.read_bytes()
        request = InboundRequest(headers=Headers({"Content-Type": "application/json"}), body=body)
        try:
            result = adapter.parse(request, site_name, site_settings.customers.rules())
        except AdapterError as exc:
            raise ReplayError(f"{path}: {exc.reason}") from exc
        parsed.append((path, body, result))
    if dry_run:
        for _, _, result in parsed:
            for event in result.events:
                emit(json.loads(event.to_json()))
        events = sum(len(r.events) for _, _, r in parsed)
        ignored = sum(1 for _, _, r in parsed if not r.events)
        return f"{len(files)} file(s): {events} event(s), {ignored} ignored; nothing stored (dry run)"

    from connector.runtime import Runtime

    runtime = Runtime(settings)
    stored = duplicates = ignored = 0
    try:
        for _path, body, result in parsed:
            if not result.events:
                ignored += 1
                continue
            with runtime.store.session() as session:
                delivery = store_delivery(
                    session,
                    platform=site_settings.platform,
                    site=site_name,
                    delivery_key=result.delivery_key,
                    webhook_event=result.webhook_event,
                    body=body,
                    events=result.events,
                )
            stored += delivery.events_stored
            duplicates += delivery.duplicate
        runtime.worker.drain()
    finally:
        runtime.close()
    return (
        f"{len(files)} file(s): {stored} event(s) stored and processed, {duplicates} already replayed, "
        f"{ignored} ignored; write-backs are queued for the worker"
    )
