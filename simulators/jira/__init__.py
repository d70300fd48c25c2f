"""A stateful Jira Cloud (with Jira Service Management) on loopback: `JiraSimulator`; as a process,
`python -m simulators.jira`."""

from simulators.jira.simulator import JiraSimulator

__all__ = ["JiraSimulator"]
