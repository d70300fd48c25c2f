"""The answer pages' rate limits hold across web processes: the counters are in the database, so two
apps on two connections (as two gunicorn processes, or two machines on one PostgreSQL) share them."""

from __future__ import annotations

from datetime import timedelta

from connector.app import create_app
from connector.settings import parse_settings
from connector.store import Store
from connector.store.models import SurveySend, utcnow
from connector.surveys.tokens import Tokens
from tests.surveys.conftest import SURVEY_SECRET, FakeClock

SETTINGS = f"""
survey_pages: {{secret: {SURVEY_SECRET}, per_token_per_minute: 5, per_address_per_minute: 8}}
sites:
  jira:
    platform: jira
    url: https://example.atlassian.net
    auth: {{email: bot@example.com, api_token: token-1234567890}}
    webhook: {{secret: s3cret-s3cret-s3cret}}
surveys:
  - {{name: csat, kind: csat}}
"""


def a_sent_survey(store: Store) -> int:
    now = utcnow()
    with store.session() as session:
        send = SurveySend(
            survey="csat",
            kind="csat",
            channel="comment",
            platform="jira",
            site="jira",
            ticket_key="SUP-1",
            trigger="e1",
            state="sent",
            scale_min=1,
            scale_max=5,
            scheduled_for=now,
            sent_at=now,
            expires_at=now + timedelta(days=7),
            reminders_sent=0,
            answers=0,
        )
        session.add(send)
        session.flush()
        return send.id


def test_the_limits_are_shared_by_every_web_process(store: Store, store_url: str) -> None:
    settings = parse_settings(SETTINGS, env={})
    clock = FakeClock()
    send_id = a_sent_survey(store)
    tokens = Tokens(SURVEY_SECRET)
    first = tokens.make(send_id, clock() + timedelta(days=7))
    second = tokens.make(send_id, clock() + timedelta(days=6))  # another link, its own count
    assert first != second
    other_store = Store(store_url)  # a second process's own connections
    apps = [
        create_app(settings, store, clock).test_client(),
        create_app(settings, other_store, clock).test_client(),
    ]
    statuses = [apps[n % 2].get(f"/s/{first}?r=3").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # 5 per link and minute, whichever process answers
    limited = apps[0].get(f"/s/{first}")
    assert limited.headers["Retry-After"].isdigit() and 'data-problem="limited"' in limited.get_data(
        as_text=True
    )
    # Per address: 8 a minute over every link; this client has made 8 already.
    assert [apps[1].get(f"/s/{second}").status_code for _ in range(2)] == [429, 429]
    clock.advance(timedelta(minutes=1))  # a new window
    assert apps[0].get(f"/s/{first}").status_code == 200
    other_store.dispose()
