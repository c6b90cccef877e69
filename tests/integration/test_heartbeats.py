"""Heartbeats: silence past the interval raises an alert through the worker; a ping ends it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import heartbeats, integrations
from ninefold.alerts.tables import AlertGroup
from ninefold.conventions import JOB_HEARTBEAT_CHECK
from ninefold.db import make_session_factory, unit_of_work
from ninefold.jobs import handlers
from ninefold.settings import Settings
from ninefold.worker.runner import Worker
from ninefold.worker.tables import Job
from tests.support.clock import FrozenClock


def groups(engine: Engine) -> list[AlertGroup]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(AlertGroup).order_by(AlertGroup.id)))


def done_kinds(engine: Engine) -> list[str]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Job.kind).where(Job.outcome == "done").order_by(Job.id)))


def worker(engine: Engine, clock: FrozenClock) -> Worker:
    return Worker(make_session_factory(engine), handlers(Settings(), clock), clock=clock)


def test_a_missed_heartbeat_raises_an_alert_and_the_next_ping_resolves_it(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, clock: FrozenClock
) -> None:
    created = client.post(
        "/api/v1/integrations",
        json={"name": "db-backup", "kind": "heartbeat", "interval": "5m", "service": "search"},
        headers=admin_headers,
    )
    url = created.json()["path"]
    assert url.startswith("/api/v1/heartbeats/")
    assert created.json()["url"] == f"http://127.0.0.1:8480{url}"  # the default public address
    pinged = clock()
    assert client.post(url).status_code == 200

    clock.set(pinged + timedelta(minutes=4))
    assert worker(engine, clock).run_once() == 0  # not due yet
    clock.set(pinged + timedelta(minutes=6))
    worker(engine, clock).run_once()  # the check, then what it set off, all due now
    assert done_kinds(engine) == ["heartbeat.check", "alert_group.opened", "notification.send"]
    [group] = groups(engine)
    assert (group.state, group.title, group.service) == (
        "triggered",
        "No heartbeat from db-backup for 5 minutes",
        "search",
    )
    clock.set(pinged + timedelta(minutes=30))
    worker(engine, clock).run_once()
    assert len(groups(engine)) == 1  # one alert: no check is pending while it is down

    assert client.post(url).json()["accepted"] == 1
    [group] = groups(engine)
    assert group.state == "resolved"
    assert len(pending_checks(engine)) == 1  # armed again for the next interval


def pending_checks(engine: Engine) -> list[Job]:
    with make_session_factory(engine)() as session:
        return list(
            session.scalars(
                select(Job).where(Job.finished_at.is_(None), Job.kind == JOB_HEARTBEAT_CHECK)
            )
        )


def test_a_ping_within_the_interval_moves_the_deadline(
    client: TestClient, admin_headers: dict[str, str], engine: Engine, clock: FrozenClock
) -> None:
    client.post(
        "/api/v1/integrations",
        json={"name": "cron", "kind": "heartbeat", "interval": "10m"},
        headers=admin_headers,
    )
    factory = make_session_factory(engine)
    t0 = clock()
    for minutes in (0, 8):
        with unit_of_work(factory) as session:
            heartbeats.ping(
                session, integrations.get_row(session, "cron"), t0 + timedelta(minutes=minutes)
            )
    [check] = pending_checks(engine)  # the second ping armed nothing more
    assert check.due_at == t0 + timedelta(minutes=10)
    clock.set(t0 + timedelta(minutes=10))
    assert worker(engine, clock).run_once() == 1
    assert groups(engine) == []
    [check] = pending_checks(engine)
    assert check.due_at == t0 + timedelta(minutes=18)  # re-armed for the last ping's deadline
    clock.set(t0 + timedelta(minutes=18))
    worker(engine, clock).run_once()
    assert [g.state for g in groups(engine)] == ["triggered"]
