"""The demo site: a service account for the connector, two agents, two portal customers, JSM's
automation app user, an IT service desk and a software project.

Credentials are fixed so the demo, the tests and people trying it by hand can all log in the same way.
They are loopback-only stand-ins, not secrets.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.jira.state import JiraState


@dataclass(frozen=True)
class SeedUser:
    display_name: str
    email: str
    api_token: str | None
    account_type: str = "atlassian"
    admin: bool = False
    pat: str | None = None


DEMO_USERS: dict[str, SeedUser] = {
    "admin": SeedUser(
        "ELA Connector", "ela-connector@example.com", "ela-admin-token", admin=True, pat="ela-admin-pat"
    ),
    "agent": SeedUser("Alex Agent", "alex.agent@example.com", "alex-agent-token"),
    "agent2": SeedUser("Sam Support", "sam.support@example.com", "sam-support-token"),
    "customer": SeedUser("Casey Customer", "casey@customer.example", "casey-customer-token", "customer"),
    "customer2": SeedUser("Robin Requester", "robin@customer.example", "robin-customer-token", "customer"),
    "automation": SeedUser(
        "Automation for Jira", "automation@connect.atlassian.example", None, "app", admin=True
    ),
}
SERVICE_DESK_KEY = "SUP"
SOFTWARE_KEY = "DEV"
REQUEST_TYPES = (
    ("Get IT help", "Get assistance for general IT problems and questions."),
    ("Report a system problem", "Let us know if something isn't working properly."),
    ("Request new hardware", "Request a laptop, phone or other hardware."),
)
SEEDS = ("demo", "none")


def seed(state: JiraState, name: str) -> None:
    if name == "none":
        return
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    ids = {}
    for key, user in DEMO_USERS.items():
        created = state.add_user(
            user.display_name,
            user.email,
            account_type=user.account_type,
            admin=user.admin,
            api_token=user.api_token,
            pat=user.pat,
        )
        ids[key] = created.account_id
    state.create_project(
        SERVICE_DESK_KEY,
        "IT Support",
        project_type="service_desk",
        lead=ids["agent"],
        request_types=REQUEST_TYPES,
        admins=[ids["admin"]],
    )
    state.create_project(
        SOFTWARE_KEY,
        "Development",
        project_type="software",
        lead=ids["agent"],
        request_types=(),
        admins=[ids["admin"]],
    )
