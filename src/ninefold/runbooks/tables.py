"""Runbooks, as `ninefold apply` writes them from the configuration directory's `runbooks/`
folder, and the tests recorded against them.

A runbook names its service and team by name, checked when it is written: the catalog's rows
stay the catalog's (`docs/architecture.md`), and `apply` deletes runbooks before the services
they name. A test names the incident it was used in by id, for the same reason: the incidents
domain comes after this one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class Runbook(Managed, Base):
    __tablename__ = "runbooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(64), index=True)
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner: Mapped[str | None] = mapped_column(String(64))
    review_days: Mapped[int] = mapped_column(Integer)
    last_tested: Mapped[date | None] = mapped_column(Date)
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)


class RunbookTest(Base):
    __tablename__ = "runbook_tests"
    __table_args__ = (Index("ix_runbook_tests_runbook", "runbook_id", "tested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runbook_id: Mapped[int] = mapped_column(ForeignKey("runbooks.id", ondelete="CASCADE"))
    tested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
