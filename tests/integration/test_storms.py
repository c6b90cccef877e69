"""Alert storms folded for humans, end to end: alerts arrive over HTTP, the worker routes them
(with its periodic storm sweep), pages go out by real email; time is the worker's clock.

The route folds beyond 10 groups in 5 minutes, and its policy pages priya at once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ninefold.alerts import integrations
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.auth.model import Role
from ninefold.auth.schemas import UserSpec
from ninefold.auth.service import write_user
from ninefold.db import make_session_factory, unit_of_work
from ninefold.jobs import handlers
from ninefold.paging import escalation, policies, storms
from ninefold.paging.schemas import EscalationPolicySpec, RouteSpec
from ninefold.paging.tables import Escalation, Storm
from ninefold.settings import Settings
from ninefold.worker.runner import Worker
from tests.factories import make_token, make_user
from tests.integration.test_web import log_in
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body
from tests.support.smtp_sink import SmtpSink

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
STORM_SUBJECT = "[CRITICAL] Alert storm on route all: 11 groups in 5 minutes (checkout)"


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def intake(factory: sessionmaker[Session], clock: FrozenClock) -> str:
    """priya, a policy paging her at once (and again after 30 minutes), the default route (of checkout) folding beyond 10
    groups in 5 minutes, and an Alertmanager integration, made at T0; returns the intake
    URL."""
    now = clock.set(T0)
    with unit_of_work(factory) as session:
        write_user(
            session,
            UserSpec(name="priya", email="priya@shop.example", role="responder"),
            "config",
            now,
        )
        policies.write_policy(
            session,
            EscalationPolicySpec(
                name="oncall", steps=[{"users": ["priya"], "wait_minutes": 30}], repeat=1
            ),
            "config",
            now,
            None,
        )
        route = RouteSpec(
            name="all",
            policy="oncall",
            service="checkout",
            default=True,
            fold={"groups": 10, "minutes": 5},
        )
        policies.write_route(session, route, "config", now, None, 0)
        row = integrations.write(
            session, IntegrationSpec(name="am", kind="alertmanager"), "config", now
        )
        return f"/api/v1/integrations/alertmanager/{row.key}"


@pytest.fixture
def mail(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    update = {"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port}
    return settings.model_copy(update={**update, "public_url": "http://ninefold.test"})


@pytest.fixture
def responder(engine: Engine, clock: FrozenClock) -> dict[str, str]:
    make_user(engine, "ops", Role.RESPONDER, now=clock())
    return {"Authorization": f"Bearer {make_token(engine, 'ops', Role.RESPONDER, now=clock())}"}


def fire(client: TestClient, intake: str, clock: FrozenClock, *names: str) -> None:
    """One group per alert name, opened now."""
    for name in names:
        body = alertmanager_body(name, starts_at=clock() - timedelta(minutes=1))
        assert client.post(intake, json=body).status_code == 200


def run(engine: Engine, settings: Settings, clock: FrozenClock) -> None:
    """Run the jobs due at the clock's time until none is left, the storm sweep included (a
    worker schedules its periodic jobs' current slot when it starts)."""
    worker = Worker(
        make_session_factory(engine),
        handlers(settings, clock),
        clock=clock,
        every={storms.JOB_SWEEP: storms.SWEEP_EVERY},
    )
    while worker.run_once():
        pass


def names(count: int, first: int = 1) -> list[str]:
    return [f"Alert{n:02d}" for n in range(first, first + count)]


def escalation_of(factory: sessionmaker[Session], group_id: int) -> Escalation:
    with factory() as session:
        return session.scalars(select(Escalation).where(Escalation.group_id == group_id)).one()


def kinds(factory: sessionmaker[Session], group_id: int) -> list[str]:
    with factory() as session:
        query = select(GroupEvent.kind).where(GroupEvent.group_id == group_id)
        return list(session.scalars(query.order_by(GroupEvent.id)))


def storm(factory: sessionmaker[Session]) -> Storm:
    with factory() as session:
        return session.scalars(select(Storm)).one()


def subjects(smtp_sink: SmtpSink) -> list[str]:
    """The subjects, unfolded (a long one is folded right after "Subject:", and Python's
    parser keeps the space that starts its next line)."""
    return [str(message["Subject"]).strip() for message in smtp_sink.messages]


