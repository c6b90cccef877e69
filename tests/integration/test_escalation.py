"""Escalation end to end inside one process: an alert arrives over HTTP, the worker routes it,
pages the on-call person by email and webhook, escalates when nobody acknowledges, and stops
when someone does. Real SMTP (aiosmtpd) and a real HTTP receiver; time is the worker's clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import groups, integrations
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.auth.model import Principal, Role
from ninefold.auth.schemas import UserSpec
from ninefold.auth.service import write_user
from ninefold.auth.tables import User
from ninefold.catalog.schemas import TeamSpec
from ninefold.catalog.service import write_team
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service as schedules
from ninefold.oncall.schemas import ScheduleSpec
from ninefold.paging import actions, policies
from ninefold.paging.notifications.delivery import JOB_SEND
from ninefold.paging.notifications.links import LINK_LIFETIME, Grant, instance_secret, make_token
from ninefold.paging.schemas import EscalationPolicySpec, RouteSpec
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.settings import Settings
from ninefold.worker.tables import Job
from tests.factories import make_token as make_api_token
from tests.factories import make_user
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.paging import alertmanager_body
from tests.support.paging import run_jobs as run
from tests.support.smtp_sink import SmtpSink

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 03:00 in Berlin: sleeping hours


def alert(name: str = "CheckoutErrors", **fields: str) -> dict[str, object]:
    """An alert of checkout, firing since a minute before T0."""
    return alertmanager_body(name, starts_at=T0 - timedelta(minutes=1), **fields)


@pytest.fixture
def paging(engine: Engine, http_receiver: HttpReceiver, clock: FrozenClock) -> str:
    """Two payments people on a weekly rotation, a policy of two steps, and one default
    route, made at T0, where the clock stays until a test moves it; returns the Alertmanager
    intake URL."""
    now = clock.set(T0)
    with unit_of_work(make_session_factory(engine)) as session:
        write_user(
            session,
            UserSpec(
                name="priya",
                email="priya@shop.example",
                role="responder",
                time_zone="Europe/Berlin",
                contact_methods=[
                    {"name": "mail", "kind": "email", "address": "priya@shop.example"},
                    {"name": "hook", "kind": "webhook", "address": http_receiver.url("/priya")},
                ],
                notification_rules=[
                    {"contact": "mail", "after_minutes": 0},
                    {"contact": "hook", "after_minutes": 5},
                ],
            ),
            "config",
            now,
        )
        write_user(
            session,
            UserSpec(name="diego", email="diego@shop.example", role="responder"),
            "config",
            now,
        )
        write_team(session, TeamSpec(name="payments", members=["priya", "diego"]), "config", now)
        schedules.write(
            session,
            ScheduleSpec(
                name="payments-primary",
                time_zone="Europe/Berlin",
                layers=[
                    {
                        "name": "weekly",
                        "participants": ["priya", "diego"],
                        "shift_unit": "weeks",
                        "start": date(2026, 11, 23),
                    }
                ],
            ),
            "config",
            now,
        )
        policies.write_policy(
            session,
            EscalationPolicySpec(
                name="payments",
                steps=[
                    {"schedules": ["payments-primary"], "wait_minutes": 10},
                    {"teams": ["payments"], "wait_minutes": 10},
                ],
            ),
            "config",
            now,
            None,
        )
        policies.write_route(
            session, RouteSpec(name="all", policy="payments", default=True), "config", now, None, 0
        )
        spec = IntegrationSpec(name="am", kind="alertmanager")
        row = integrations.write(session, spec, "config", now)
        return f"/api/v1/integrations/alertmanager/{row.key}"


@pytest.fixture
def paging_settings(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp_sink.host,
            "smtp_port": smtp_sink.port,
            "public_url": "http://ninefold.test",
        }
    )


def test_the_on_call_person_is_paged_then_the_team_until_someone_acknowledges(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
) -> None:
    assert client.post(paging, json=alert()).status_code == 200
    run(engine, paging_settings, clock)

    [mail] = smtp_sink.messages
    assert mail["To"] == "priya@shop.example"
    assert mail["Subject"] == "[CRITICAL] Checkout fails 12% of requests (checkout)"
    body = mail.get_body(("plain",)).get_content()
    assert "https://runbooks.test/checkout" in body
    assert "http://ninefold.test/act/" in body
    assert "Fired in the last 7 days: once" in body
    assert http_receiver.requests == []  # the webhook rule waits 5 minutes

    clock.set(T0 + timedelta(minutes=5))
    run(engine, paging_settings, clock)
    [hook] = http_receiver.requests
    assert hook.path == "/priya"
    assert hook.headers["idempotency-key"] == f"ninefold-page-{page_ids(engine)[0]}-hook"

    clock.set(T0 + timedelta(minutes=10))
    run(engine, paging_settings, clock)  # step 2: the whole team
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "diego@shop.example",
        "priya@shop.example",
        "priya@shop.example",
    ]
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        group = session.scalars(select(AlertGroup)).one()
        groups.acknowledge(session, Principal("diego", Role.RESPONDER, "api"), group.id, clock())
    clock.set(T0 + timedelta(minutes=15))
    run(engine, paging_settings, clock)  # priya's webhook of step 2
    clock.set(T0 + timedelta(hours=2))
    run(engine, paging_settings, clock)  # no further step, no repeat
    assert len(smtp_sink.messages) == 3
    assert len(http_receiver.requests) == 1
    with factory() as session:
        statuses = sorted(session.scalars(select(Notification.status)))
        assert statuses == ["cancelled", "sent", "sent", "sent", "sent"]
        pages = session.scalars(select(Page)).all()
        assert sorted((p.step, p.user_name, p.period, p.local_time) for p in pages) == [
            (1, "priya", "sleeping", "Tue 03:00"),
            (2, "diego", "sleeping", "Tue 02:10"),  # diego's zone is UTC
            (2, "priya", "sleeping", "Tue 03:10"),
        ]
        assert session.scalars(select(Escalation.state)).one() == "exhausted"
        kinds = [e.kind for e in session.scalars(select(GroupEvent).order_by(GroupEvent.id))]
        assert kinds.count("paged") == 3
        assert kinds.count("notified") == 4
        assert "routed" in kinds


def test_a_retry_after_date_is_read_on_the_workers_clock(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
) -> None:
    """A 429 with Retry-After as an HTTP date puts the send off until that date exactly."""
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    asked = T0 + timedelta(minutes=12)
    http_receiver.respond(429, retry_after=format_datetime(asked, usegmt=True))
    clock.set(T0 + timedelta(minutes=5))  # priya's webhook rule
    run(engine, paging_settings, clock)
    with make_session_factory(engine)() as session:
        hook = session.scalars(select(Notification).where(Notification.contact == "hook")).one()
        assert (hook.status, hook.attempts) == ("pending", 1)
        retry = session.scalars(
            select(Job).where(Job.kind == JOB_SEND, Job.finished_at.is_(None))
        ).one()
        assert (retry.payload, retry.due_at) == ({"notification_id": hook.id}, asked)
    clock.set(asked)
    run(engine, paging_settings, clock)
    assert [r.path for r in http_receiver.requests] == ["/priya", "/priya"]


def page_ids(engine: Engine) -> list[int]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Page.id).order_by(Page.id)))


def test_acknowledging_stops_the_escalation_before_the_next_step(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        group = session.scalars(select(AlertGroup)).one()
        groups.acknowledge(session, Principal("priya", Role.RESPONDER, "api"), group.id, clock())
    clock.set(T0 + timedelta(hours=1))
    run(engine, paging_settings, clock)
    assert [m["To"] for m in smtp_sink.messages] == ["priya@shop.example"]
    assert http_receiver.requests == []  # her 5-minute webhook was cancelled
    with factory() as session:
        assert session.scalars(select(Escalation.state)).one() == "stopped"
        assert session.scalars(select(Page.user_name)).all() == ["priya"]


def test_resolving_at_the_source_stops_the_escalation(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    client.post(paging, json=alert(status="resolved"))
    clock.set(T0 + timedelta(hours=1))
    run(engine, paging_settings, clock)
    assert len(smtp_sink.messages) == 1
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "resolved"
        assert session.scalars(select(Escalation.state)).one() == "stopped"


def links_in(mail: EmailMessage) -> dict[str, str]:
    body = mail.get_body(("plain",)).get_content()
    return dict(re.findall(r"^(Acknowledge|Resolve): (\S+)$", body, re.MULTILINE))


def test_the_emailed_acknowledge_link_asks_first_then_acts_once(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    path = links_in(smtp_sink.messages[0])["Acknowledge"].removeprefix("http://ninefold.test")

    shown = client.get(path)  # what a mail scanner does: changes nothing
    assert shown.status_code == 200
    assert 'data-testid="state">triggered<' in shown.text
    done = client.post(path)
    assert "Done: priya acknowledged this alert group." in done.text
    again = client.post(path)
    assert "Nothing to do: the group was already acknowledged." in again.text

    clock.set(T0 + timedelta(hours=1))
    run(engine, paging_settings, clock)
    assert len(smtp_sink.messages) == 1  # the escalation stopped
    with make_session_factory(engine)() as session:
        group = session.scalars(select(AlertGroup)).one()
        assert (group.state, group.acknowledged_by) == ("acknowledged", "priya")


def test_an_emailed_link_works_until_it_expires_on_the_apps_clock(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    """The link is signed with an expiry on the worker's clock and checked on the app's:
    the same clock, so it holds exactly LINK_LIFETIME, whatever the real date."""
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    path = links_in(smtp_sink.messages[0])["Acknowledge"].removeprefix("http://ninefold.test")
    clock.set(T0 + LINK_LIFETIME - timedelta(seconds=1))
    assert client.get(path).status_code == 200
    clock.set(T0 + LINK_LIFETIME)
    expired = client.post(path)
    assert expired.status_code == 422
    assert f"this link expired at {(T0 + LINK_LIFETIME).isoformat()}" in expired.text


def test_the_resolve_link_records_whether_the_page_was_actionable(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    path = links_in(smtp_sink.messages[0])["Resolve"].removeprefix("http://ninefold.test")
    assert "Was this page actionable?" in client.get(path).text
    client.post(path, data={"actionable": "no"})
    with make_session_factory(engine)() as session:
        group = session.scalars(select(AlertGroup)).one()
        assert (group.state, group.resolved_by) == ("resolved", "priya")
        answer = session.scalars(
            select(GroupEvent.detail).where(GroupEvent.kind == "actionable")
        ).one()
        assert answer == {"answer": "no"}


def test_forged_damaged_and_expired_links_are_refused(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    token = links_in(smtp_sink.messages[0])["Acknowledge"].rsplit("/", 1)[1]
    body, mac = token.split(".")
    forged = f"{body}.{mac[:-2]}{'A' if mac[-2] != 'A' else 'B'}{mac[-1]}"
    refused = client.post(f"/act/{forged}")
    assert refused.status_code == 422
    assert "not valid for this installation" in refused.text
    damaged = client.get("/act/nonsense")
    assert (damaged.status_code, "this link is damaged" in damaged.text) == (422, True)

    with make_session_factory(engine)() as session:
        secret = instance_secret(session, clock())
    expired = make_token(
        secret,
        Grant(
            1, "ack", "priya", datetime(2020, 1, 1, tzinfo=UTC), datetime(2019, 12, 31, tzinfo=UTC)
        ),
    )
    answer = client.post(f"/act/{expired}")
    assert answer.status_code == 422
    assert "this link expired at 2020-01-01T00:00:00+00:00" in answer.text
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "triggered"


def test_a_link_acts_only_on_the_page_it_came_with(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    """Acknowledged, then triggered again by "escalate now": the first email's link must not
    acknowledge the new page (issue 12), while the link of the new page does."""
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    old = links_in(smtp_sink.messages[0])["Acknowledge"].removeprefix("http://ninefold.test")
    assert "acknowledged" in client.post(old).text
    clock.set(T0 + timedelta(minutes=2))
    with unit_of_work(make_session_factory(engine)) as session:
        group = session.scalars(select(AlertGroup)).one()
        actions.escalate_now(session, Principal("lead", Role.ADMIN, "api"), group.id, clock())
    run(engine, paging_settings, clock)

    stale = client.post(old)
    assert stale.status_code == 409
    assert f"triggered again at {(T0 + timedelta(minutes=2)).isoformat()}" in stale.text
    assert client.get(old).status_code == 409
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "triggered"

    new = links_in(smtp_sink.messages[-1])["Acknowledge"].removeprefix("http://ninefold.test")
    assert client.post(new).status_code == 200
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "acknowledged"


def test_a_link_acts_with_the_persons_role_of_today(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    """Viewers cannot act on alerts (docs/security.md), by link no more than logged in: a
    person made a viewer after the page was sent cannot resolve through its link."""
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    path = links_in(smtp_sink.messages[0])["Resolve"].removeprefix("http://ninefold.test")
    with unit_of_work(make_session_factory(engine)) as session:
        session.scalars(select(User).where(User.name == "priya")).one().role = "viewer"
    refused = client.post(path)
    assert refused.status_code == 403
    assert "role viewer cannot act on alerts" in refused.text
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "triggered"


@pytest.fixture
def lead(engine: Engine, paging: str, clock: FrozenClock) -> dict[str, str]:
    make_user(engine, "lead", Role.RESPONDER, now=clock())
    return {
        "Authorization": f"Bearer {make_api_token(engine, 'lead', Role.RESPONDER, now=clock())}"
    }


def group_id(engine: Engine) -> int:
    with make_session_factory(engine)() as session:
        return session.scalars(select(AlertGroup.id)).one()


def test_escalate_now_pages_the_next_step_without_waiting(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    lead: dict[str, str],
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    answer = client.post(f"/api/v1/alert-groups/{group_id(engine)}/escalate", headers=lead)
    assert answer.status_code == 200, answer.text
    assert [p["user"] for p in answer.json()["pages"]] == ["priya", "priya", "diego"]
    assert answer.json()["state"] == "exhausted"
    run(engine, paging_settings, clock)
    clock.set(T0 + timedelta(minutes=10))
    run(engine, paging_settings, clock)  # the old step job is stale
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "diego@shop.example",
        "priya@shop.example",
        "priya@shop.example",
    ]
    again = client.post(f"/api/v1/alert-groups/{group_id(engine)}/escalate", headers=lead)
    assert again.status_code == 409
    assert "no further escalation step (exhausted)" in again.json()["error"]["message"]


def test_a_snoozed_group_triggers_again_and_pages_from_the_first_step(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    lead: dict[str, str],
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    url = f"/api/v1/alert-groups/{group_id(engine)}/snooze"
    assert client.post(url, json={"minutes": 0}, headers=lead).status_code == 422
    snoozed = client.post(url, json={"minutes": 30}, headers=lead)
    assert snoozed.json()["state"] == "acknowledged"
    clock.set(T0 + timedelta(minutes=29))
    run(engine, paging_settings, clock)
    assert len(smtp_sink.messages) == 1
    clock.set(T0 + timedelta(minutes=31))
    run(engine, paging_settings, clock)
    assert [m["To"] for m in smtp_sink.messages] == ["priya@shop.example"] * 2
    escalation = client.get(f"/api/v1/alert-groups/{group_id(engine)}/escalation", headers=lead)
    assert (escalation.json()["round"], escalation.json()["state"]) == (2, "running")
    with make_session_factory(engine)() as session:
        assert session.scalars(select(AlertGroup.state)).one() == "triggered"


def test_reassigning_pages_the_new_person_and_stops_the_policy(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    smtp_sink: SmtpSink,
    lead: dict[str, str],
    clock: FrozenClock,
) -> None:
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    url = f"/api/v1/alert-groups/{group_id(engine)}/reassign"
    missing = client.post(url, json={"user": "nobody"}, headers=lead)
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "user"
    answer = client.post(url, json={"user": "diego"}, headers=lead)
    assert (answer.json()["state"], answer.json()["assignee"]) == ("reassigned", "diego")
    assert answer.json()["pages"][-1]["reason"] == "reassigned by lead"
    run(engine, paging_settings, clock)
    clock.advance(hours=1)
    run(engine, paging_settings, clock)
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "diego@shop.example",
        "priya@shop.example",
    ]


def test_viewers_cannot_act_on_alerts(
    client: TestClient,
    engine: Engine,
    paging: str,
    paging_settings: Settings,
    clock: FrozenClock,
) -> None:
    make_user(engine, "watcher", Role.VIEWER, now=clock())
    token = make_api_token(engine, "watcher", Role.VIEWER, now=clock())
    viewer = {"Authorization": f"Bearer {token}"}
    client.post(paging, json=alert())
    run(engine, paging_settings, clock)
    for action in ("acknowledge", "escalate"):
        answer = client.post(f"/api/v1/alert-groups/{group_id(engine)}/{action}", headers=viewer)
        assert answer.status_code == 403
        assert answer.json()["error"]["message"].startswith("role viewer cannot")
