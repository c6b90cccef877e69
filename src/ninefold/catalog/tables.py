"""Teams, their members, services and the dependency edges between services."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ninefold.auth.tables import User
from ninefold.db import Base, Managed


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class Team(Managed, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    chat_channel: Mapped[str] = mapped_column(String(100), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    """ISO dates, sorted."""

    members: Mapped[list[TeamMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TeamMember.user_id"
    )


class ServiceDependency(Base):
    __tablename__ = "service_dependencies"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )

    depends_on: Mapped[Service] = relationship(foreign_keys=[depends_on_id], lazy="joined")


class Service(Managed, Base):
    __tablename__ = "services"
    __table_args__ = (CheckConstraint("tier >= 0 AND tier <= 3", name="tier_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[int] = mapped_column(Integer)
    owner_team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="RESTRICT"), index=True
    )
    lifecycle: Mapped[str] = mapped_column(String(32), default="production")
    repository: Mapped[str] = mapped_column(String(500), default="")
    runbooks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    dashboards: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    owner: Mapped[Team] = relationship(lazy="joined")
    dependencies: Mapped[list[ServiceDependency]] = relationship(
        foreign_keys=[ServiceDependency.service_id],
        cascade="all, delete-orphan",
        lazy="selectin",
    )
