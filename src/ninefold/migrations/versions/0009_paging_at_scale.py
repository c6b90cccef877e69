"""Paging at scale: storm folds, shadow on-call, worker heartbeats

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 03:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("started_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", ninefold.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_storms_group_id_alert_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storms")),
        sa.UniqueConstraint("group_id", name=op.f("uq_storms_group_id")),
    )
    with op.batch_alter_table("storms", schema=None) as batch_op:
        batch_op.create_index("ix_storms_route_ended", ["route", "ended_at"], unique=False)

    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fold", sa.JSON(), nullable=True))

    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("storm_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_escalations_storm_id"), ["storm_id"], unique=False)
        batch_op.create_index("ix_escalations_route_started", ["route", "started_at"], unique=False)

    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shadow", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("acknowledged_at", ninefold.db.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("schedule_overrides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shadow", sa.String(length=64), nullable=True))

    op.create_table(
        "workers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("jobs_run", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_workers")),
    )
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workers_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_seen_at"))
    op.drop_table("workers")
    with op.batch_alter_table("schedule_overrides", schema=None) as batch_op:
        batch_op.drop_column("shadow")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("shadow")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_route_started")
        batch_op.drop_index(batch_op.f("ix_escalations_storm_id"))
        batch_op.drop_column("storm_id")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("fold")
    with op.batch_alter_table("storms", schema=None) as batch_op:
        batch_op.drop_index("ix_storms_route_ended")
    op.drop_table("storms")
