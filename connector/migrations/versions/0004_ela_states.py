"""ELA: each policy's state on each ticket, its changes with their reasons, the ticket's verdict

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def _ticket_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ticket_pk"], ["tickets.id"], name=op.f(f"fk_{table}_ticket_pk_tickets"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "ela_states",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_pk", ID, nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("ticket_key", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("at_risk_at", WHEN, nullable=True),
        sa.Column("due_at", WHEN, nullable=True),
        sa.Column("breached_at", WHEN, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("at_risk_escalation", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _ticket_fk("ela_states"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ela_states")),
        sa.UniqueConstraint("ticket_pk", "policy", name="uq_ela_states_policy"),
    )
    with op.batch_alter_table("ela_states", schema=None) as batch_op:
        batch_op.create_index("ix_ela_states_ticket", ["platform", "site", "ticket_key"], unique=False)
        batch_op.create_index("ix_ela_states_report", ["policy", "status", "decided_at"], unique=False)

    op.create_table(
        "ela_changes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("ticket_pk", ID, nullable=False),
        sa.Column("policy", sa.String(length=40), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        _ticket_fk("ela_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ela_changes")),
    )
    with op.batch_alter_table("ela_changes", schema=None) as batch_op:
        batch_op.create_index("ix_ela_changes_ticket", ["ticket_pk", "at"], unique=False)

    op.create_table(
        "ela_tickets",
        sa.Column("ticket_pk", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("due_at", WHEN, nullable=True),
        sa.Column("resolved", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("sla", sa.String(length=10), nullable=True),
        sa.Column("quadrant", sa.String(length=16), nullable=True),
        sa.Column("written", sa.Text(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _ticket_fk("ela_tickets"),
        sa.PrimaryKeyConstraint("ticket_pk", name=op.f("pk_ela_tickets")),
    )
    with op.batch_alter_table("ela_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_ela_tickets_quadrant", ["quadrant"], unique=False)
        batch_op.create_index("ix_ela_tickets_resolved", ["resolved", "resolved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ela_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_ela_tickets_resolved")
        batch_op.drop_index("ix_ela_tickets_quadrant")
    op.drop_table("ela_tickets")
    with op.batch_alter_table("ela_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_ela_changes_ticket")
    op.drop_table("ela_changes")
    with op.batch_alter_table("ela_states", schema=None) as batch_op:
        batch_op.drop_index("ix_ela_states_report")
        batch_op.drop_index("ix_ela_states_ticket")
    op.drop_table("ela_states")
