"""poll cursors

Pull mode: per polled site, where its next poll starts, leased so that one worker polls it at a time,
with the counts `ela status` and /metrics show.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "poll_cursors",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("failed_polls", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_cursors")),
        sa.UniqueConstraint("platform", "site", name="uq_poll_cursors_site"),
    )
    with op.batch_alter_table("poll_cursors", schema=None) as batch_op:
        batch_op.create_index("ix_poll_cursors_due", ["state", "due_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_cursors", schema=None) as batch_op:
        batch_op.drop_index("ix_poll_cursors_due")
    op.drop_table("poll_cursors")
