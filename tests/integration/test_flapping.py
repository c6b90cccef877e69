"""Flapping on SQLite and PostgreSQL: an alert that keeps firing and resolving is flagged at
its sixth change within the hour, its group is held open and pages once, and the flap check
clears the flag (and resolves the group) once the window holds two changes or fewer.

Time is stepped by calling the intake use case with explicit instants and by the worker's
clock; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ninefold.alerts import groups, integrations, service
from ninefold.alerts.intake import notification
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.auth.model import Principal, Role
from ninefold.conventions import JOB_ALERT_GROUP_OPENED, JOB_FLAP_CHECK, MANAGED_BY_API
from ninefold.db import make_session_factory, unit_of_work
from ninefold.settings import Settings
from ninefold.worker.tables import Job
from tests.factories import make_token, make_user
from tests.integration.test_web import log_in
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body, run_jobs

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


@pytest.fixture
def factory(engine: Engine, clock: FrozenClock) -> sessionmaker[Session]:
    """An Alertmanager integration made at T0, where the test's clock starts."""
    clock.set(T0)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        spec = IntegrationSpec(name="prom", kind="alertmanager")
        integrations.write(session, spec, MANAGED_BY_API, T0)
    return factory


def deliver(factory: sessionmaker[Session], status: str, cycle: int, minute: int) -> None:
    """Alertmanager reports the alert's `cycle`-th firing (its own start) firing or resolved."""
    body = alertmanager_body(status=status, starts_at=at(10 * cycle))
    with unit_of_work(factory) as session:
        prom = integrations.get_row(session, "prom")
        service.ingest(session, prom, notification("alertmanager", body), at(minute))


def flap(factory: sessionmaker[Session], cycles: int) -> None:
    """Fire at minute 0 and resolve at 5, fire at 10 and resolve at 15, ...: two changes per
    cycle, five minutes apart."""
    for cycle in range(cycles):
        deliver(factory, "firing", cycle, 10 * cycle)
        deliver(factory, "resolved", cycle, 10 * cycle + 5)


def all_groups(factory: sessionmaker[Session]) -> list[AlertGroup]:
    with factory() as session:
        return list(session.scalars(select(AlertGroup).order_by(AlertGroup.id)))


# What intake and the flap check record; paging adds its own entries when jobs run.
SOURCE_EVENTS = {
    "triggered",
    "alert_firing",
    "alert_resolved",
    "flapping_started",
    "flapping_stopped",
    "resolved",
}


def kinds(factory: sessionmaker[Session], group: AlertGroup) -> list[str]:
    with factory() as session:
        events = session.scalars(
            select(GroupEvent.kind).where(GroupEvent.group_id == group.id).order_by(GroupEvent.id)
        )
        return [kind for kind in events if kind in SOURCE_EVENTS]


def jobs(factory: sessionmaker[Session], kind: str, *, pending: bool = False) -> list[Job]:
    with factory() as session:
        query = select(Job).where(Job.kind == kind).order_by(Job.due_at)
        if pending:
            query = query.where(Job.finished_at.is_(None))
        return list(session.scalars(query))


def test_the_sixth_change_within_the_hour_flags_the_group_and_holds_it_open(
    factory: sessionmaker[Session],
) -> None:
    flap(factory, 3)  # the sixth change, at minute 25, is a resolution
    first, second, third = all_groups(factory)
    assert [g.state for g in (first, second, third)] == ["resolved", "resolved", "triggered"]
    assert [g.flapping for g in (first, second, third)] == [False, False, True]
    assert third.flapping_since == at(25)
    assert kinds(factory, third) == [
        "triggered",
        "alert_firing",
        "alert_resolved",
        "flapping_started",
    ]
    [check] = jobs(factory, JOB_FLAP_CHECK)
    assert check.due_at == at(40)  # a quarter of the window later

    deliver(factory, "firing", 3, 30)
    deliver(factory, "resolved", 3, 35)
    deliver(factory, "firing", 4, 40)
    assert len(all_groups(factory)) == 3  # the re-firings joined the held group
    assert len(jobs(factory, JOB_ALERT_GROUP_OPENED)) == 3  # so they paged nobody again
    with factory() as session:
        held = groups.detail(session, third.id)
    assert [a.status for a in held.alerts] == ["resolved", "resolved", "firing"]
    assert held.flapping
    assert kinds(factory, third)[-4:] == [
        "flapping_started",
        "alert_firing",
        "alert_resolved",
        "alert_firing",
    ]


