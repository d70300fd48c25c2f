"""Alembic environment: runs migrations on the engine the Store hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from connector.store.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
