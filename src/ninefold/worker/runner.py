"""The loop that runs due jobs: claim a batch, run each in its own transaction, settle it.

A job's work and its completion commit together, so a worker killed at any point leaves the
job either done (its work stored) or claimed under a lease that runs out, after which any
worker runs it again. Handlers must therefore be safe to run twice up to their commit; the
ones with an outside effect (sending a message) record it first (see oncall notifications).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ninefold.clock import Clock
from ninefold.db import unit_of_work
from ninefold.worker import heartbeat, queue

log = logging.getLogger(__name__)
URGENT_POLL = 0.2  # seconds between looks for urgent jobs: a page waits at most this long
OTHERS_BATCH = 4


@dataclass(frozen=True)
class JobContext:
    session: Session
    payload: dict[str, Any]
    now: datetime
    attempt: int
    factory: sessionmaker[Session]
    job: queue.Claimed
    lease: timedelta

    def keep_lease(self, session: Session) -> None:
        """Make sure the job is still this worker's (and keep it so for another lease) before
        an effect that cannot be undone; `session` is the transaction recording the effect."""
        if not queue.renew(session, self.job, self.now, self.lease):
            raise LeaseLost(f"job {self.job.id} was taken over by another worker")


Handler = Callable[[JobContext], None]


@dataclass(frozen=True)
class Jobs:
    """A domain's background jobs: the handlers by kind, the kinds a worker runs before any
    other due job because a person is waiting for them (a page's message), and the periodic
    kinds with their interval (a sweep for what time alone makes due, such as an overdue
    action item)."""

    handlers: Mapping[str, Handler]
    urgent: frozenset[str] = frozenset()
    every: Mapping[str, timedelta] = field(default_factory=dict)


class RetryLater(Exception):
    """Raised by a handler to run the job again after `delay` (a rate limit, a busy peer)."""

    def __init__(self, reason: str, delay: timedelta) -> None:
        super().__init__(reason)
        self.delay = delay


class LeaseLost(Exception):
    """The job's lease ran out and another worker owns it now; this run's work is dropped."""


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        factory: sessionmaker[Session],
        handlers: Mapping[str, Handler],
        *,
        clock: Clock,
        name: str | None = None,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 20,
        first: frozenset[str] = frozenset(),
        every: Mapping[str, timedelta] | None = None,
        urgent_threads: int = 1,
    ) -> None:
        self.factory = factory
        self.handlers = dict(handlers)
        self.name = name or default_name()
        self.clock = clock
        self.lease = lease
        self.batch = batch
        # Kinds run before any other due job: those whose delay a person feels.
        self.first = first
        # Periodic kinds: each run schedules the next slot's; the first is scheduled when the
        # worker starts, so a chain broken by a crash mends at the next start.
        self.every = dict(every or {})
        # Other jobs are claimed a few at a time when urgent ones exist (see `run_once`).
        self.others_batch = min(batch, OTHERS_BATCH) if first else batch
        # Urgent jobs run this many at a time in `run_forever`: a page's work is mostly waiting
        # (on the database, on the mail server), which threads overlap.
        self.urgent_threads = urgent_threads
        self.started = False
        self.jobs_run = 0
        self.up_since = clock()
        self.beaten: datetime | None = None
        self.beating = threading.Lock()

    def run_once(self) -> int:
        """Run every job due now; return how many ran.

        Urgent kinds are claimed in batches ahead of everything else; other jobs a few at a
        time, so that an urgent job made meanwhile waits behind at most a few of them."""
        if not self.started and self.every:
            with unit_of_work(self.factory) as session:
                now = self.clock()
                for kind, every in self.every.items():
                    queue.schedule(session, kind, queue.slot_start(now, every), now=now)
        self.started = True
        ran = 0
        while True:
            if self.first:
                urgent = self._run_batch(self.batch, only=self.first)
                ran += urgent
                if urgent:
                    continue
            others = self._run_batch(self.others_batch)
            ran += others
            if not others:
                return ran

    def run_urgent(self, pool: ThreadPoolExecutor | None = None) -> int:
        """Run the urgent jobs due now, none other, each batch's jobs side by side on `pool`
        when given; return how many ran."""
        ran = 0
        while ran_now := self._run_batch(self.batch, only=self.first, pool=pool):
            ran += ran_now
        return ran

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Run jobs until `stop` is set. A lane of its own runs the urgent kinds, looking for
        them every URGENT_POLL seconds: a page is never queued behind a long job (a report)
        this worker is running."""
        log.info("worker %s started", self.name)
        lanes = [threading.Thread(target=self._loop, args=(stop, poll_seconds, self.run_once))]
        pool = ThreadPoolExecutor(self.urgent_threads, thread_name_prefix="pages")
        if self.first:
            poll = min(poll_seconds, URGENT_POLL)
            urgent = partial(self.run_urgent, pool)
            lanes.append(threading.Thread(target=self._loop, args=(stop, poll, urgent)))
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()
        pool.shutdown()
        try:
            with unit_of_work(self.factory) as session:
                heartbeat.leave(session, self.name)
        except Exception:
            log.exception("worker %s: removing its heartbeat failed", self.name)
        log.info("worker %s stopped", self.name)

    def _loop(self, stop: threading.Event, poll_seconds: float, run: Callable[[], int]) -> None:
        while not stop.is_set():
            try:
                ran = run()
            except Exception:
                # The database may be away for a moment (restart, failover); keep polling.
                log.exception("worker %s: claiming jobs failed", self.name)
                ran = 0
            self._beat()
            if not ran:
                stop.wait(poll_seconds)

    def _beat(self) -> None:
        """Say this worker is alive (ninefold.worker.heartbeat), every BEAT_EVERY at most,
        from whichever lane comes by: a lane stuck in one job does not beat."""
        with self.beating:
            now = self.clock()
            if self.beaten is not None and now - self.beaten < heartbeat.BEAT_EVERY:
                return
            try:
                with unit_of_work(self.factory) as session:
                    heartbeat.beat(session, self.name, self.up_since, now, self.jobs_run)
            except Exception:
                log.exception("worker %s: recording its heartbeat failed", self.name)
                return
            self.beaten = now

    def _run_batch(
        self,
        limit: int,
        only: Collection[str] | None = None,
        pool: ThreadPoolExecutor | None = None,
    ) -> int:
        with unit_of_work(self.factory) as session:
            claimed = queue.claim(
                session, self.name, self.clock(), self.lease, limit, self.first, only
            )
        if pool is None:
            for job in claimed:
                self._run(job)
        else:
            list(pool.map(self._run, claimed))
        with self.beating:
            self.jobs_run += len(claimed)
        return len(claimed)

    def _run(self, job: queue.Claimed) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            with unit_of_work(self.factory) as session:
                now = self.clock()
                context = JobContext(
                    session, job.payload, now, job.attempt, self.factory, job, self.lease
                )
                handler(context)
                if not queue.finish(session, job, now):
                    raise LeaseLost(f"job {job.id} was taken over by another worker")
        except LeaseLost as exc:
            log.warning("%s", exc)
        except RetryLater as exc:
            self._settle(job, str(exc), exc.delay)
        except Exception as exc:
            log.error("job %s (%s) failed: %s", job.id, job.kind, exc)
            self._settle(job, "".join(traceback.format_exception_only(exc)).strip(), None)
        finally:
            if job.kind in self.every:
                self._next_slot(job.kind)

    def _next_slot(self, kind: str) -> None:
        with unit_of_work(self.factory) as session:
            now = self.clock()
            every = self.every[kind]
            queue.schedule(session, kind, queue.slot_start(now, every) + every, now=now)

    def _settle(self, job: queue.Claimed, error: str, delay: timedelta | None) -> None:
        with unit_of_work(self.factory) as session:
            if queue.fail(session, job, self.clock(), error, delay):
                log.error("job %s (%s) gave up after %s attempts", job.id, job.kind, job.attempt)
