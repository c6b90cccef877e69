"""The job queue and the workers on `/metrics`, read from the database at each scrape.

Nothing comes from the memory of the process that answers: with workers on other machines,
every `serve` process reports the same queue and the same heartbeats (docs/operations.md has
the table of metrics). What each scrape reads is small however long the job history: the
unfinished jobs and those finished in the last hour, through the index on (finished_at,
due_at), and the `workers` table, which holds the workers of the last hour. Jobs failed for
good are counted over the last hour (`FAILED_WINDOW`) rather than since the beginning: a total
would read the whole job table at every scrape (0.3 s for 3 million jobs on PostgreSQL,
measured).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from ninefold import conventions as c
from ninefold.clock import Clock
from ninefold.settings import Settings
from ninefold.worker import heartbeat
from ninefold.worker.queue import FAILED
from ninefold.worker.tables import Job, WorkerSeen

FAILED_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Waiting:
    """A kind's unfinished jobs at one instant: `queued` are due (running ones included),
    `retrying` wait for another attempt after an error, `oldest_due_at` is the longest due."""

    kind: str
    queued: int
    retrying: int
    oldest_due_at: datetime | None

    def oldest_age(self, now: datetime) -> float:
        """Seconds the longest-due job has waited; 0 when none is due."""
        if self.oldest_due_at is None:
            return 0.0
        return max((now - self.oldest_due_at).total_seconds(), 0.0)


def waiting(session: Session, now: datetime) -> list[Waiting]:
    """Every kind with an unfinished job (due or not), by kind."""
    due = Job.due_at <= now
    query = (
        select(
            Job.kind,
            func.sum(case((due, 1), else_=0)),
            func.sum(case((Job.last_error.is_not(None), 1), else_=0)),
            func.min(case((due, Job.due_at))),
        )
        .where(Job.finished_at.is_(None))
        .group_by(Job.kind)
        .order_by(Job.kind)
    )
    return [
        Waiting(kind, int(queued or 0), int(retrying or 0), oldest)
        for kind, queued, retrying, oldest in session.execute(query)
    ]


def failed(session: Session, now: datetime) -> dict[str, int]:
    """Jobs that failed for good (all attempts spent, or a periodic job's one) in the last
    `FAILED_WINDOW`, by kind."""
    query = (
        select(Job.kind, func.count())
        .where(Job.finished_at >= now - FAILED_WINDOW, Job.outcome == FAILED)
        .group_by(Job.kind)
    )
    return {kind: int(count) for kind, count in session.execute(query)}


@dataclass(frozen=True)
class Sample:
    waiting: list[Waiting] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerSeen] = field(default_factory=list)


def families(sample: Sample, now: datetime) -> list[Metric]:
    queued = GaugeMetricFamily(
        c.METRIC_JOBS_QUEUED, "Jobs due and not finished (running ones included)", labels=["kind"]
    )
    age = GaugeMetricFamily(
        c.METRIC_JOBS_OLDEST_DUE_AGE,
        "Seconds the longest-due unfinished job has waited; 0 when none is due",
        labels=["kind"],
    )
    retrying = GaugeMetricFamily(
        c.METRIC_JOBS_RETRYING,
        "Unfinished jobs whose last attempt failed, waiting to be tried again",
        labels=["kind"],
    )
    for jobs in sample.waiting:
        queued.add_metric([jobs.kind], jobs.queued)
        age.add_metric([jobs.kind], jobs.oldest_age(now))
        retrying.add_metric([jobs.kind], jobs.retrying)
    failures = GaugeMetricFamily(
        c.METRIC_JOBS_FAILED,
        "Jobs that failed for good (all attempts spent) in the last hour",
        labels=["kind"],
    )
    for kind, count in sorted(sample.failed.items()):
        failures.add_metric([kind], count)
    last_seen = GaugeMetricFamily(
        c.METRIC_WORKER_LAST_SEEN, "When the worker last wrote its heartbeat", labels=["worker"]
    )
    up = GaugeMetricFamily(
        c.METRIC_WORKER_UP,
        f"1 while the worker's heartbeat is younger than {_seconds(heartbeat.FRESH_FOR)}",
        labels=["worker"],
    )
    for worker in sample.workers:
        last_seen.add_metric([worker.name], worker.seen_at.timestamp())
        up.add_metric([worker.name], float(heartbeat.is_up(worker.seen_at, now)))
    alive = sum(heartbeat.is_up(worker.seen_at, now) for worker in sample.workers)
    workers_up = GaugeMetricFamily(
        c.METRIC_WORKERS_UP, "Workers whose heartbeat is fresh", value=alive
    )
    return [queued, age, retrying, failures, last_seen, up, workers_up]


def _seconds(delta: timedelta) -> str:
    return f"{int(delta.total_seconds())} s"


class WorkerCollector(Collector):
    def __init__(self, factory: sessionmaker[Session], clock: Clock) -> None:
        self.factory = factory
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        with self.factory() as session:
            sample = Sample(waiting(session, now), failed(session, now), heartbeat.seen(session))
        yield from families(sample, now)

    def describe(self) -> Iterator[Metric]:
        """What it exports, without reading the database (registering calls it)."""
        return iter(families(Sample(), self.clock()))


def collector(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> Collector:  # noqa: ARG001
    return WorkerCollector(factory, clock)
