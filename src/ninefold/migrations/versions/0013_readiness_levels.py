"""The production readiness rubric's levels

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "readiness_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("required_for_tiers", sa.JSON(), nullable=False),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_levels")),
        sa.UniqueConstraint("name", name=op.f("uq_readiness_levels_name")),
    )


def downgrade() -> None:
    op.drop_table("readiness_levels")