def test_fifteen_groups_page_ten_times_and_once_for_the_five_folded(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
    responder: dict[str, str],
) -> None:
    fire(client, intake, clock, *names(15))
    run(engine, mail, clock)

    sent = subjects(smtp_sink)
    assert len(sent) == 11
    assert sent.count(STORM_SUBJECT) == 1
    [message] = [m for m in smtp_sink.messages if str(m["Subject"]).strip() == STORM_SUBJECT]
    body = message.get_body(("plain",)).get_content()
    assert "5 of them were folded into this page so far" in body
    assert "Groups folded: 5" in body
    the_storm = storm(factory)
    assert f"http://ninefold.test/alerts/{the_storm.group_id}#folded" in body
    assert (the_storm.route, the_storm.groups, the_storm.ended_at) == ("all", 5, None)

    with factory() as session:
        rows = session.execute(
            select(AlertGroup.id, Escalation.state, Escalation.storm_id)
            .join(Escalation, Escalation.group_id == AlertGroup.id)
            .order_by(AlertGroup.id)
        ).all()
    states = [state for _, state, _ in rows]
    assert states == ["running"] * 10 + ["folded"] * 5 + ["running"]  # the storm's group last
    folded = [group_id for group_id, state, _ in rows if state == "folded"]
    assert {storm_id for _, state, storm_id in rows if state == "folded"} == {the_storm.id}
    assert "folded" in kinds(factory, folded[0])
    assert "paged" not in kinds(factory, folded[0])
    assert kinds(factory, the_storm.group_id)[:3] == ["storm_started", "routed", "paged"]

    # each folded group is there to act on
    api = "/api/v1/alert-groups"
    ack, resolve, escalate, snooze, reassign = folded
    assert client.post(f"{api}/{ack}/acknowledge", headers=responder).json()["state"] == (
        "acknowledged"
    )
    assert client.post(f"{api}/{resolve}/resolve", headers=responder).json()["state"] == (
        "resolved"
    )
    escalated = client.post(f"{api}/{escalate}/escalate", headers=responder)
    assert escalated.status_code == 200
    assert escalated.json()["state"] == "running"
    assert [p["user"] for p in escalated.json()["pages"]] == ["priya"]
    snoozed = client.post(f"{api}/{snooze}/snooze", json={"minutes": 30}, headers=responder)
    assert snoozed.json()["state"] == "acknowledged"
    reassigned = client.post(
        f"{api}/{reassign}/reassign", json={"user": "priya"}, headers=responder
    )
    assert reassigned.json()["assignee"] == "priya"
    run(engine, mail, clock)
    assert len(smtp_sink.messages) == 13  # the escalated and the reassigned group paged
    timeline = client.get(f"{api}/{escalate}", headers=responder).json()["timeline"]
    escalations = [e["detail"] for e in timeline if e["kind"] == "escalated"]
    assert escalations == [{"by": "ops", "unfolded": True}]


