"""The records the KPIs read, loaded from what the other domains stored (SQLite and
PostgreSQL): an incident's effective instants, its postmortem's review and deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.alerts import integrations
from ninefold.auth.model import Role
from ninefold.changes.dora import Period
from ninefold.db import make_session_factory
from ninefold.reports import incident_kpis, paging_kpis
from ninefold.reports.records import incident_records, item_records, paging_records, shift_records
from ninefold.settings import Settings
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body, run_jobs
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)  # Monday; 19:30 in Kolkata (payments' zone)


@pytest.fixture
def client(client: TestClient, admin_headers: dict[str, str]) -> TestClient:
    """An admin's client on the example shop."""
    client.headers.update(admin_headers)
    return client


def page_at_t0(
    client: TestClient, engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink, settings: Settings
) -> None:
    """An Alertmanager alert on checkout at T0, paged by email through the worker."""
    clock.set(T0)
    mailing = settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
    with make_session_factory(engine)() as session:
        path = integrations.intake_path(integrations.get_row(session, "prometheus"))
    assert client.post(path, json=alertmanager_body(starts_at=T0)).status_code == 200
    run_jobs(engine, mailing, clock)


def test_the_kpis_read_what_incidents_and_postmortems_stored(
    client: TestClient, clock: FrozenClock, engine: Engine
) -> None:
    clock.set(T0)
    start = (T0 - timedelta(minutes=20)).isoformat()
    number = client.post(
        "/api/v1/incidents",
        json={
            "title": "Checkout fails",
            "severity": "SEV2",
            "services": ["checkout"],
            "impact_start": start,
        },
    ).json()["id"]
    client.patch(f"/api/v1/incidents/{number}/instants", json={"acknowledged": T0.isoformat()})
    clock.set(T0 + timedelta(minutes=40))
    client.post(f"/api/v1/incidents/{number}/status", json={"status": "resolved"})
    client.post(f"/api/v1/incidents/{number}/postmortem")
    client.post(
        f"/api/v1/incidents/{number}/action-items",
        json={"kind": "detect", "title": "x", "due": "2026-05-10"},
    )
    clock.set(T0 + timedelta(days=2))
    state = f"/api/v1/incidents/{number}/postmortem/state"
    client.post(state, json={"state": "in_review", "reviewers": ["priya"]})
    client.post(state, json={"state": "reviewed"})

    may = Period(datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    with make_session_factory(engine)() as session:
        [record] = incident_records(session, may.start, may.end)
        [item] = item_records(session, may.start, may.end)
    # Detected at the declaration (14:00, no group), impact 13:40: 20 minutes to detect;
    # mitigated and resolved at 14:40: 60 minutes to recover.
    assert record.instants.detected == T0
    assert incident_kpis.time_to_detect([record], may).mean == 20.0
    assert incident_kpis.time_to_recover([record], may).mean == 60.0
    # Resolved Monday 4 May 14:40 UTC, 20:10 in Kolkata; five business days: 5, 6, 7, 8 and
    # 11 May (the weekend skipped); due at the end of 11 May there, 18:30 UTC.
    assert record.deadline == datetime(2026, 5, 11, 18, 30, tzinfo=UTC)
    assert record.reviewed_at == T0 + timedelta(days=2)
    timeliness = incident_kpis.postmortem_timeliness([record], may)
    assert (timeliness.numerator, timeliness.denominator) == (1, 1)
    assert (item.due.isoformat(), item.closed_on) == ("2026-05-10", None)


def test_pages_groups_and_shifts_come_from_what_paging_did(
    client: TestClient, engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink, settings: Settings
) -> None:
    """An Alertmanager alert on checkout pages the payments on-call person by email at T0;
    acknowledged 6 minutes later and resolved "yes": MTTA 6 minutes, one page to diego at
    09:00 on a Monday in Chicago (his zone: working hours), with his team's holidays, and an
    actionable ratio of 1."""
    page_at_t0(client, engine, clock, smtp_sink, settings)
    [group] = client.get("/api/v1/alert-groups").json()["items"]
    clock.set(T0 + timedelta(minutes=6))
    client.post(f"/api/v1/alert-groups/{group['id']}/acknowledge")
    client.post(f"/api/v1/alert-groups/{group['id']}/resolve", json={"actionable": "yes"})

    day = Period(T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1))
    with make_session_factory(engine)() as session:
        found = paging_records(session, day.start, day.end)
        shifts = shift_records(session, day.start, day.end)
    [page] = found.pages
    assert (page.user, page.sent_at, page.time_zone) == ("diego", T0, "America/Chicago")
    assert date(2026, 10, 20) in page.holidays  # payments' holidays
    assert paging_kpis.off_hours(page) is False
    assert paging_kpis.mtta(found.groups, day).durations.mean == 6.0
    assert paging_kpis.actionable_ratio(found.groups, day).value == 1.0
    on_call = {s.user for s in shifts if s.schedule == "payments-primary" and s.start <= T0 < s.end}
    assert on_call == {page.user}


def test_alert_quality_through_the_api_names_each_rule_with_its_evidence(
    client: TestClient, engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink, settings: Settings
) -> None:
    """One CheckoutErrors page, answered "no": with min_pages 1, tune or delete."""
    page_at_t0(client, engine, clock, smtp_sink, settings)
    [group] = client.get("/api/v1/alert-groups").json()["items"]
    client.post(f"/api/v1/alert-groups/{group['id']}/resolve", json={"actionable": "no"})
    params = {"from": "2026-05-04", "to": "2026-05-05", "min_pages": "1"}
    [rule] = client.get("/api/v1/alert-quality", params=params).json()["items"]
    assert (rule["alertname"], rule["service"], rule["pages"]) == ("CheckoutErrors", "checkout", 1)
    assert (rule["tune_or_delete"], rule["evidence"]) == (
        True,
        "1 page; 0 of 1 answered actionable (0%)",
    )
    assert rule["groups"] == [group["id"]]


def test_oncall_load_shows_team_figures_to_all_and_a_persons_row_to_them_and_admins(
    client: TestClient, engine: Engine, clock: FrozenClock, smtp_sink: SmtpSink, settings: Settings
) -> None:
    """diego is paged at T0 (Monday 09:00 in Chicago, his handoff from priya) while on call
    in payments-primary. Over 4 May: 24 on-call hours (priya 14, diego 10), 1 page, none off
    hours. The admin sees both rows; diego and priya their own; maria (platform) the team
    figures only."""
    page_at_t0(client, engine, clock, smtp_sink, settings)
    params = {"from": "2026-05-04", "to": "2026-05-05", "team": "payments"}

    def seen(headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
        answer = client.get("/api/v1/oncall-load", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    [admin] = seen()
    assert (admin["schedule"], admin["team"], admin["hours"], admin["pages"]) == (
        "payments-primary",
        "payments",
        24.0,
        1,
    )
    assert admin["off_hours_pages"] == 0
    assert [(p["user"], p["hours"], p["pages"]) for p in admin["people"]] == [
        ("diego", 10.0, 1),
        ("priya", 14.0, 0),
    ]
    for name, own in (("diego", [("diego", 1)]), ("priya", [("priya", 0)]), ("maria", [])):
        [schedule] = seen(bearer(engine, name, Role.RESPONDER, clock()))
        assert (schedule["hours"], schedule["pages"]) == (24.0, 1)
        assert [(p["user"], p["pages"]) for p in schedule["people"]] == own
    wrong = client.get("/api/v1/oncall-load", params={**params, "team": "nobody"})
    assert (wrong.status_code, "unknown team 'nobody'" in wrong.text) == (422, True)
