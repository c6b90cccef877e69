"""What the worker does for incidents, on the example shop with a real SMTP server: declare
rules sweeping the open alert groups, role assignments and status updates sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.auth.model import Role
from ninefold.db import make_session_factory, unit_of_work
from ninefold.incidents import read
from ninefold.incidents.schemas import StakeholderSpec
from ninefold.incidents.sections import STAKEHOLDER
from ninefold.incidents.settings import STAKEHOLDERS
from ninefold.jobs import worker
from ninefold.settings import Settings
from ninefold.worker.runner import Worker
from tests.factories import make_user
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.paging import alertmanager_body
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def mailing(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp_sink.host,
            "smtp_port": smtp_sink.port,
            "public_url": "http://ninefold.test",
        }
    )


@pytest.fixture
def api(client: TestClient, admin_headers: dict[str, str], clock: FrozenClock) -> TestClient:
    clock.set(T0)
    client.headers.update(admin_headers)
    return client


def run(the_worker: Worker) -> None:
    while the_worker.run_once():
        pass


def test_a_page_nobody_takes_on_a_tier_0_service_declares_once_after_15_minutes(
    api: TestClient, engine: Engine, mailing: Settings, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    with make_session_factory(engine)() as session:
        path = integrations.intake_path(integrations.get_row(session, "prometheus"))
    body = alertmanager_body("CheckoutErrors", starts_at=T0 - timedelta(minutes=1))
    assert api.post(path, json=body).status_code == 200
    the_worker = worker(make_session_factory(engine), mailing, clock, timedelta(minutes=2))
    run(the_worker)
    assert [m["To"] for m in smtp_sink.messages] == ["diego@shop.example"]  # on call at T0
    assert api.get("/api/v1/incidents").json()["total"] == 0

    clock.set(T0 + timedelta(minutes=14, seconds=59))
    run(the_worker)
    assert api.get("/api/v1/incidents").json()["total"] == 0
    clock.set(T0 + timedelta(minutes=16))
    run(the_worker)
    clock.set(T0 + timedelta(minutes=30))
    run(the_worker)
    listed = api.get("/api/v1/incidents").json()
    assert listed["total"] == 1
    [incident] = listed["items"]
    assert (incident["severity"], incident["declared_via"], incident["declared_by"]) == (
        "SEV2",
        "rule:unanswered-tier0-page",
        "rule:unanswered-tier0-page",
    )
    assert incident["title"] == "Checkout fails 12% of requests"  # the group's
    # Declared by the sweep of minute 16; detected when the group opened.
    assert incident["instants"]["declared"] == "2026-05-04T14:16:00Z"
    assert incident["effective"]["detected"] == "2026-05-04T14:00:00Z"


def test_a_role_and_an_update_are_sent_once_each_by_email(
    api: TestClient, engine: Engine, mailing: Settings, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        STAKEHOLDER.delete(session, {"storefront-channel"})
    declared = api.post(
        "/api/v1/incidents",
        json={"title": "Card payments fail", "severity": "SEV1", "services": ["payments"]},
    ).json()
    number = declared["id"]
    api.post(f"/api/v1/incidents/{number}/roles", json={"role": "commander", "user": "diego"})
    api.post(f"/api/v1/incidents/{number}/updates", json={"text": "Failing over to PSP B."})
    the_worker = worker(make_session_factory(engine), mailing, clock, timedelta(minutes=2))
    run(the_worker)
    clock.set(T0 + timedelta(hours=1))
    run(the_worker)
    got = sorted((m["To"], m["Subject"]) for m in smtp_sink.messages)
    assert got == [
        (
            "diego@shop.example",
            f"[SEV1] You are incident commander of incident #{number}: Card payments fail",
        ),
        (
            "partner-desk@shop.example",
            f"[SEV1] Incident #{number} investigating: Card payments fail",
        ),
        (
            "support-leads@shop.example",
            f"[SEV1] Incident #{number} investigating: Card payments fail",
        ),
    ]
    update_mail = next(m for m in smtp_sink.messages if m["To"] == "support-leads@shop.example")
    text = update_mail.get_body(("plain",)).get_content()
    assert "Failing over to PSP B." in text
    assert f"http://ninefold.test/incidents/{number}" in text
    with make_session_factory(engine)() as session:
        [update] = read.detail(session, number, clock()).updates
    assert (update.recipients, update.sent) == (2, 2)


def test_an_overdue_item_reminds_its_owner_once_and_an_unreachable_owner_is_shown(
    api: TestClient, engine: Engine, mailing: Settings, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    make_user(engine, "mute", Role.RESPONDER, now=T0)  # no email, no contact method
    number = api.post(
        "/api/v1/incidents",
        json={"title": "Slow search", "severity": "SEV3", "services": ["search"]},
    ).json()["id"]
    url = f"/api/v1/incidents/{number}/action-items"
    owned = api.post(
        url, json={"kind": "detect", "title": "Alert on p99", "owner": "kenji", "due": "2026-05-06"}
    ).json()
    api.post(
        url,
        json={
            "kind": "process",
            "title": "Write the runbook",
            "owner": "mute",
            "due": "2026-05-06",
        },
    )
    api.post(url, json={"kind": "prevent", "title": "Cap the query size", "due": "2026-05-06"})
    the_worker = worker(make_session_factory(engine), mailing, clock, timedelta(minutes=2))
    clock.set(datetime(2026, 5, 6, 23, 0, tzinfo=UTC))  # due today: not overdue yet
    run(the_worker)
    assert smtp_sink.messages == []
    for hours in (1, 2, 30):  # overdue from 7 May; swept again and again
        clock.set(datetime(2026, 5, 6, 23, 0, tzinfo=UTC) + timedelta(hours=hours))
        run(the_worker)
    assert [(m["To"], m["Subject"]) for m in smtp_sink.messages] == [
        ("kenji@shop.example", f"Overdue action item #{owned['id']}: Alert on p99")
    ]
    listed = api.get("/api/v1/action-items", params={"team": "storefront"}).json()["items"]
    said = {i["title"]: i["reminder"] for i in listed}
    assert said == {
        "Alert on p99": "reminder sent to kenji (email)",
        "Write the runbook": "reminder not sent: mute has no contact method",
        "Cap the query size": "reminder not sent: (no owner) has no contact method",
    }
    # A new due date is a new deadline: reminded again when it passes.
    api.patch(f"/api/v1/action-items/{owned['id']}", json={"due": "2026-05-09"})
    clock.set(datetime(2026, 5, 10, 1, 0, tzinfo=UTC))
    run(the_worker)
    assert len([m for m in smtp_sink.messages if m["To"] == "kenji@shop.example"]) == 2


def test_each_team_gets_its_weekly_digest_on_monday_morning_in_its_zone_once(
    api: TestClient, engine: Engine, mailing: Settings, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    """payments is in Asia/Kolkata (UTC+5:30): its Monday 09:00 is 03:30 UTC; storefront's
    (Europe/Berlin, summer time) is 07:00 UTC. platform has nothing open: no digest."""
    for service, title in (("checkout", "Card payments fail"), ("search", "Slow search")):
        number = api.post(
            "/api/v1/incidents", json={"title": title, "severity": "SEV2", "services": [service]}
        ).json()["id"]
        api.post(
            f"/api/v1/incidents/{number}/action-items",
            json={"kind": "detect", "title": f"Watch {service}"},
        )
    the_worker = worker(make_session_factory(engine), mailing, clock, timedelta(minutes=2))

    def digests() -> list[str]:
        return sorted(m["To"] for m in smtp_sink.messages if "digest" in m["Subject"])

    clock.set(datetime(2026, 5, 11, 3, 0, tzinfo=UTC))  # Monday 08:30 in Kolkata
    run(the_worker)
    assert digests() == []
    clock.set(datetime(2026, 5, 11, 3, 45, tzinfo=UTC))
    run(the_worker)
    assert digests() == ["diego@shop.example", "priya@shop.example"]
    clock.set(datetime(2026, 5, 11, 7, 15, tzinfo=UTC))
    run(the_worker)
    clock.set(datetime(2026, 5, 11, 9, 0, tzinfo=UTC))
    run(the_worker)
    assert digests() == [
        "amelia@shop.example",
        "diego@shop.example",
        "kenji@shop.example",
        "priya@shop.example",
        "sam@shop.example",
    ]
    body = next(m for m in smtp_sink.messages if m["To"] == "kenji@shop.example")
    text = body.get_body(("plain",)).get_content()
    assert "Open action items: 1, of which 0 overdue." in text
    assert "Watch search" in text
    assert "Watch checkout" not in text


def test_an_update_to_a_busy_webhook_is_retried_and_a_refused_one_fails_once(
    api: TestClient,
    engine: Engine,
    mailing: Settings,
    clock: FrozenClock,
    http_receiver: HttpReceiver,
) -> None:
    """A 503 is tried again after a backoff, under the same idempotency key; a 404 will never
    work and is failed at once; the update shows what it reached."""
    with unit_of_work(make_session_factory(engine)) as session:
        STAKEHOLDER.delete(session, {"support-leads", "payments-partners", "storefront-channel"})
        for name in ("busy", "gone"):
            spec = StakeholderSpec(name=name, kind="webhook", address=http_receiver.url(f"/{name}"))
            STAKEHOLDERS.write(session, spec, "api", T0)
    http_receiver.respond(503, 404)  # to busy, then to gone
    number = api.post(
        "/api/v1/incidents", json={"title": "Cart down", "severity": "SEV2", "services": ["cart"]}
    ).json()["id"]
    api.post(f"/api/v1/incidents/{number}/updates", json={"text": "Looking into it."})
    the_worker = worker(make_session_factory(engine), mailing, clock, timedelta(minutes=2))
    run(the_worker)
    assert [r.path for r in http_receiver.requests] == ["/busy", "/gone"]
    clock.set(T0 + timedelta(minutes=1))  # past the first backoff (15 s)
    run(the_worker)
    clock.set(T0 + timedelta(hours=1))
    run(the_worker)
    first, _refused, retried = http_receiver.requests
    assert retried.path == "/busy"
    assert retried.headers["idempotency-key"] == first.headers["idempotency-key"]
    [update] = api.get(f"/api/v1/incidents/{number}").json()["updates"]
    assert (update["recipients"], update["sent"]) == (2, 1)
