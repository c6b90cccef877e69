"""Silences and maintenance windows hold paging back and keep the record, on SQLite and
PostgreSQL: the example shop, alerts over HTTP, the worker run at chosen instants, real SMTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts.tables import GroupEvent, Integration
from ninefold.auth.model import Role
from ninefold.db import make_session_factory
from ninefold.paging.tables import Page
from ninefold.settings import Settings
from tests.factories import make_user
from tests.integration.conftest import bearer
from tests.support.clock import FrozenClock
from tests.support.paging import alertmanager_body, run_jobs
from tests.support.smtp_sink import SmtpSink


@pytest.fixture
def intake(shop: Engine) -> str:
    with make_session_factory(shop)() as session:
        key = session.scalars(select(Integration.key).where(Integration.name == "prometheus")).one()
    return f"/api/v1/integrations/alertmanager/{key}"


@pytest.fixture
def worker(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})


def fire(
    client: TestClient, intake: str, now: datetime, name: str = "CheckoutErrors", **labels: str
) -> int:
    """An alert of `name` firing since `now`; the group it opened."""
    body = alertmanager_body(name, starts_at=now, **labels)
    answer = client.post(intake, json=body)
    assert answer.status_code == 200, answer.text
    [group] = answer.json()["groups"]
    return int(group)


def iso(at: datetime) -> str:
    return at.isoformat()


def silence(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/silences", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def held_group(
    client: TestClient,
    headers: dict[str, str],
    intake: str,
    engine: Engine,
    worker: Settings,
    clock: FrozenClock,
    end: datetime,
    matchers: tuple[str, ...] = ("service=checkout",),
) -> tuple[dict[str, Any], int]:
    """A silence until `end`, and a group it holds: routed, not paged."""
    made = silence(client, headers, matchers=list(matchers), end=iso(end), reason="drill")
    group = fire(client, intake, clock())
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == []
    return made, group


def pages(engine: Engine, group: int) -> list[str]:
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(Page).where(Page.group_id == group).order_by(Page.id))
        return [f"{row.step}" for row in rows]


def kinds(engine: Engine, group: int) -> list[str]:
    with make_session_factory(engine)() as session:
        rows = session.scalars(
            select(GroupEvent).where(GroupEvent.group_id == group).order_by(GroupEvent.id)
        )
        return [row.kind for row in rows]


def escalation(client: TestClient, headers: dict[str, str], group: int) -> dict[str, Any]:
    answer = client.get(f"/api/v1/alert-groups/{group}/escalation", headers=headers)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_silence_holds_a_matching_group_and_it_pages_when_the_silence_ends(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    smtp_sink: SmtpSink,
    clock: FrozenClock,
) -> None:
    now = clock()
    end = now + timedelta(minutes=30)
    made = silence(
        client,
        admin_headers,
        matchers=["service=checkout", 'alertname=~"Checkout.*"'],
        start=iso(now - timedelta(minutes=1)),
        end=iso(end),
        reason="checkout database failover drill",
    )
    assert made["matchers"] == ['service="checkout"', 'alertname=~"Checkout.*"']
    assert (made["state"], made["created_by"], made["ended_by"]) == ("active", "root", None)

    group = fire(client, intake, now)
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == []
    assert smtp_sink.messages == []
    held = escalation(client, admin_headers, group)
    assert (held["state"], held["held_by"]) == ("silenced", f"silence:{made['id']}")
    assert held["next_step_at"] == end.isoformat().replace("+00:00", "Z")
    detail = client.get(f"/api/v1/alert-groups/{group}", headers=admin_headers).json()
    [event] = [e for e in detail["timeline"] if e["kind"] == "held"]
    assert event["detail"]["reason"] == "checkout database failover drill"
    assert event["detail"]["by"] == "root"

    clock.set(end - timedelta(seconds=1))
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == []
    clock.set(end)
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == ["1"]
    assert len(smtp_sink.messages) == 1
    events = kinds(engine, group)
    assert events[events.index("held") + 1 :][:2] == ["hold_over", "paged"]
    assert escalation(client, admin_headers, group)["state"] == "running"


def test_ending_a_silence_early_pages_at_once_and_keeps_the_record(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    clock: FrozenClock,
) -> None:
    now = clock()
    made, group = held_group(
        client,
        admin_headers,
        intake,
        engine,
        worker,
        clock,
        now + timedelta(hours=2),
        ("severity=critical",),
    )

    ended = client.delete(f"/api/v1/silences/{made['id']}", headers=admin_headers)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["state"], ended.json()["ended_by"]) == ("expired", "root")
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == ["1"]

    listed = client.get("/api/v1/silences?state=expired", headers=admin_headers).json()
    assert ([s["id"] for s in listed["items"]], listed["total"]) == ([made["id"]], 1)
    assert client.get("/api/v1/silences", headers=admin_headers).json()["items"] == []
    again = client.delete(f"/api/v1/silences/{made['id']}", headers=admin_headers)
    assert again.json()["end"] == ended.json()["end"]


def test_a_silence_must_match_every_firing_alert_of_the_group(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    clock: FrozenClock,
) -> None:
    now = clock()
    silence(
        client,
        admin_headers,
        matchers=['alertname="DiskFull"'],
        end=iso(now + timedelta(hours=1)),
        reason="disk swap",
    )
    group = fire(client, intake, now, "CheckoutErrors")
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == ["1"]
    assert "held" not in kinds(engine, group)


@pytest.mark.parametrize(("at_end", "paged_after"), [("page", ["1"]), ("quiet", [])])
def test_a_maintenance_window_holds_its_service_and_at_end_says_what_follows(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    at_end: str,
    paged_after: list[str],
    clock: FrozenClock,
) -> None:
    now = clock()
    end = now + timedelta(hours=1)
    body = {
        "service": "checkout",
        "start": iso(now - timedelta(minutes=5)),
        "end": iso(end),
        "at_end": at_end,
        "reason": "payment provider migration",
    }
    made = client.post("/api/v1/maintenance-windows", json=body, headers=admin_headers)
    assert made.status_code == 201, made.text
    window = made.json()
    group = fire(client, intake, now)
    other = fire(client, intake, now, "SearchSlow", service="search")
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == []
    assert pages(engine, other) == ["1"], "another service's alert pages as usual"
    held = escalation(client, admin_headers, group)
    assert (held["state"], held["held_by"]) == ("maintenance", f"maintenance:{window['id']}")
    assert windows(client, admin_headers, "active") == [window["id"]]

    clock.set(end + timedelta(seconds=1))
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == paged_after
    state = client.get(f"/api/v1/alert-groups/{group}", headers=admin_headers).json()["state"]
    assert state == "triggered", "the record stays either way"
    last = "hold_over" if at_end == "page" else "hold_over_quiet"
    assert last in kinds(engine, group)
    assert windows(client, admin_headers, "active") == []
    assert windows(client, admin_headers, "expired") == [window["id"]]


def windows(client: TestClient, headers: dict[str, str], state: str) -> list[int]:
    """The ids of checkout's maintenance windows in `state`."""
    listed = client.get(
        f"/api/v1/maintenance-windows?service=checkout&state={state}", headers=headers
    )
    assert listed.status_code == 200, listed.text
    return [w["id"] for w in listed.json()["items"]]


