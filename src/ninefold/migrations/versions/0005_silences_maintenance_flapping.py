"""Silences, maintenance windows, what holds an escalation back; flapping flag and change index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("starts_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
    )
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_silences_ends_at"), ["ends_at"], unique=False)

    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("starts_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("at_end", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_windows")),
    )
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_maintenance_windows_service_end", ["service", "ends_at"], unique=False
        )

    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_by", sa.String(length=32), nullable=True))

    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_deliveries_changes",
            ["integration_id", "fingerprint", "received_at"],
            unique=False,
        )

    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flapping", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("flapping_since", ninefold.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.drop_column("flapping_since")
        batch_op.drop_column("flapping")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_changes")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_column("held_by")

    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_windows_service_end")
    op.drop_table("maintenance_windows")
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_silences_ends_at"))
    op.drop_table("silences")
