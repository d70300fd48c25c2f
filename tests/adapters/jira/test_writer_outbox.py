"""What the outbox asks of the Jira writer beyond fields, against the stateful Jira simulator over real
HTTP: finding a comment again after an unknown outcome, changing labels without touching the agents'
own, and multi-select values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.errors import PermanentWriteError
from adapters.jira.writer import JiraTarget, JiraWriter
from simulators.jira.simulator import JiraSimulator
from simulators.jira.testing import default_openapi_spec, running_simulator

CUSTOMER = "casey@customer.example"
AGENT = "alex.agent@example.com"


@pytest.fixture
def sim() -> Iterator[JiraSimulator]:
    with running_simulator(default_openapi_spec()) as simulator:
        yield simulator
        assert [str(v) for v in simulator.violations] == []


def writer(sim: JiraSimulator, **fields: str) -> JiraWriter:
    return JiraWriter(
        JiraTarget(
            url=sim.base_url, email="ela-connector@example.com", api_token="ela-admin-token", fields=fields
        )
    )


def test_a_posted_comment_is_found_again_and_only_once(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "VPN", reporter=CUSTOMER)
    jira = writer(sim)
    started = datetime.now(UTC)
    sim.add_comment(key, "Thanks, looking into it.", author=AGENT)  # same words, but an agent's
    assert jira.find_comment(key, "Thanks, looking into it.", since=started) is None
    first = jira.add_comment(key, "Thanks, looking into it.", public=True)
    second = jira.add_comment(key, "Thanks,   looking into it.", public=False)
    assert jira.find_comment(key, "Thanks, looking into it.", since=started) == second  # newest first
    # Each posted comment is matched to one outbox action: the others' are excluded.
    assert jira.find_comment(key, "Thanks, looking into it.", since=started, exclude=[second]) == first
    assert jira.find_comment(key, "Thanks, looking into it.", since=started, exclude=[first, second]) is None
    # A comment from before the first attempt is not this attempt's.
    later = datetime.now(UTC) + timedelta(hours=1)
    assert jira.find_comment(key, "Thanks, looking into it.", since=later) is None


def test_labels_are_added_and_removed_leaving_the_agents_own(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "VPN", reporter=CUSTOMER, fields={"labels": ["vip"]})
    jira = writer(sim)
    jira.change_labels(key, add=["ela-at-risk"])
    jira.change_labels(key, add=["ela-at-risk"])  # again: no change
    assert sorted(sim.issue(key).fields["labels"]) == ["ela-at-risk", "vip"]
    jira.change_labels(key, add=["ela-breached"], remove=["ela-at-risk"])
    assert sorted(sim.issue(key).fields["labels"]) == ["ela-breached", "vip"]
    with pytest.raises(PermanentWriteError, match="not Jira labels"):
        jira.change_labels(key, add=["two words"])


def test_a_multi_select_is_written_and_read_back(sim: JiraSimulator) -> None:
    field = sim.create_custom_field("Feedback themes", "multiselect", options=["Speed", "Tone", "Outcome"])
    key = sim.create_issue("SUP", "VPN", reporter=CUSTOMER)
    jira = writer(sim, themes="Feedback themes")
    jira.write_fields(key, {"themes": ["Speed", "Tone"]})
    assert [o["value"] for o in sim.issue(key).fields[field.id]] == ["Speed", "Tone"]
    assert jira.read_fields(key, ["themes"]) == {"themes": ["Speed", "Tone"]}
    jira.write_fields(key, {"themes": None})
    assert jira.read_fields(key, ["themes"]) == {"themes": []}
    with pytest.raises(PermanentWriteError, match="a multi-select takes a list"):
        jira.write_fields(key, {"themes": "Speed"})


def test_the_priority_is_set_by_name(sim: JiraSimulator) -> None:
    key = sim.create_issue("SUP", "VPN", reporter=CUSTOMER)
    jira = writer(sim)
    jira.set_priority(key, "Highest")
    assert sim.issue(key).fields["priority"]["name"] == "Highest"
    with pytest.raises(PermanentWriteError, match="Jira answered 400"):
        jira.set_priority(key, "Apocalyptic")
