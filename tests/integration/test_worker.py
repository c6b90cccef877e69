"""The job queue and runner on SQLite and PostgreSQL: due jobs run once, failures back off,
lost leases drop their work, and two workers never run the same job."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from ninefold.db import make_session_factory, unit_of_work
from ninefold.worker import heartbeat, queue
from ninefold.worker.runner import JobContext, RetryLater, Worker
from ninefold.worker.tables import Job, WorkerSeen
from tests.support.clock import FrozenClock
from tests.support.waiting import eventually

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(clock: FrozenClock) -> FrozenClock:
    """The test's clock, at T0."""
    clock.set(T0)
    return clock


def add(engine: Engine, kind: str, n: int = 1, due: datetime = T0, **kwargs: object) -> None:
    """Enqueue `n` jobs, made at T0."""
    with unit_of_work(make_session_factory(engine)) as session:
        for i in range(n):
            queue.enqueue(session, kind, {"i": i}, due, now=T0, **kwargs)  # type: ignore[arg-type]


def jobs(engine: Engine) -> list[Job]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_due_jobs_run_once_in_order_and_future_ones_wait(
    engine: Engine, clock: FrozenClock
) -> None:
    ran: list[int] = []
    add(engine, "record", 3)
    add(engine, "record", 1, due=T0 + timedelta(minutes=5))
    worker = Worker(
        make_session_factory(engine),
        {"record": lambda ctx: ran.append(ctx.payload["i"])},
        clock=clock,
    )
    assert worker.run_once() == 3
    assert worker.run_once() == 0
    assert ran == [0, 1, 2]
    clock.set(T0 + timedelta(minutes=5))
    assert worker.run_once() == 1
    assert [j.outcome for j in jobs(engine)] == ["done"] * 4


def test_kinds_named_first_run_before_jobs_due_earlier(engine: Engine, clock: FrozenClock) -> None:
    """A page's message is not kept waiting behind the routing of a storm of other groups."""
    ran: list[str] = []
    add(engine, "route", 3, due=T0 - timedelta(minutes=1))
    add(engine, "send", 2)

    def record(ctx: JobContext) -> None:
        ran.append(f"{ctx.job.kind}{ctx.payload['i']}")
        if ctx.job.kind == "route" and ctx.payload["i"] == 0:
            queue.enqueue(ctx.session, "send", {"i": 9}, ctx.now, now=ctx.now)

    worker = Worker(
        make_session_factory(engine),
        {"route": record, "send": record},
        clock=clock,
        batch=2,
        first=frozenset({"send"}),
    )
    assert worker.run_once() == 6
    # Batches of two: both sends, then the two oldest routes; the send the first route made
    # jumps ahead of the last route.
    assert ran == ["send0", "send1", "route0", "route1", "send9", "route2"]


def test_a_dedup_key_makes_a_second_enqueue_a_no_op(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        assert queue.enqueue(session, "k", {}, T0, now=T0, dedup_key="step:1")
        assert not queue.enqueue(session, "k", {"other": 1}, T0, now=T0, dedup_key="step:1")
    assert len(jobs(engine)) == 1


def test_a_cancelled_job_never_runs(engine: Engine, clock: FrozenClock) -> None:
    factory = make_session_factory(engine)
    add(engine, "k", dedup_key="escalate:7:1")
    with unit_of_work(factory) as session:
        assert queue.cancel(session, ["escalate:7:1"], T0) == 1
    worker = Worker(factory, {"k": lambda _: pytest.fail("ran")}, clock=clock)
    assert worker.run_once() == 0
    assert jobs(engine)[0].outcome == "cancelled"


def test_a_failing_job_backs_off_then_fails_for_good(engine: Engine, clock: FrozenClock) -> None:
    def boom(ctx: JobContext) -> None:
        raise RuntimeError(f"attempt {ctx.attempt}")

    add(engine, "boom", max_attempts=3)
    worker = Worker(make_session_factory(engine), {"boom": boom}, clock=clock)
    delays = []
    for _ in range(3):
        assert worker.run_once() == 1
        job = jobs(engine)[0]
        delays.append(job.due_at - clock())
        clock.set(job.due_at)
    job = jobs(engine)[0]
    assert job.outcome == "failed"
    assert job.attempts == 3
    assert "RuntimeError: attempt 3" in (job.last_error or "")
    assert delays[:2] == [timedelta(seconds=15), timedelta(seconds=30)]


def test_the_work_of_a_failed_job_is_rolled_back(engine: Engine, clock: FrozenClock) -> None:
    def half_then_fail(ctx: JobContext) -> None:
        queue.enqueue(ctx.session, "child", {}, ctx.now, now=ctx.now)
        raise RuntimeError("after writing")

    add(engine, "parent", max_attempts=1)
    Worker(make_session_factory(engine), {"parent": half_then_fail}, clock=clock).run_once()
    assert [j.kind for j in jobs(engine)] == ["parent"]


def test_retry_later_sets_the_next_attempt_time(engine: Engine, clock: FrozenClock) -> None:
    def busy(ctx: JobContext) -> None:
        raise RetryLater("rate limited", timedelta(seconds=42))

    add(engine, "busy")
    Worker(make_session_factory(engine), {"busy": busy}, clock=clock).run_once()
    job = jobs(engine)[0]
    assert job.due_at == T0 + timedelta(seconds=42)
    assert job.last_error == "rate limited"
    assert job.finished_at is None


def test_a_job_whose_lease_ran_out_runs_again_and_the_late_finisher_is_dropped(
    engine: Engine, clock: FrozenClock
) -> None:
    factory = make_session_factory(engine)
    add(engine, "slow")
    with unit_of_work(factory) as session:
        [stale] = queue.claim(session, "dead-worker", T0, timedelta(minutes=2), 10)
    ran: list[str] = []
    clock.set(T0 + timedelta(minutes=3))
    Worker(factory, {"slow": lambda _: ran.append("second")}, clock=clock).run_once()
    assert ran == ["second"]
    with unit_of_work(factory) as session:
        assert not queue.finish(session, stale, clock())  # the first claimer lost its lease


def test_two_workers_never_run_the_same_job(engine: Engine, clock: FrozenClock) -> None:
    total = 300
    add(engine, "count", total)
    seen: list[int] = []
    lock = threading.Lock()

    def count(ctx: JobContext) -> None:
        with lock:
            seen.append(ctx.payload["i"])

    factory = make_session_factory(engine)
    workers = [
        Worker(factory, {"count": count}, name=f"w{n}", clock=clock, batch=7) for n in range(2)
    ]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(total))
    assert {j.outcome for j in jobs(engine)} == {"done"}


