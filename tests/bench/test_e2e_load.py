"""The end-to-end benchmark's load is what Jira sends: each webhook it builds is accepted by the real
intake as a new customer comment on its ticket, and the answer names the delivery, as the ingest
benchmark's client expects when it records each acknowledged key."""

from __future__ import annotations

import json
import math
import re

from sqlalchemy import select

from bench.e2e_load import TEXTS, Ack, Call, Payloads, sign
from bench.e2e_scenarios import latencies
from connector.app import create_app
from connector.settings import parse_settings
from connector.store import Store
from connector.store.models import EventRow

SECRET = "bench-webhook-secret-0123456789"
CONFIG = f"""
sites:
  jira:
    platform: jira
    url: https://acme-help.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: {SECRET}}}
"""
# The ingest benchmark's wrk script reads the key with this Lua pattern: '"delivery":%s*"([^"]+)"'.
DELIVERY = re.compile(r'"delivery":\s*"([^"]+)"')


def test_each_built_webhook_is_a_new_comment_on_its_own_ticket(store: Store) -> None:
    client = create_app(parse_settings(CONFIG, env={}), store).test_client()
    payloads = Payloads()
    sent = []
    for n, (key, issue_id) in enumerate((("SUP-7", "10107"), ("SUP-8", "10108"), ("SUP-7", "10107"))):
        body = payloads.comment(key, issue_id, TEXTS[n])
        answer = client.post(
            "/webhooks/jira/jira",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature": sign(SECRET, body),
                "X-Atlassian-Webhook-Identifier": f"bench-{n}",
            },
        )
        assert answer.status_code == 202, answer.get_data(as_text=True)
        assert json.loads(answer.data)["status"] == "accepted"
        found = DELIVERY.search(answer.get_data(as_text=True))
        assert found is not None and found.group(1) == f"bench-{n}"
        sent.append((key, TEXTS[n]))
    with store.session() as session:
        rows = session.scalars(select(EventRow).order_by(EventRow.id)).all()
        stored = [(row.ticket_key, row.kind, json.loads(row.data)["comment"]["text"]) for row in rows]
    assert stored == [(key, "commented", text) for key, text in sent]


def test_a_comment_lands_with_the_first_write_of_its_ticket_sent_after_it() -> None:
    acks = [
        Ack("a", "SUP-1", 202, sent=10.0, answered=10.1, late=0.0),
        Ack("b", "SUP-2", 202, sent=11.0, answered=11.2, late=0.0),
        Ack("c", "SUP-3", 503, sent=12.0, answered=12.1, late=0.0),  # not acknowledged: not counted
    ]
    # SUP-1 was written before the comment (an earlier comment's write), then 0.4 s after its 2xx;
    # SUP-2 never.
    landed = {"SUP-1": [9.0, 10.5, 11.0], "SUP-3": [12.5]}
    found = latencies(acks, landed)
    assert found[0] == 10.5 - 10.1
    assert math.isinf(found[1])
    assert len(found) == 2


def test_only_a_write_of_an_issue_s_fields_counts_as_a_landing() -> None:
    assert Call("PUT", "/rest/api/3/issue/SUP-1", 204, 1.0, ("customfield_1",)).issue == "SUP-1"
    assert Call("POST", "/rest/api/3/issue/SUP-1/comment", 201, 1.0, ()).issue is None
    assert Call("GET", "/rest/api/3/field", 200, 1.0, ()).label == "GET /rest/api/3/field"
    assert Call("PUT", "/rest/api/3/issue/SUP-12", 204, 1.0, ()).label == "PUT /issue/{key}"
