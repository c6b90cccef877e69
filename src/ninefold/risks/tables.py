"""Risks as declared, and their reviews as they happen (a review is an event, not a
declaration: `ninefold apply` never touches it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class Risk(Managed, Base):
    __tablename__ = "risks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    service: Mapped[str | None] = mapped_column(String(64))
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(64))
    mitigation: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[date | None] = mapped_column(Date)
    review_every: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))


class RiskReview(Base):
    __tablename__ = "risk_reviews"
    __table_args__ = (Index("ix_risk_reviews_risk_day", "risk_id", "reviewed_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id", ondelete="CASCADE"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