def test_a_periodic_job_runs_once_per_slot_across_workers_and_a_failure_waits_for_the_next(
    engine: Engine, clock: FrozenClock
) -> None:
    runs: list[datetime] = []
    failing = [True]

    def sweep(ctx: JobContext) -> None:
        runs.append(ctx.now)
        if failing[0]:
            failing[0] = False
            raise RuntimeError("the database blinked")

    factory = make_session_factory(engine)
    every = {"sweep": timedelta(minutes=1)}
    first, second = (
        Worker(factory, {"sweep": sweep}, name=name, clock=clock, every=every)
        for name in ("a", "b")
    )
    clock.set(T0 + timedelta(seconds=30))
    assert first.run_once() == 1  # the slot of 12:00, run at once; it fails
    assert second.run_once() == 0  # the same slot is not scheduled twice, nor retried
    clock.set(T0 + timedelta(seconds=59))
    assert first.run_once() + second.run_once() == 0
    clock.set(T0 + timedelta(minutes=1, seconds=5))
    assert first.run_once() + second.run_once() == 1
    clock.set(T0 + timedelta(minutes=5))  # the workers were away for three slots
    assert first.run_once() + second.run_once() == 1
    assert runs == [
        T0 + timedelta(seconds=30),
        T0 + timedelta(minutes=1, seconds=5),
        T0 + timedelta(minutes=5),
    ]
    outcomes = [(j.kind, j.outcome, j.due_at) for j in jobs(engine)]
    assert outcomes == [
        ("sweep", "failed", T0),
        ("sweep", "done", T0 + timedelta(minutes=1)),
        ("sweep", "done", T0 + timedelta(minutes=2)),
        ("sweep", None, T0 + timedelta(minutes=6)),
    ]


def test_a_running_worker_beats_and_a_stopped_one_leaves(
    engine: Engine, clock: FrozenClock
) -> None:
    """The heartbeat /metrics reads: written while the worker runs, removed when it stops."""
    factory = make_session_factory(engine)
    worker = Worker(factory, {"k": lambda _: None}, name="w1", clock=clock, first=frozenset({"k"}))
    add(engine, "k", 3)
    stop = threading.Event()
    runner = threading.Thread(target=worker.run_forever, args=(stop, 0.1))
    runner.start()

    def seen() -> list[tuple[str, int]]:
        with factory() as session:
            return [(row.name, row.jobs_run) for row in session.scalars(select(WorkerSeen))]

    try:
        eventually(lambda: [name for name, _ in seen()] == ["w1"], "the worker's heartbeat", 20)
        eventually(lambda: {j.outcome for j in jobs(engine)} == {"done"}, "the jobs run", 20)
        clock.set(T0 + heartbeat.BEAT_EVERY)
        eventually(lambda: seen() == [("w1", 3)], "the next heartbeat, with the jobs run", 20)
    finally:
        stop.set()
        runner.join()
    assert seen() == []
