"""The job table: the durable queue every background task goes through.

A job is a row before it is work: whatever enqueues it commits it in the same transaction as
the change that calls for it, so a crash can delay a job but never lose it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, UTCDateTime


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "finished_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # Jobs that must exist once (an escalation step, a heartbeat check) carry a key; a second
    # enqueue with the same key is a no-op.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=10)
    # A claim is a lease: a worker that dies holding one loses it when `locked_until` passes.
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))  # done | failed | cancelled
    last_error: Mapped[str | None] = mapped_column(Text)


class WorkerSeen(Base):
    """Each worker's heartbeat, in the database so that any server's /metrics can tell a
    worker on another machine is alive (or is not)."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    jobs_run: Mapped[int] = mapped_column(Integer, default=0)
