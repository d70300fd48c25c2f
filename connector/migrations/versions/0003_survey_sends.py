"""survey sends and rate counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "survey_sends",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("survey", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("relationship", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ticket_key", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("requester_key", sa.String(length=320), nullable=True),
        sa.Column("requester_id", sa.String(length=200), nullable=True),
        sa.Column("requester_name", sa.String(length=200), nullable=True),
        sa.Column("requester_email", sa.String(length=320), nullable=True),
        sa.Column("locale", sa.String(length=20), nullable=True),
        sa.Column("assignee_id", sa.String(length=200), nullable=True),
        sa.Column("assignee_name", sa.String(length=200), nullable=True),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("scheduled_for", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.String(length=12), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_sends")),
        sa.UniqueConstraint("survey", "platform", "site", "trigger", name="uq_survey_sends_trigger"),
    )
    with op.batch_alter_table("survey_sends", schema=None) as batch_op:
        batch_op.create_index("ix_survey_sends_ticket", ["platform", "site", "ticket_key"], unique=False)
        batch_op.create_index("ix_survey_sends_requester", ["requester_key", "sent_at"], unique=False)
        batch_op.create_index("ix_survey_sends_state", ["state", "survey"], unique=False)

    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "minute", name=op.f("pk_rate_counters")),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
    with op.batch_alter_table("survey_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_sends_state")
        batch_op.drop_index("ix_survey_sends_requester")
        batch_op.drop_index("ix_survey_sends_ticket")
    op.drop_table("survey_sends")
