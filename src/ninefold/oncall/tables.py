"""Schedules (their layers as the spec wrote them) and the overrides made on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class Schedule(Managed, Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str | None] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The layers as `LayerSpec` dumps: read whole, never queried into.
    layers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Bumped by every override write before it checks for overlaps: the row lock (PostgreSQL)
    # or the write lock (SQLite) it takes makes concurrent override writes take turns.
    override_version: Mapped[int] = mapped_column(Integer, default=0)


class ScheduleOverride(Base):
    __tablename__ = "schedule_overrides"
    __table_args__ = (Index("ix_schedule_overrides_schedule_end", "schedule_id", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    person: Mapped[str] = mapped_column(String(64))
    replaces: Mapped[str | None] = mapped_column(String(64))
    # Someone learning on-call who shadows the override's shifts (paged with them, marked so).
    shadow: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
