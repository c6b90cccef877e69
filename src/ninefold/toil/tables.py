"""Toil logged by people, the automations that remove it, and their runs. Teams and people
are named, checked when written (the catalog's and the accounts' rows stay theirs)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class ToilEntry(Base):
    __tablename__ = "toil_entries"
    __table_args__ = (Index("ix_toil_entries_team_day", "team", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task: Mapped[str] = mapped_column(String(500))
    minutes: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[str] = mapped_column(String(64))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Automation(Managed, Base):
    __tablename__ = "automations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    team: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    hours_saved_per_run: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")


class AutomationRun(Base):
    __tablename__ = "automation_runs"
    __table_args__ = (
        UniqueConstraint("automation_id", "external_id", name="uq_automation_runs_external"),
        Index("ix_automation_runs_ran_at", "ran_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    automation_id: Mapped[int] = mapped_column(ForeignKey("automations.id", ondelete="CASCADE"))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime())
    hours_saved: Mapped[float] = mapped_column(Float)
    """As estimated when it ran: a later estimate does not rewrite the past."""
    external_id: Mapped[str | None] = mapped_column(String(200))
