"""Ninefold's own reliability on /metrics, on SQLite and PostgreSQL: the job queue by kind,
the workers' heartbeats, notifications by channel and the wait for each group's first
notification, all read from the database at the scrape (what another server would say too);
then a real Prometheus scraping a real server, and the rules of `ninefold self-rules` asked
of what it scraped."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, select

from ninefold.alerts import integrations
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.app import create_app
from ninefold.auth.schemas import UserSpec
from ninefold.auth.service import write_user
from ninefold.db import make_session_factory, unit_of_work
from ninefold.paging import policies
from ninefold.paging.schemas import EscalationPolicySpec, RouteSpec
from ninefold.settings import Settings
from ninefold.worker import heartbeat, queue
from ninefold.worker.runner import JobContext, Worker
from ninefold.worker.tables import WorkerSeen
from tests.integration.prometheus_server import PROMTOOL, running_prometheus
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.live_server import serving
from tests.support.paging import alertmanager_body, run_jobs
from tests.support.smtp_sink import SmtpSink
from tests.support.waiting import eventually

T0 = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def clock(clock: FrozenClock) -> FrozenClock:
    clock.set(T0)
    return clock


@pytest.fixture
def scrape(settings: Settings, engine: Engine, clock: FrozenClock) -> Callable[[], Samples]:
    """A fresh server's /metrics at the clock's time (a fresh one: the notification totals
    are kept for a minute by the server that counted them)."""

    def read() -> Samples:
        with TestClient(create_app(settings, engine, clock)) as client:
            text = client.get("/metrics").text
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    return read


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def by(samples: Samples, name: str, label: str) -> dict[str, float]:
    return {dict(k)[label]: v for (n, k), v in samples.items() if n == name}


def test_the_queue_by_kind_due_oldest_retrying_and_failed(
    engine: Engine, clock: FrozenClock, scrape: Callable[[], Samples]
) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        queue.enqueue(session, "flaky", {}, T0, now=T0, max_attempts=3)
        queue.enqueue(session, "doomed", {}, T0, now=T0, max_attempts=1)

    def broken(_ctx: JobContext) -> None:
        raise RuntimeError("the handler is broken")

    Worker(factory, {"flaky": broken, "doomed": broken}, clock=clock).run_once()
    with unit_of_work(factory) as session:
        for seconds in (90, 30):
            queue.enqueue(session, "notification.send", {}, T0 - timedelta(seconds=seconds), now=T0)
        queue.enqueue(session, "reports.delivery.sweep", {}, T0 + timedelta(minutes=5), now=T0)
    samples = scrape()
    assert by(samples, "ninefold_jobs_queued", "kind") == {
        "flaky": 0.0,  # due again after its backoff
        "notification.send": 2.0,
        "reports.delivery.sweep": 0.0,  # not due yet
    }
    assert by(samples, "ninefold_jobs_oldest_due_age_seconds", "kind") == {
        "flaky": 0.0,
        "notification.send": 90.0,
        "reports.delivery.sweep": 0.0,
    }
    assert by(samples, "ninefold_jobs_retrying", "kind")["flaky"] == 1.0
    assert by(samples, "ninefold_jobs_failed_last_hour", "kind") == {"doomed": 1.0}

    clock.advance(minutes=61)
    samples = scrape()
    assert by(samples, "ninefold_jobs_failed_last_hour", "kind") == {}
    assert value(samples, "ninefold_jobs_oldest_due_age_seconds", kind="notification.send") == (
        61 * 60 + 90.0
    )


def test_heartbeats_say_which_workers_are_up_and_are_forgotten_after_an_hour(
    engine: Engine, clock: FrozenClock, scrape: Callable[[], Samples]
) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        heartbeat.beat(session, "host-a:1", T0, T0, 0)
        heartbeat.beat(session, "host-b:1", T0, T0, 0)
    clock.set(T0 + timedelta(minutes=3))
    with unit_of_work(factory) as session:
        heartbeat.beat(session, "host-a:1", T0, clock(), 42)  # the same row, rewritten
    samples = scrape()
    assert by(samples, "ninefold_worker_up", "worker") == {"host-a:1": 1.0, "host-b:1": 0.0}
    assert by(samples, "ninefold_worker_last_seen_timestamp_seconds", "worker") == {
        "host-a:1": clock().timestamp(),
        "host-b:1": T0.timestamp(),
    }
    assert value(samples, "ninefold_workers_up") == 1.0

    clock.set(T0 + heartbeat.FORGET_AFTER + timedelta(seconds=1))
    with unit_of_work(factory) as session:
        heartbeat.beat(session, "host-a:1", T0, clock(), 50)
    with factory() as session:
        rows = session.scalars(select(WorkerSeen)).all()
        assert [(r.name, r.jobs_run, r.seen_at) for r in rows] == [("host-a:1", 50, clock())]
    with unit_of_work(factory) as session:
        heartbeat.leave(session, "host-a:1")
    samples = scrape()
    assert by(samples, "ninefold_worker_up", "worker") == {}
    assert value(samples, "ninefold_workers_up") == 0.0


@pytest.fixture
def intake(engine: Engine, http_receiver: HttpReceiver, clock: FrozenClock) -> str:
    """One person paged at once by email and by webhook for every alert; returns the
    Alertmanager intake URL."""
    now = clock()
    with unit_of_work(make_session_factory(engine)) as session:
        write_user(
            session,
            UserSpec(
                name="priya",
                email="priya@shop.example",
                role="responder",
                contact_methods=[
                    {"name": "mail", "kind": "email", "address": "priya@shop.example"},
                    {"name": "hook", "kind": "webhook", "address": http_receiver.url("/priya")},
                ],
                notification_rules=[
                    {"contact": "mail", "after_minutes": 0},
                    {"contact": "hook", "after_minutes": 0},
                ],
            ),
            "config",
            now,
        )
        policies.write_policy(
            session,
            EscalationPolicySpec(name="priya", steps=[{"users": ["priya"]}]),
            "config",
            now,
            None,
        )
        policies.write_route(
            session, RouteSpec(name="all", policy="priya", default=True), "config", now, None, 0
        )
        row = integrations.write(
            session, IntegrationSpec(name="am", kind="alertmanager"), "config", now
        )
        return f"/api/v1/integrations/alertmanager/{row.key}"


def test_notifications_by_channel_and_the_wait_for_each_groups_first_one(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    intake: str,
    smtp_sink: SmtpSink,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
    scrape: Callable[[], Samples],
) -> None:
    paging = settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
    http_receiver.respond(400)  # the first webhook is refused for good

    def accept(name: str) -> None:
        body = alertmanager_body(name, starts_at=clock() - timedelta(minutes=1))
        assert client.post(intake, json=body).status_code == 200

    accept("CheckoutErrors")  # opened at T0, notified 3 s later
    clock.set(T0 + timedelta(seconds=3))
    run_jobs(engine, paging, clock)
    clock.set(T0 + timedelta(seconds=100))
    accept("SearchSlow")  # opened at T0 + 100 s, notified 90 s later
    clock.set(T0 + timedelta(seconds=190))
    run_jobs(engine, paging, clock)
    clock.set(T0 + timedelta(seconds=200))
    accept("DiskFull")  # opened, not routed yet: not in the histogram
    assert len(smtp_sink.messages) == 2
    assert len(http_receiver.requests) == 2

    samples = scrape()
    assert by(samples, "ninefold_notifications_sent_total", "channel") == {
        "email": 2.0, "slack": 0.0, "teams": 0.0, "webhook": 1.0
    }  # fmt: skip
    assert by(samples, "ninefold_notifications_failed_total", "channel") == {
        "email": 0.0, "slack": 0.0, "teams": 0.0, "webhook": 1.0
    }  # fmt: skip
    assert by(samples, "ninefold_page_first_notification_seconds_bucket", "le") == {
        "1.0": 0.0, "2.0": 0.0, "5.0": 1.0, "10.0": 1.0, "30.0": 1.0, "60.0": 1.0,
        "120.0": 2.0, "300.0": 2.0, "600.0": 2.0, "1800.0": 2.0, "3600.0": 2.0, "+Inf": 2.0,
    }  # fmt: skip
    assert value(samples, "ninefold_page_first_notification_seconds_gcount") == 2.0
    assert value(samples, "ninefold_page_first_notification_seconds_gsum") == pytest.approx(93.0)
    assert value(samples, "ninefold_jobs_queued", kind="alert_group.opened") == 1.0

    # An hour after the first group opened it has left the window; the second is still in it.
    clock.set(T0 + timedelta(hours=1, seconds=50))
    samples = scrape()
    assert value(samples, "ninefold_page_first_notification_seconds_bucket", le="+Inf") == 1.0
    assert value(samples, "ninefold_page_first_notification_seconds_gsum") == pytest.approx(90.0)
    assert value(samples, "ninefold_notifications_sent_total", channel="email") == 2.0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_real_prometheus_scrapes_them_and_the_rules_read_what_it_scraped(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    intake: str,
    smtp_sink: SmtpSink,
    http_receiver: HttpReceiver,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    paging = settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
    http_receiver.respond(400)
    body = alertmanager_body("CheckoutErrors", starts_at=T0 - timedelta(minutes=1))
    assert client.post(intake, json=body).status_code == 200
    clock.set(T0 + timedelta(seconds=3))
    run_jobs(engine, paging, clock)
    clock.set(T0 + timedelta(minutes=5))
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        queue.enqueue(session, "notification.send", {}, clock() - timedelta(seconds=120), now=T0)
        heartbeat.beat(session, "host-a:1", T0, clock(), 7)
        heartbeat.beat(session, "host-b:2", T0, T0, 3)

    with (
        serving(client.app) as ninefold,
        running_prometheus(tmp_path / "tsdb", tmp_path, ninefold) as prometheus,
    ):
        exposition = httpx.get(f"{ninefold}/metrics", timeout=10).text
        linted = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition, capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert linted.returncode == 0, linted.stdout + linted.stderr
        eventually(lambda: bool(query(prometheus, "ninefold_workers_up")), "a scrape", 30)
        age = 'ninefold_jobs_oldest_due_age_seconds{kind="notification.send"}'
        assert instant(prometheus, age) == 120
        assert instant(prometheus, "ninefold_workers_up") == 1
        up = {r["metric"]["worker"]: r["value"][1] for r in query(prometheus, "ninefold_worker_up")}
        assert up == {"host-a:1": "1", "host-b:2": "0"}
        assert instant(prometheus, 'ninefold_notifications_sent_total{channel="email"}') == 1
        assert instant(prometheus, 'ninefold_notifications_failed_total{channel="webhook"}') == 1
        # One group, notified 3 s after it opened: in the (2 s, 5 s] bucket, its middle.
        median = "histogram_quantile(0.5, ninefold_page_first_notification_seconds_bucket)"
        assert instant(prometheus, median) == pytest.approx(3.5)

        [group] = yaml.safe_load(client.get("/metrics/rules").text)["groups"]
        firing = {rule["alert"] for rule in group["rules"] if query(prometheus, rule["expr"])}
        assert firing == {"NinefoldPagingQueueStuck", "NinefoldWorkerLost", "NinefoldWatchdog"}


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    return list(answer["data"]["result"])


def instant(prometheus: str, expr: str) -> float:
    [result] = query(prometheus, expr)
    return float(result["value"][1])
