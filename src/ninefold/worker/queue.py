"""Enqueue, claim and settle jobs: the durable half of the worker.

Claims work the same on both databases: one UPDATE marks a batch of due jobs with the
claimer's token. On PostgreSQL the batch is picked with FOR UPDATE SKIP LOCKED, so two workers
never pick the same row and neither waits on the other; SQLite has one writer at a time, which
makes the same UPDATE atomic there.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from ninefold.db import insert_new
from ninefold.worker.tables import Job

DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
FIRST_RETRY = timedelta(seconds=15)
LAST_RETRY = timedelta(minutes=15)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    token: str


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    *,
    now: datetime,
    dedup_key: str | None = None,
    max_attempts: int = 10,
) -> bool:
    """Add a job, made at `now`, in the caller's transaction; False when a job with
    `dedup_key` exists."""
    values = {
        "kind": kind,
        "payload": payload,
        "due_at": due_at,
        "created_at": now,
        "max_attempts": max_attempts,
        "dedup_key": dedup_key,
    }
    if dedup_key is None:
        session.add(Job(**values))
        session.flush()
        return True
    return insert_new(session, Job, values, ["dedup_key"])


EPOCH = datetime(2000, 1, 3, tzinfo=UTC)
"""Where periodic slots are counted from: a Monday at midnight UTC, so that daily and weekly
slots start at midnight."""


def slot_start(now: datetime, every: timedelta) -> datetime:
    """The start of the slot of length `every` that holds `now`."""
    return EPOCH + ((now - EPOCH) // every) * every


def schedule(session: Session, kind: str, due_at: datetime, *, now: datetime) -> bool:
    """A periodic job's run at `due_at`, once however many workers ask: named by its kind and
    slot, it is tried once (the next slot is the retry)."""
    return enqueue(
        session, kind, {}, due_at, now=now, dedup_key=f"{kind}@{due_at.isoformat()}", max_attempts=1
    )


def cancel(session: Session, dedup_keys: list[str], now: datetime) -> int:
    """Cancel pending jobs by key (an acknowledged alert's next escalation step)."""
    if not dedup_keys:
        return 0
    result = session.execute(
        update(Job)
        .where(Job.dedup_key.in_(dedup_keys), Job.finished_at.is_(None))
        .values(finished_at=now, outcome=CANCELLED, locked_by=None, locked_until=None)
    )
    return int(getattr(result, "rowcount", 0))


def claim(
    session: Session,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    first: Collection[str] = (),
    only: Collection[str] | None = None,
) -> list[Claimed]:
    """Claim up to `limit` due jobs (of the kinds in `only`, when given), those of the kinds in
    `first` before the others, then the longest due first."""
    token = f"{worker}:{uuid4().hex}"
    order = (
        (case((Job.kind.in_(first), 0), else_=1), Job.due_at, Job.id)
        if first
        else (Job.due_at, Job.id)
    )
    conditions = [
        Job.finished_at.is_(None),
        Job.due_at <= now,
        or_(Job.locked_until.is_(None), Job.locked_until < now),
    ]
    if only is not None:
        conditions.append(Job.kind.in_(only))
    due = (
        select(Job.id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(Job)
        .where(Job.id.in_(due.scalar_subquery()))
        .values(locked_by=token, locked_until=now + lease, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(Job.id, Job.kind, Job.payload, Job.attempts)
        .where(Job.locked_by == token)
        .order_by(*order)
    )
    return [Claimed(row.id, row.kind, dict(row.payload), row.attempts, token) for row in rows]


def finish(session: Session, job: Claimed, now: datetime) -> bool:
    """Mark a job done, in the same transaction as its work; False if its lease was lost.

    The caller rolls back when this is False: another worker has taken the job over after the
    lease ran out, and the work must happen once.
    """
    result = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == job.token, Job.finished_at.is_(None))
        .values(finished_at=now, outcome=DONE, locked_by=None, locked_until=None)
    )
    return bool(getattr(result, "rowcount", 0))


def renew(session: Session, job: Claimed, now: datetime, lease: timedelta) -> bool:
    """Extend a job's lease; False when another worker has taken it over.

    A handler calls this (through `JobContext.keep_lease`) right before an effect it cannot
    take back, such as sending a message, in the transaction that records the attempt: a
    worker whose lease ran out while the job waited in its batch then does not act on it.
    """
    result = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == job.token, Job.finished_at.is_(None))
        .values(locked_until=now + lease)
    )
    return bool(getattr(result, "rowcount", 0))


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff: 15 s, 30 s, 1 min, ... capped at 15 minutes."""
    return min(FIRST_RETRY * (1 << min(max(attempt - 1, 0), 20)), LAST_RETRY)


def fail(
    session: Session, job: Claimed, now: datetime, error: str, delay: timedelta | None = None
) -> bool:
    """Record a failed attempt: due again after a backoff, or failed for good. True if final."""
    row = session.get(Job, job.id)
    if row is None or row.locked_by != job.token:
        return False
    final = row.attempts >= row.max_attempts
    row.last_error = error[:2000]
    row.locked_by = None
    row.locked_until = None
    if final:
        row.finished_at, row.outcome = now, FAILED
    else:
        row.due_at = now + (delay if delay is not None else retry_delay(row.attempts))
    return final