def test_the_fold_ends_after_the_quiet_minutes_and_the_next_group_pages(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    fire(client, intake, clock, *names(11))
    run(engine, mail, clock)
    clock.set(T0 + timedelta(minutes=3))
    fire(client, intake, clock, "Alert12")  # still within the storm: folded, last one at +3
    run(engine, mail, clock)
    assert escalation_of(factory, group_of_name(factory, "Alert12")).state == "folded"
    assert storm(factory).groups == 2

    clock.set(T0 + timedelta(minutes=7, seconds=59))
    run(engine, mail, clock)
    assert storm(factory).ended_at is None
    clock.set(T0 + timedelta(minutes=8))
    run(engine, mail, clock)  # the sweep: 5 quiet minutes since +3
    ended = storm(factory)
    assert ended.ended_at == T0 + timedelta(minutes=8)
    assert kinds(factory, ended.group_id)[-1] == "storm_ended"

    sent = len(smtp_sink.messages)
    clock.set(T0 + timedelta(minutes=9))
    fire(client, intake, clock, "Alert13")
    run(engine, mail, clock)
    assert escalation_of(factory, group_of_name(factory, "Alert13")).state == "running"
    assert len(smtp_sink.messages) == sent + 1
    with factory() as session:
        assert len(session.scalars(select(Storm)).all()) == 1


def test_a_group_after_the_quiet_minutes_pages_even_before_the_sweep_ends_the_storm(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    fire(client, intake, clock, *names(11))
    run(engine, mail, clock)
    clock.set(T0 + timedelta(minutes=6))
    fire(client, intake, clock, "Alert12")
    newest = group_of_name(factory, "Alert12")
    with unit_of_work(factory) as session:  # the group's routing, the sweep not run
        escalation.start(session, session.get_one(AlertGroup, newest), clock())
    assert escalation_of(factory, newest).state == "running"
    assert storm(factory).ended_at == T0 + timedelta(minutes=5)


def test_the_storm_group_resolves_once_the_fold_ended_and_its_groups_are_resolved(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    clock: FrozenClock,
    responder: dict[str, str],
) -> None:
    fire(client, intake, clock, *names(12))
    run(engine, mail, clock)
    folded = [group_of_name(factory, name) for name in ("Alert11", "Alert12")]
    the_storm = storm(factory)
    api = "/api/v1/alert-groups"
    client.post(f"{api}/{folded[0]}/resolve", headers=responder)
    clock.set(T0 + timedelta(minutes=5))
    run(engine, mail, clock)  # the fold ends; one folded group is still open
    assert storm(factory).ended_at == T0 + timedelta(minutes=5)
    assert group_state(factory, the_storm.group_id) == "triggered"

    clock.set(T0 + timedelta(minutes=6))
    resolved = alertmanager_body(
        "Alert12", status="resolved", starts_at=T0 - timedelta(minutes=1)
    )  # resolved at the source
    assert client.post(intake, json=resolved).status_code == 200
    run(engine, mail, clock)
    assert group_state(factory, folded[1]) == "resolved"
    with factory() as session:
        storm_group = session.get_one(AlertGroup, the_storm.group_id)
        assert (storm_group.state, storm_group.resolved_by) == ("resolved", "ninefold")
        assert storm_group.resolved_at == T0 + timedelta(minutes=6)
    assert kinds(factory, the_storm.group_id)[-2:] == ["storm_resolved", "resolved"]


def test_a_storm_group_resolved_by_hand_ends_the_fold_and_the_next_group_starts_anew(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
    responder: dict[str, str],
) -> None:
    fire(client, intake, clock, *names(11))
    run(engine, mail, clock)
    first = storm(factory)
    client.post(f"/api/v1/alert-groups/{first.group_id}/resolve", headers=responder)
    clock.set(T0 + timedelta(minutes=1))
    fire(client, intake, clock, "Alert12")  # 12 groups in 5 minutes: a storm still
    run(engine, mail, clock)
    with factory() as session:
        found = session.scalars(select(Storm).order_by(Storm.id)).all()
        assert [(s.ended_at, s.groups) for s in found] == [
            (T0 + timedelta(minutes=1), 1),
            (None, 1),
        ]
    assert (
        subjects(smtp_sink).count(
            "[CRITICAL] Alert storm on route all: 12 groups in 5 minutes (checkout)"
        )
        == 1
    )


def test_held_groups_neither_fold_nor_count(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
    responder: dict[str, str],
) -> None:
    silence = {
        "matchers": ['alertname=~"Alert0.*"'],
        "end": (T0 + timedelta(hours=1)).isoformat(),
        "reason": "known",
    }
    assert client.post("/api/v1/silences", json=silence, headers=responder).status_code == 201
    fire(client, intake, clock, *names(15))  # Alert01-09 silenced: 6 groups page
    run(engine, mail, clock)
    assert len(smtp_sink.messages) == 6
    with factory() as session:
        assert session.scalars(select(Storm)).all() == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_at_the_limit_open_one_storm(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    clock: FrozenClock,
) -> None:
    """Two workers route a route's 11th and 12th group at the same moment: the second waits
    for the first's storm and folds into it. On PostgreSQL only: SQLite's one writer at a time
    leaves nothing to race."""
    fire(client, intake, clock, *names(10))
    run(engine, mail, clock)
    fire(client, intake, clock, "Alert11", "Alert12")
    ids = [group_of_name(factory, name) for name in ("Alert11", "Alert12")]
    first_started = threading.Event()
    errors: list[BaseException] = []

    def route(group_id: int, first: bool) -> None:
        try:
            if not first:
                first_started.wait(10)
            with unit_of_work(factory) as session:
                group = session.get_one(AlertGroup, group_id)
                escalation.start(session, group, clock())
                if first:
                    first_started.set()
                    threading.Event().wait(0.5)  # the other worker starts meanwhile
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
            first_started.set()

    workers = [threading.Thread(target=route, args=(i, n == 0)) for n, i in enumerate(ids)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert errors == []
    the_storm = storm(factory)
    assert the_storm.groups == 2
    assert [escalation_of(factory, i).storm_id for i in ids] == [the_storm.id] * 2


def test_the_storm_group_page_lists_its_folded_groups(
    client: TestClient,
    engine: Engine,
    factory: sessionmaker[Session],
    intake: str,
    mail: Settings,
    clock: FrozenClock,
) -> None:
    fire(client, intake, clock, *names(13))
    run(engine, mail, clock)
    the_storm = storm(factory)
    make_user(engine, "ada", Role.ADMIN, now=clock())
    log_in(client, "ada")
    page = client.get(f"/alerts/{the_storm.group_id}").text
    assert "Folded groups (3)" in page
    for name in ("Alert11", "Alert12", "Alert13"):
        assert f'href="/alerts/{group_of_name(factory, name)}"' in page
    assert page.count('data-testid="folded-group"') == 3
    folded_page = client.get(f"/alerts/{group_of_name(factory, 'Alert12')}").text
    assert 'data-testid="folded-into"' in folded_page
    assert f'href="/alerts/{the_storm.group_id}"' in folded_page
    assert "Escalate now" in folded_page
    assert "folded into the alert storm of group" in folded_page


def group_of_name(factory: sessionmaker[Session], name: str) -> int:
    """The id of the group of the alert named `name`."""
    with factory() as session:
        found = session.scalars(
            select(AlertGroup.id).where(AlertGroup.group_key.contains(f'"{name}"'))
        ).one()
        return int(found)


def group_state(factory: sessionmaker[Session], group_id: int) -> str:
    with factory() as session:
        return session.get_one(AlertGroup, group_id).state
