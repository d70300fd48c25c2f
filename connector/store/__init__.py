"""The database: models, engine and session handling, and one module per kind of durable record."""

from connector.store.db import Store

__all__ = ["Store"]
