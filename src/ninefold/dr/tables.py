"""DR tests and the tier policies they are judged by. A test's tier and targets are kept as
they were when it ran: a later policy does not rejudge the past."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class DrTier(Managed, Base):
    __tablename__ = "dr_tiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16), unique=True)
    tier: Mapped[int] = mapped_column(Integer)
    rto: Mapped[str] = mapped_column(String(32))
    rpo: Mapped[str] = mapped_column(String(32))
    test_every: Mapped[str | None] = mapped_column(String(32))


class DrTest(Base):
    __tablename__ = "dr_tests"
    __table_args__ = (Index("ix_dr_tests_ran_on", "ran_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(16))
    services: Mapped[list[str]] = mapped_column(JSON)
    tier: Mapped[int] = mapped_column(Integer)
    ran_on: Mapped[date] = mapped_column(Date)
    rto_target_s: Mapped[int] = mapped_column(Integer)
    rpo_target_s: Mapped[int] = mapped_column(Integer)
    rto_measured_s: Mapped[int] = mapped_column(Integer)
    rpo_measured_s: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DrFollowUp(Base):
    """An action item (incidents' table) a DR test left; the item itself has no incident."""

    __tablename__ = "dr_follow_ups"

    dr_test_id: Mapped[int] = mapped_column(
        ForeignKey("dr_tests.id", ondelete="CASCADE"), primary_key=True
    )
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True
    )
