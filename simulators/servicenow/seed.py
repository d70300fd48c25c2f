"""What a new simulated instance holds: the connector's user, an agent, customers, a service desk group.

| user_name | password | roles | groups |
|---|---|---|---|
| ela.connector | ela-connector-password (`ela-oauth-token`) | itil, sn_customerservice_agent, admin | |
| alex.agent | alex-agent-password | itil | Service Desk |
| sam.support | sam-support-password | (none) | Service Desk |
| casey.customer | casey-customer-password | (none) | |
| robin.customer | robin-customer-password | (none) | |
"""

from __future__ import annotations

from simulators.servicenow.state import Instance

CONNECTOR = "ela.connector"
CONNECTOR_PASSWORD = "ela-connector-password"
CONNECTOR_TOKEN = "ela-oauth-token"
AGENT, CUSTOMER, OTHER_CUSTOMER, GROUP_MEMBER = (
    "alex.agent",
    "casey.customer",
    "robin.customer",
    "sam.support",
)
GROUP = "Service Desk"
SEEDS = ("demo", "none")


def seed(instance: Instance, name: str = "demo") -> None:
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    with instance.lock:
        instance.add_user(
            CONNECTOR,
            "ELA Connector",
            "ela-connector@example.com",
            roles=("itil", "sn_customerservice_agent", "admin"),
            password=CONNECTOR_PASSWORD,
            time_zone="America/Los_Angeles",
        )
        instance.tokens[CONNECTOR_TOKEN] = CONNECTOR
        if name == "none":
            return
        instance.group(GROUP)
        instance.add_user(
            AGENT,
            "Alex Agent",
            "alex.agent@example.com",
            roles=("itil",),
            groups=(GROUP,),
            password="alex-agent-password",
        )
        instance.add_user(
            GROUP_MEMBER,
            "Sam Support",
            "sam.support@example.com",
            groups=(GROUP,),
            password="sam-support-password",
        )
        instance.add_user(
            CUSTOMER, "Casey Customer", "casey@customer.example", password="casey-customer-password"
        )
        instance.add_user(
            OTHER_CUSTOMER, "Robin Customer", "robin@customer.example", password="robin-customer-password"
        )
