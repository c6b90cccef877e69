"""release gate decisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:17:13.960073
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gate_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("exception", sa.String(length=64), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_decisions")),
    )
    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gate_decisions_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_gate_decisions_service"), ["service"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gate_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_decisions_service"))
        batch_op.drop_index(batch_op.f("ix_gate_decisions_at"))

    op.drop_table("gate_decisions")
