"""The risk register and its reviews

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("review_every", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
        sa.UniqueConstraint("name", name=op.f("uq_risks_name")),
    )
    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
            name=op.f("fk_risk_reviews_risk_id_risks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reviews")),
    )
    op.create_index("ix_risk_reviews_risk_day", "risk_reviews", ["risk_id", "reviewed_on"])


def downgrade() -> None:
    op.drop_index("ix_risk_reviews_risk_day", table_name="risk_reviews")
    op.drop_table("risk_reviews")
    op.drop_table("risks")
