"""lanes, due work and the outbox

Workers lease per-ticket lanes instead of single events and write-backs; the write-back queue becomes
an outbox of ordered actions (fields, comments, labels); due work gets its table. Pending events get
their lanes, and every write-back row becomes a `fields` action, so nothing waiting is lost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lanes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("queue", sa.String(length=12), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ticket_key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lanes")),
        sa.UniqueConstraint("queue", "platform", "site", "ticket_key", name="uq_lanes_ticket"),
    )
    with op.batch_alter_table("lanes", schema=None) as batch_op:
        batch_op.create_index("ix_lanes_due", ["queue", "state", "due_at", "id"], unique=False)

    op.create_table(
        "due_work",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=True),
        sa.Column("site", sa.String(length=64), nullable=True),
        sa.Column("ticket_key", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_work")),
    )
    with op.batch_alter_table("due_work", schema=None) as batch_op:
        batch_op.create_index("ix_due_work_due", ["state", "due_at", "id"], unique=False)
        batch_op.create_index(
            "uq_due_work_pending_key",
            ["kind", "key"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index("ix_due_work_ticket", ["platform", "site", "ticket_key"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ticket_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "uq_outbox_one_pending_fields",
            ["platform", "site", "ticket_key"],
            unique=True,
            sqlite_where=sa.text("kind = 'fields' AND state = 'pending'"),
            postgresql_where=sa.text("kind = 'fields' AND state = 'pending'"),
        )
        batch_op.create_index(
            "ix_outbox_lane", ["platform", "site", "ticket_key", "state", "id"], unique=False
        )
        batch_op.create_index("ix_outbox_key", ["platform", "site", "key"], unique=True)
        batch_op.create_index("ix_outbox_state", ["state", "updated_at"], unique=False)

    # What was waiting: each ticket with pending events gets its lane, due when its first event was.
    op.execute(
        "INSERT INTO lanes (queue, platform, site, ticket_key, state, due_at) "
        "SELECT 'events', platform, site, ticket_key, 'ready', MIN(next_attempt_at) FROM events "
        "WHERE state = 'pending' GROUP BY platform, site, ticket_key"
    )
    # Every write-back becomes a fields action; one in flight has an unknown outcome (`sending`).
    op.execute(
        "INSERT INTO outbox (platform, site, ticket_key, kind, key, payload, state, attempts, due_at, "
        "last_error, created_at, updated_at, first_sent_at) "
        "SELECT platform, site, ticket_key, 'fields', 'fields:writeback-' || CAST(id AS VARCHAR(20)), "
        "'{\"values\": ' || fields || '}', "
        "CASE state WHEN 'in_flight' THEN 'sending' ELSE state END, attempts, due_at, last_error, "
        "created_at, updated_at, sent_at FROM writebacks ORDER BY id"
    )
    op.execute(
        "INSERT INTO lanes (queue, platform, site, ticket_key, state, due_at) "
        "SELECT 'outbox', platform, site, ticket_key, 'ready', MIN(due_at) FROM outbox "
        "WHERE state IN ('pending', 'sending') GROUP BY platform, site, ticket_key"
    )

    with op.batch_alter_table("writebacks", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_writebacks_one_pending",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_writebacks_due")
    op.drop_table("writebacks")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_due")
        batch_op.drop_index("ix_events_ticket")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("claimed_until")
        batch_op.create_index(
            "ix_events_lane", ["platform", "site", "ticket_key", "state", "id"], unique=False
        )
        batch_op.create_index("ix_events_state", ["state", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_state")
        batch_op.drop_index("ix_events_lane")
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column(
                "next_attempt_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("CURRENT_TIMESTAMP"),
            )
        )
        batch_op.create_index("ix_events_ticket", ["site", "ticket_key", "id"], unique=False)
        batch_op.create_index("ix_events_due", ["state", "next_attempt_at", "id"], unique=False)
    op.create_table(
        "writebacks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ticket_key", sa.String(length=100), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writebacks")),
    )
    with op.batch_alter_table("writebacks", schema=None) as batch_op:
        batch_op.create_index("ix_writebacks_due", ["state", "due_at"], unique=False)
        batch_op.create_index(
            "uq_writebacks_one_pending",
            ["platform", "site", "ticket_key"],
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
    op.drop_table("outbox")
    op.drop_table("due_work")
    op.drop_table("lanes")
