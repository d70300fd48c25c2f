"""ELA Connector: the service (intake, store, worker, write-back, CLI)."""

__version__ = "0.1.0"