def test_fewer_than_six_changes_never_flag_and_each_firing_opens_a_group(
    factory: sessionmaker[Session],
) -> None:
    flap(factory, 2)
    deliver(factory, "firing", 2, 20)  # five changes within the hour
    assert [(g.state, g.flapping) for g in all_groups(factory)] == [
        ("resolved", False),
        ("resolved", False),
        ("triggered", False),
    ]
    assert len(jobs(factory, JOB_ALERT_GROUP_OPENED)) == 3
    assert jobs(factory, JOB_FLAP_CHECK) == []


def test_the_flag_holds_between_the_thresholds_and_clears_at_two_resolving_the_group(
    factory: sessionmaker[Session], engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    flap(factory, 3)  # changes at minutes 0, 5, ..., 25
    for minute, changes in ((40, 6), (55, 6), (70, 3)):  # 70: only 15, 20 and 25 are left
        clock.set(at(minute))
        run_jobs(engine, settings, clock)
        held = all_groups(factory)[-1]
        assert (held.state, held.flapping) == ("triggered", True), f"{changes} changes"
        [check] = jobs(factory, JOB_FLAP_CHECK, pending=True)
        assert check.due_at == at(minute + 15)

    clock.set(at(85))
    run_jobs(engine, settings, clock)  # none left: the minute-25 change is an hour old
    held = all_groups(factory)[-1]
    assert (held.state, held.flapping, held.flapping_since) == ("resolved", False, None)
    assert (held.resolved_at, held.resolved_by) == (at(85), "source:prom")
    assert kinds(factory, held)[-2:] == ["flapping_stopped", "resolved"]
    assert jobs(factory, JOB_FLAP_CHECK, pending=True) == []


def test_a_group_whose_alert_fires_when_the_flag_clears_stays_open_until_it_resolves(
    factory: sessionmaker[Session], engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    flap(factory, 3)
    deliver(factory, "firing", 3, 30)
    clock.set(at(95))
    run_jobs(engine, settings, clock)  # the overdue check: no change in (35, 95]
    held = all_groups(factory)[-1]
    assert (held.state, held.flapping) == ("triggered", False)
    deliver(factory, "resolved", 3, 100)
    held = all_groups(factory)[-1]
    assert held.state == "resolved"
    assert kinds(factory, held)[-4:] == [
        "alert_firing",
        "flapping_stopped",
        "alert_resolved",
        "resolved",
    ]


def test_resolving_a_flapping_group_by_hand_ends_its_flag_and_its_checks(
    factory: sessionmaker[Session], engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    flap(factory, 3)
    held = all_groups(factory)[-1]
    with unit_of_work(factory) as session:
        groups.resolve(session, Principal("ada", Role.ADMIN, "web"), held.id, at(27), "yes")
    held = all_groups(factory)[-1]
    assert (held.state, held.flapping, held.resolved_by) == ("resolved", False, "ada")
    clock.set(at(40))
    run_jobs(engine, settings, clock)
    assert jobs(factory, JOB_FLAP_CHECK, pending=True) == []
    assert "flapping_stopped" not in kinds(factory, held)

    deliver(factory, "firing", 3, 30)  # still flapping at the source: a new group, flagged
    newest = all_groups(factory)[-1]
    assert newest.id != held.id
    assert (newest.state, newest.flapping) == ("triggered", True)


def test_the_api_and_the_pages_show_the_flag(
    client: TestClient, engine: Engine, factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    flap(factory, 3)
    make_user(engine, "ada", Role.ADMIN, now=clock())
    headers = {"Authorization": f"Bearer {make_token(engine, 'ada', Role.ADMIN, now=clock())}"}
    listed = client.get("/api/v1/alert-groups", headers=headers).json()["items"]
    assert [g["flapping"] for g in listed] == [True, False, False]  # newest first

    log_in(client, "ada")
    assert client.get("/alerts").text.count('data-testid="flapping"') == 1
    page = client.get(f"/alerts/{listed[0]['id']}").text
    assert 'data-testid="flapping"' in page
    assert "is flapping: 6 changes in 60 minutes; the group stays open and pages once" in page
    assert 'data-testid="flapping"' not in client.get(f"/alerts/{listed[1]['id']}").text
