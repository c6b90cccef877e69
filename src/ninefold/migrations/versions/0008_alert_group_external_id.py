"""Alert groups: the id of a group imported from another tool

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 23:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_alert_groups_external_id"), ["external_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_alert_groups_external_id"), type_="unique")
        batch_op.drop_column("external_id")
