"""DR tier policies, DR tests and their follow-ups

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dr_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("rto", sa.String(length=32), nullable=False),
        sa.Column("rpo", sa.String(length=32), nullable=False),
        sa.Column("test_every", sa.String(length=32), nullable=True),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dr_tiers")),
        sa.UniqueConstraint("name", name=op.f("uq_dr_tiers_name")),
    )
    op.create_table(
        "dr_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("ran_on", sa.Date(), nullable=False),
        sa.Column("rto_target_s", sa.Integer(), nullable=False),
        sa.Column("rpo_target_s", sa.Integer(), nullable=False),
        sa.Column("rto_measured_s", sa.Integer(), nullable=False),
        sa.Column("rpo_measured_s", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dr_tests")),
    )
    op.create_index("ix_dr_tests_ran_on", "dr_tests", ["ran_on"])
    op.create_table(
        "dr_follow_ups",
        sa.Column("dr_test_id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dr_test_id"],
            ["dr_tests.id"],
            name=op.f("fk_dr_follow_ups_dr_test_id_dr_tests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["action_items.id"],
            name=op.f("fk_dr_follow_ups_action_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dr_test_id", "action_item_id", name=op.f("pk_dr_follow_ups")),
    )


def downgrade() -> None:
    op.drop_table("dr_follow_ups")
    op.drop_index("ix_dr_tests_ran_on", table_name="dr_tests")
    op.drop_table("dr_tests")
    op.drop_table("dr_tiers")
