"""Helpers of the end-to-end tests: a configuration for a simulated Jira, and the connector serving
its webhook endpoint on a real loopback port."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from connector.runtime import Runtime
from connector.settings import Settings, load_settings

SECRET = "e2e-webhook-secret-0123456789"
CONFIG = """
database: {{url: "{db}"}}
server: {{port: {port}}}
worker: {{poll_seconds: 0.1, lease_seconds: {lease}}}
writeback:
  flush_seconds: 0.1
  coalesce_seconds: {coalesce}
  backoff_initial_seconds: 0.2
  backoff_max_seconds: 1
  lease_seconds: {lease}
logging: {{level: WARNING, format: text}}
sites:
  jira:
    platform: jira
    url: {url}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
    webhook: {{secret: {secret}}}
    fields:
      mood: Customer mood
      mood_score: Customer mood score
      initial_mood: Initial customer mood
      mood_trend: Customer mood trend
"""


@dataclass
class Config:
    path: Path
    settings: Settings


def write_config(
    tmp_path: Path,
    url: str,
    *,
    lease: float = 60,
    coalesce: float = 0,
    port: int = 8080,
    database: str | None = None,
) -> Config:
    """A configuration for one Jira site at `url`; `database` a store URL (default: SQLite in tmp_path)."""
    path = tmp_path / "ela.yaml"
    db = database or f"sqlite:///{tmp_path / 'ela.db'}"
    path.write_text(CONFIG.format(db=db, url=url, secret=SECRET, lease=lease, coalesce=coalesce, port=port))
    return Config(path, load_settings(path))


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@dataclass
class Running:
    runtime: Runtime
    url: str
    server: BaseWSGIServer


def serve(runtime: Runtime, platform: str = "jira", site: str = "jira", port: int = 0) -> Running:
    """The runtime's web app on a loopback port; `url` is the webhook endpoint of `site`."""
    server = make_server("127.0.0.1", port, runtime.app(), threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Running(runtime, f"http://127.0.0.1:{server.server_port}/webhooks/{platform}/{site}", server)


SITE_CONFIG = {
    "jira": """
  {name}:
    platform: jira
    url: {url}
    auth: {{email: ela-connector@example.com, api_token: ela-admin-token}}
{webhook}    fields:
      mood: Customer mood
      mood_score: Customer mood score
      initial_mood: Initial customer mood
      mood_trend: Customer mood trend
    pull: {{enabled: {pull}, interval_seconds: 3600, overlap_seconds: 120}}
""",
    "servicenow": """
  {name}:
    platform: servicenow
    url: {url}
    auth: {{user: ela.connector, password: ela-connector-password}}
    tables: [incident]
{webhook}    fields:
      mood: u_customer_mood
      mood_score: u_customer_mood_score
      initial_mood: u_initial_customer_mood
      mood_trend: u_customer_mood_trend
    pull: {{enabled: {pull}, interval_seconds: 3600, overlap_seconds: 120}}
""",
}


def write_site_config(
    tmp_path: Path, platform: str, url: str, *, push: bool, pull: bool, lease: float = 60
) -> Config:
    """A configuration with one site named after its platform, pushed to, polled, or both."""
    head = CONFIG.split("sites:", maxsplit=1)[0].format(
        db=f"sqlite:///{tmp_path / 'ela.db'}", url=url, secret=SECRET, lease=lease, coalesce=0, port=8080
    )
    webhook = f"    webhook: {{secret: {SECRET}}}\n" if push else ""
    site = SITE_CONFIG[platform].format(name=platform, url=url, webhook=webhook, pull=str(pull).lower())
    path = tmp_path / "ela.yaml"
    path.write_text(head + "sites:" + site)
    return Config(path, load_settings(path))