def test_a_group_acknowledged_while_held_is_never_paged(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    clock: FrozenClock,
) -> None:
    now = clock()
    end = now + timedelta(minutes=20)
    _, group = held_group(client, admin_headers, intake, engine, worker, clock, end)
    acked = client.post(f"/api/v1/alert-groups/{group}/acknowledge", headers=admin_headers)
    assert acked.status_code == 200
    clock.set(end + timedelta(minutes=1))
    run_jobs(engine, worker, clock)
    assert pages(engine, group) == []
    assert escalation(client, admin_headers, group)["state"] == "stopped"


# Validation happens before the database is asked anything: SQLite is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        (
            "silences",
            {"matchers": ["service=="], "reason": "x"},
            "matchers[0]",
            "invalid label matcher",
        ),
        ("silences", {"matchers": ['x=~"("'], "reason": "x"}, "matchers[0]", "regular expression"),
        ("silences", {"matchers": [], "reason": "x"}, "matchers", "at least 1"),
        ("silences", {"matchers": ["a=b"], "reason": "x", "end": "past"}, "end", "in the future"),
        (
            "silences",
            {"matchers": ["a=b"], "reason": "x", "end": "2030-01-01T00:00:00"},
            "end",
            "timezone",
        ),
        ("silences", {"matchers": ["a=b"], "reason": "", "end": "later"}, "reason", "at least 1"),
        (
            "maintenance-windows",
            {"service": "nope", "reason": "x"},
            "service",
            "no service named 'nope'",
        ),
        (
            "maintenance-windows",
            {"service": "checkout", "reason": "x", "end": "before"},
            "end",
            "after start",
        ),
        (
            "maintenance-windows",
            {"service": "checkout", "reason": "x", "at_end": "later"},
            "at_end",
            "page",
        ),
    ],
)
def test_bad_silences_and_windows_are_refused_naming_the_field(
    client: TestClient,
    admin_headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    field: str,
    words: str,
    clock: FrozenClock,
) -> None:
    now = clock()
    times = {
        "past": iso(now - timedelta(minutes=1)),
        "later": iso(now + timedelta(hours=1)),
        "before": iso(now + timedelta(minutes=10)),
    }
    payload = {"start": iso(now + timedelta(minutes=30)), "end": times["later"], **body}
    payload["end"] = times.get(payload["end"], payload["end"])
    if path == "silences":
        payload.pop("start")
    answer = client.post(f"/api/v1/{path}", json=payload, headers=admin_headers)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == field
    assert words in error["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_viewers_cannot_silence_and_unknown_ids_are_404(
    client: TestClient, shop: Engine, admin_headers: dict[str, str], clock: FrozenClock
) -> None:
    now = clock()
    make_user(shop, "vic", Role.VIEWER, now=clock())
    body = {"matchers": ["a=b"], "end": iso(now + timedelta(hours=1)), "reason": "x"}
    refused = client.post(
        "/api/v1/silences", json=body, headers=bearer(shop, "vic", Role.VIEWER, clock())
    )
    assert refused.status_code == 403
    assert client.delete("/api/v1/silences/999", headers=admin_headers).status_code == 404
    assert (
        client.delete("/api/v1/maintenance-windows/999", headers=admin_headers).status_code == 404
    )


def test_escalate_now_pages_through_a_silence_because_a_person_asked(
    client: TestClient,
    engine: Engine,
    admin_headers: dict[str, str],
    intake: str,
    worker: Settings,
    clock: FrozenClock,
) -> None:
    now = clock()
    _, group = held_group(
        client, admin_headers, intake, engine, worker, clock, now + timedelta(hours=1)
    )
    answer = client.post(f"/api/v1/alert-groups/{group}/escalate", headers=admin_headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["held_by"]) == ("running", None)
    assert pages(engine, group) == ["1"]
