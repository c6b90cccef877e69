"""Changes, their commits, the environments they go to, and where webhooks come from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ninefold.db import Base, Managed, UTCDateTime


class Environment(Managed, Base):
    __tablename__ = "environments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    production: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")


class ChangeIntegration(Managed, Base):
    """A source of change webhooks (GitHub, GitLab, Argo CD); its key is in the URL."""

    __tablename__ = "change_integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str | None] = mapped_column(String(64))
    secret_env: Mapped[str] = mapped_column(String(100))
    ignored: Mapped[int] = mapped_column(Integer, default=0)
    """Deliveries of event types Ninefold does not record, counted."""


class Freeze(Managed, Base):
    __tablename__ = "freezes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    starts: Mapped[datetime] = mapped_column(UTCDateTime())
    ends: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    teams: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_service_finished", "service", "finished_at"),
        Index("ix_changes_finished", "finished_at"),
        # What undid a deploy, and what fixed it, are looked up from the deploy: without these
        # a lookup (and a deletion, through ON DELETE SET NULL) reads the whole table.
        Index("ix_changes_undoes", "undoes_id"),
        Index("ix_changes_fixes_deploy", "fixes_deploy_id"),
        Index("ix_changes_reverts", "reverts_id"),
        Index("ix_changes_hotfix_of", "hotfix_of_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    environment: Mapped[str] = mapped_column(String(64))
    production: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    rollback: Mapped[bool] = mapped_column(Boolean, default=False)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id", ondelete="SET NULL"))
    hotfix: Mapped[bool] = mapped_column(Boolean, default=False)
    hotfix_of_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id", ondelete="SET NULL"))
    fixes_incident: Mapped[int | None] = mapped_column(Integer)
    caused_incident: Mapped[int | None] = mapped_column(Integer)
    freeze: Mapped[str | None] = mapped_column(Text)
    """The freeze window it was recorded in, with its reason; None outside any."""
    source: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    commit_count: Mapped[int] = mapped_column(Integer, default=0)
    # What the service's chain of production deploys made of it (`chain.decide`), kept so
    # that the DORA queries read it instead of replaying every service's history.
    role: Mapped[str | None] = mapped_column(String(16))
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id", ondelete="SET NULL"))
    fixes_deploy_id: Mapped[int | None] = mapped_column(
        ForeignKey("changes.id", ondelete="SET NULL")
    )

    commits: Mapped[list[ChangeCommit]] = relationship(
        cascade="all, delete-orphan", order_by="ChangeCommit.position", lazy="selectin"
    )


class ChangeCommit(Base):
    __tablename__ = "change_commits"
    __table_args__ = (Index("ix_change_commits_change", "change_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    sha: Mapped[str] = mapped_column(String(64))
    authored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
