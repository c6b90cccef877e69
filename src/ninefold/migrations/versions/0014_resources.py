"""Resources whose capacity is forecast

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("limit", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("season", sa.String(length=32), nullable=False),
        sa.Column("history", sa.String(length=32), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=True),
        sa.Column("file", sa.String(length=500), nullable=True),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("name", name=op.f("uq_resources_name")),
    )


def downgrade() -> None:
    op.drop_table("resources")
