"""What the connector knows of each site's state: when a platform told us to slow down."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from connector.store.models import SitePause, utcnow


def pause_site(session: Session, site: str, until: datetime, reason: str) -> None:
    pause = session.get(SitePause, site)
    if pause is None:
        session.add(SitePause(site=site, until=until, reason=reason))
    elif pause.until < until:
        pause.until = until
        pause.reason = reason


def paused_until(session: Session, site: str) -> datetime | None:
    pause = session.get(SitePause, site)
    return pause.until if pause is not None and pause.until > utcnow() else None
