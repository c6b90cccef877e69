"""Changes: environments, freezes, change integrations, changes and commits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:15:24.425103
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ninefold.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("secret_env", sa.String(length=100), nullable=False),
        sa.Column("ignored", sa.Integer(), nullable=False),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_integrations")),
        sa.UniqueConstraint("key", name=op.f("uq_change_integrations_key")),
        sa.UniqueConstraint("name", name=op.f("uq_change_integrations_name")),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("environment", sa.String(length=64), nullable=False),
        sa.Column("production", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("started_at", ninefold.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rollback", sa.Boolean(), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.Column("hotfix", sa.Boolean(), nullable=False),
        sa.Column("hotfix_of_id", sa.Integer(), nullable=True),
        sa.Column("fixes_incident", sa.Integer(), nullable=True),
        sa.Column("caused_incident", sa.Integer(), nullable=True),
        sa.Column("freeze", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("commit_count", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("fixes_deploy_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fixes_deploy_id"],
            ["changes.id"],
            name=op.f("fk_changes_fixes_deploy_id_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hotfix_of_id"],
            ["changes.id"],
            name=op.f("fk_changes_hotfix_of_id_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reverts_id"],
            ["changes.id"],
            name=op.f("fk_changes_reverts_id_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"],
            ["changes.id"],
            name=op.f("fk_changes_undoes_id_changes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("external_id", name=op.f("uq_changes_external_id")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_finished", ["finished_at"], unique=False)
        batch_op.create_index(
            "ix_changes_service_finished", ["service", "finished_at"], unique=False
        )
        batch_op.create_index("ix_changes_undoes", ["undoes_id"], unique=False)
        batch_op.create_index("ix_changes_fixes_deploy", ["fixes_deploy_id"], unique=False)
        batch_op.create_index("ix_changes_reverts", ["reverts_id"], unique=False)
        batch_op.create_index("ix_changes_hotfix_of", ["hotfix_of_id"], unique=False)

    op.create_table(
        "environments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("production", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environments")),
        sa.UniqueConstraint("name", name=op.f("uq_environments_name")),
    )
    op.create_table(
        "freezes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("starts", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("managed_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freezes")),
        sa.UniqueConstraint("name", name=op.f("uq_freezes_name")),
    )
    op.create_table(
        "change_commits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha", sa.String(length=64), nullable=False),
        sa.Column("authored_at", ninefold.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["changes.id"],
            name=op.f("fk_change_commits_change_id_changes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_commits")),
    )
    with op.batch_alter_table("change_commits", schema=None) as batch_op:
        batch_op.create_index("ix_change_commits_change", ["change_id", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_commits", schema=None) as batch_op:
        batch_op.drop_index("ix_change_commits_change")

    op.drop_table("change_commits")
    op.drop_table("freezes")
    op.drop_table("environments")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_hotfix_of")
        batch_op.drop_index("ix_changes_reverts")
        batch_op.drop_index("ix_changes_fixes_deploy")
        batch_op.drop_index("ix_changes_undoes")
        batch_op.drop_index("ix_changes_service_finished")
        batch_op.drop_index("ix_changes_finished")

    op.drop_table("changes")
    op.drop_table("change_integrations")
