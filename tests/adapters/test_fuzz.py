"""Every registered platform's adapter, fed what hypothesis makes of its real payloads and of any JSON:
it returns TicketEvents that can be stored, or refuses with a 4xx reason; nothing else escapes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from adapters.base import Headers, InboundRequest, RoleRules
from adapters.errors import AdapterError
from connector.platforms import platforms

HERE = Path(__file__).parent
PLATFORMS = sorted(platforms())


def real_payloads(platform: str) -> list[dict[str, Any]]:
    """The platform's own fixtures: tests/adapters/<platform>/fixtures/payloads/*.json."""
    folder = HERE / platform / "fixtures" / "payloads"
    return [json.loads(path.read_bytes()) for path in sorted(folder.glob("*.json"))]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["", "9999-12-31T23:59:59.999-1400", "0000-01-01", "\ud800", "jira:issue_updated", "-1"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths_of(child, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return result


def outcome(platform: str, body: bytes) -> None:
    """Parse must return storable events, or refuse with an AdapterError (4xx) or a ValidationError
    (the intake's 400 for values an event cannot hold)."""
    adapter = platforms()[platform].adapter
    request = InboundRequest(headers=Headers({"Content-Type": "application/json"}), body=body)
    try:
        result = adapter.parse(request, "fuzz", RoleRules(customer_domains=frozenset({"example.com"})))
    except AdapterError as exc:
        assert 400 <= exc.status < 500
        return
    except ValidationError:
        return
    for event in result.events:
        json.loads(event.to_json())  # can be stored
        assert event.site == "fuzz" and event.platform == platform


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_a_real_payload_with_any_value_anywhere(platform: str, data: st.DataObject) -> None:
    payloads = real_payloads(platform)
    assert payloads, f"no fixtures for {platform} in tests/adapters/{platform}/fixtures/payloads"
    payload = data.draw(st.sampled_from(payloads))
    path = data.draw(st.sampled_from(paths_of(payload)))
    mutated = replaced(payload, path, data.draw(values))
    outcome(platform, json.dumps(mutated).encode())


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=st.one_of(st.binary(max_size=300), values.map(lambda v: json.dumps(v).encode())))
def test_any_body_at_all(platform: str, body: bytes) -> None:
    outcome(platform, body)
