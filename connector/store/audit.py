"""The audit log: what the connector did, when, and why."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from connector.store.models import AuditEntry


def audit(
    session: Session, site: str | None, ticket_key: str | None, action: str, detail: dict[str, Any]
) -> None:
    session.add(
        AuditEntry(site=site, ticket_key=ticket_key, action=action, detail=json.dumps(detail, default=str))
    )
