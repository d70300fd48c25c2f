"""WSGI entry point for running the web part under any WSGI server:

    ELA_CONFIG=/etc/ela/config.yaml waitress-serve --call connector.wsgi:create

Run `ela worker` beside it; the web processes only receive and store.
"""

from __future__ import annotations

import os

from flask import Flask

from connector.app import create_app
from connector.logs import setup_logging
from connector.runtime import ensure_schema
from connector.settings import load_settings
from connector.store import Store


def create() -> Flask:
    path = os.environ.get("ELA_CONFIG")
    if not path:
        raise RuntimeError("set ELA_CONFIG to the configuration file")
    settings = load_settings(path)
    setup_logging(settings.logging)
    store = Store(settings.database.url)
    ensure_schema(store)
    return create_app(settings, store)
