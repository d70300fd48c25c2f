"""A stateful ServiceNow instance (Table API, business-rule deliveries) on loopback:
`ServiceNowSimulator`; as a process, `python -m simulators.servicenow`."""

from simulators.servicenow.simulator import ServiceNowSimulator

__all__ = ["ServiceNowSimulator"]
