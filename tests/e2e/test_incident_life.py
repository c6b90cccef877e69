"""The whole life of an incident in one test, against a real SMTP server, with the clock
injected: an alert arrives and pages; it is acknowledged; an incident is declared from it;
roles are assigned; two status updates go out; it is mitigated and resolved; the postmortem
draft holds the timeline and the error budget burned; action items are added; one goes
overdue and its owner is reminded once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.db import make_session_factory
from ninefold.jobs import worker
from ninefold.settings import Settings
from ninefold.slos.sources.sample import incident_starts
from tests.factories import EXAMPLES, load_examples, make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.pinned


@pytest.fixture
def shop(
    tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink
) -> Iterator[tuple[TestClient, Settings]]:
    """The example shop with its sample SLO data, mail to the SMTP sink, an admin's client."""
    load_examples(engine, now=clock())
    make_user(engine, "root", Role.ADMIN, now=clock())
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        config_dir=EXAMPLES,
        slo_source="sample",
        smtp_host=smtp_sink.host,
        smtp_port=smtp_sink.port,
        public_url="http://ninefold.test",
    )
    with TestClient(create_app(settings, engine, clock)) as client:
        client.headers.update(bearer(engine, "root", Role.ADMIN, clock()))
        yield client, settings


def test_an_incident_from_the_first_page_to_the_reminder_of_its_last_action_item(
    shop: tuple[TestClient, Settings], engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink
) -> None:
    api, settings = shop
    # checkout/availability's latest outage in the sample data (one every nine days, 40
    # minutes long) that ended before now: looking back twice nine days finds one at any time.
    outage = incident_starts(
        "checkout", "availability", clock() - timedelta(days=18), clock() - timedelta(hours=2)
    )[-1]
    clock.set(outage + timedelta(minutes=2))
    the_worker = worker(make_session_factory(engine), settings, clock, timedelta(minutes=2))

    def run() -> None:
        while the_worker.run_once():
            pass

    def mails_since(count: int) -> list[tuple[str, str]]:
        return [(m["To"], m["Subject"]) for m in smtp_sink.messages[count:]]

    # An alert arrives and pages the one on call.
    with make_session_factory(engine)() as session:
        intake = integrations.intake_path(integrations.get_row(session, "prometheus"))
    alert = alertmanager_body("CheckoutErrors", starts_at=outage)
    assert api.post(intake, json=alert).status_code == 200
    run()
    [(_paged, subject)] = mails_since(0)
    assert subject == "[CRITICAL] Checkout fails 12% of requests (checkout)"
    [group] = api.get("/api/v1/alert-groups").json()["items"]

    # Acknowledged; an incident is declared from the group.
    clock.set(outage + timedelta(minutes=5))
    assert api.post(f"/api/v1/alert-groups/{group['id']}/acknowledge").status_code == 200
    clock.set(outage + timedelta(minutes=7))
    incident = api.post(
        "/api/v1/incidents",
        json={"severity": "SEV2", "groups": [group["id"]], "impact_start": outage.isoformat()},
    ).json()
    number = incident["id"]
    assert incident["derived"]["time_to_detect"] == 2.0  # the group opened 2 minutes in
    assert incident["derived"]["time_to_acknowledge"] == 3.0

    # Roles, then two updates.
    seen = len(smtp_sink.messages)
    api.post(f"/api/v1/incidents/{number}/roles", json={"role": "commander", "user": "priya"})
    api.post(f"/api/v1/incidents/{number}/roles", json={"role": "communications", "user": "diego"})
    api.post(f"/api/v1/incidents/{number}/updates", json={"text": "Checkout fails for 12%."})
    clock.set(outage + timedelta(minutes=20))
    api.post(f"/api/v1/incidents/{number}/updates", json={"text": "Rolled back; recovering."})
    run()
    got = sorted(mails_since(seen))
    title = "Checkout fails 12% of requests"
    assert got == sorted(
        [
            (
                "priya@shop.example",
                f"[SEV2] You are incident commander of incident #{number}: {title}",
            ),
            (
                "diego@shop.example",
                f"[SEV2] You are communications lead of incident #{number}: {title}",
            ),
            *[
                (to, f"[SEV2] Incident #{number} investigating: {title}")
                for to in ("support-leads@shop.example", "partner-desk@shop.example")
                for _ in range(2)
            ],
        ]
    )

    # Mitigated when the outage ends, resolved a little later.
    clock.set(outage + timedelta(minutes=40))
    api.post(f"/api/v1/incidents/{number}/status", json={"status": "monitoring"})
    clock.set(outage + timedelta(minutes=55))
    resolved = api.post(f"/api/v1/incidents/{number}/status", json={"status": "resolved"}).json()
    assert resolved["derived"] == {
        "time_to_detect": 2.0,
        "time_to_acknowledge": 3.0,
        "time_to_mitigate": 40.0,
        "time_to_recover": 55.0,
        "customer_impact": 40.0,
    }

    # The postmortem draft: the pinned timeline and the budget the 40 minutes burned.
    acked = next(e for e in resolved["timeline"] if e["kind"] == "alert_acknowledged")
    api.put(f"/api/v1/incidents/{number}/pins/{acked['ref']}")
    draft = api.post(f"/api/v1/incidents/{number}/postmortem").json()
    [burn] = [b for b in draft["budget"] if b["slo"] == "availability"]
    assert burn["share"] > 0
    assert (
        f"This incident used {burn['share']:.1%} of checkout/availability's"
        in (draft["sections"]["impact"])
    )
    assert draft["sections"]["timeline"] == (
        f"- {acked['at'][:16].replace('T', ' ')} UTC: {acked['text']}"
    )
    assert draft["required"] == ["SEV2 requires a postmortem"]
    assert draft["sections"]["detection"].startswith(f"- Alert group #{group['id']} opened ")
    assert "(acknowledged " in draft["sections"]["detection"]

    # Action items; one goes overdue and its owner is reminded, once.
    due = (clock() + timedelta(days=2)).date().isoformat()
    url = f"/api/v1/incidents/{number}/action-items"
    late = api.post(
        url, json={"kind": "detect", "title": "Page on 5xx ratio", "owner": "diego", "due": due}
    ).json()
    api.post(url, json={"kind": "prevent", "title": "Canary checkout deploys", "owner": "priya"})
    seen = len(smtp_sink.messages)
    for days in (1, 3, 4, 5):
        clock.set(outage + timedelta(days=days))
        run()
    reminders = [m for m in mails_since(seen) if "Overdue" in m[1]]
    assert reminders == [
        ("diego@shop.example", f"Overdue action item #{late['id']}: Page on 5xx ratio")
    ]
