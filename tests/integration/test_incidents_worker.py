"""What the worker does for incidents, on the example shop with a real SMTP server: declare
rules sweeping the open alert groups, role assignments and status updates sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.db import make_session_factory, unit_of_work
from ninefold.incidents import read
from ninefold.incidents.sections import STAKEHOLDER
from ninefold.jobs import worker
from ninefold.settings import Settings
from ninefold.worker.runner import Worker
from tests.support.clock import FrozenClock
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
