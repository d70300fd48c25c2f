"""A stateful ServiceNow instance on loopback, for the demo, tests and benchmarks.

    with ServiceNowSimulator() as sim:
        sim.install_business_rule("http://127.0.0.1:9000/webhooks/servicenow/prod", secret="s3cret...")
        key = sim.create_incident("VPN drops", caller="casey.customer")
        sim.add_comment(key, "Still broken!", author="casey.customer")
        ...                                        # the code under test talks to sim.base_url
        assert sim.record(key)["u_customer_mood"] == "Negative" and not sim.violations

As a process: `python -m simulators.servicenow --port 8082` (control API under /_sim).
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from simulators.faults import FaultSet
from simulators.openapi_check import Violation
from simulators.recorder import RecordedRequest, RequestLog
from simulators.servicenow import control
from simulators.servicenow import http as table_api
from simulators.servicenow.rules import EVENT, BusinessRule, dispatcher
from simulators.servicenow.seed import GROUP, seed
from simulators.servicenow.state import Instance
from simulators.webhooks import Delivery, WebhookRegistration


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class ServiceNowSimulator:
    def __init__(self, *, seed_name: str = "demo", log_requests: bool = False) -> None:
        self.instance = Instance()
        seed(self.instance, seed_name)
        self.faults = FaultSet()
        self.log = RequestLog()
        self.dispatcher = dispatcher()
        self.rule = BusinessRule(self.instance, self.dispatcher)
        self.site = table_api.Site(self.instance, self.faults, self.log)
        self.app = table_api.create_app(self.site, [table_api.bp, control.bp])
        self.app.extensions["servicenow_simulator"] = self
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # serving ---------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        handler = WSGIRequestHandler if self._log_requests else _QuietHandler
        self._server = make_server(host, port, self.app, threaded=True, request_handler=handler)
        self.instance.base_url = f"http://{host}:{self._server.server_port}"
        self.dispatcher.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="servicenow-sim-http",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.dispatcher.stop()

    def __enter__(self) -> ServiceNowSimulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.instance.base_url

    # records ---------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.log.requests()

    @property
    def violations(self) -> list[Violation]:
        return self.log.violations()

    @property
    def deliveries(self) -> list[Delivery]:
        return self.dispatcher.deliveries()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        return self.dispatcher.wait_idle(timeout)

    def clear_records(self) -> None:
        self.log.clear()
        self.dispatcher.clear()

    def advance_clock(self, seconds: float) -> None:
        self.instance.clock.advance(seconds)

    # the business rule -----------------------------------------------------------------------------

    def install_business_rule(self, url: str, secret: str | None) -> WebhookRegistration:
        """The connector's business rule, posting to `url`, signing with `secret` (the system property)."""
        return self.dispatcher.register(url, [EVENT], secret, "ELA Connector")

    def remove_business_rule(self) -> None:
        for registration in self.dispatcher.registrations():
            self.dispatcher.unregister(registration.id)

    # acting as people ------------------------------------------------------------------------------

    def _sys_id_of(self, user_name: str | None) -> str:
        if user_name is None:
            return ""
        user = self.instance.user(user_name)
        if user is None:
            raise KeyError(f"no user {user_name}")
        return user["sys_id"]

    def create_incident(
        self,
        summary: str,
        *,
        caller: str,
        actor: str | None = None,
        group: str | None = GROUP,
        category: str = "network",
        comment: str | None = None,
    ) -> str:
        """An incident raised by `caller` (on the portal when `actor` is None), assigned to `group`."""
        values: dict[str, Any] = {
            "short_description": summary,
            "caller_id": self._sys_id_of(caller),
            "category": category,
        }
        if group:
            values["assignment_group"] = self.instance.group(group)["sys_id"]
        if comment:
            values["comments"] = comment
        return self.instance.insert("incident", values, user=actor or caller)["number"]

    def create_case(
        self, summary: str, *, contact: str, actor: str | None = None, group: str | None = GROUP
    ) -> str:
        values: dict[str, Any] = {"short_description": summary, "contact": self._sys_id_of(contact)}
        if group:
            values["assignment_group"] = self.instance.group(group)["sys_id"]
        return self.instance.insert("sn_customerservice_case", values, user=actor or contact)["number"]

    def update(self, key: str, values: dict[str, Any], *, actor: str) -> dict[str, str]:
        table, record = self.instance.by_number(key)
        return dict(self.instance.update(table, record["sys_id"], values, user=actor))

    def add_comment(self, key: str, text: str, *, author: str, public: bool = True) -> None:
        self.update(key, {"comments" if public else "work_notes": text}, actor=author)

    def set_state(self, key: str, state: str, *, actor: str) -> None:
        self.update(key, {"state": state}, actor=actor)

    def assign(self, key: str, user_name: str, *, actor: str) -> None:
        self.update(key, {"assigned_to": self._sys_id_of(user_name)}, actor=actor)

    def delete(self, key: str, *, actor: str) -> None:
        table, record = self.instance.by_number(key)
        self.instance.delete(table, record["sys_id"], user=actor)

    def record(self, key: str) -> dict[str, str]:
        with self.instance.lock:
            return dict(self.instance.by_number(key)[1])

    def journal(self, key: str) -> list[dict[str, str]]:
        record = self.record(key)
        with self.instance.lock:
            return [
                dict(e)
                for e in self.instance.records["sys_journal_field"].values()
                if e["element_id"] == record["sys_id"]
            ]

    def columns(self, table: str) -> dict[str, Any]:
        return dict(self.instance.columns[table])
