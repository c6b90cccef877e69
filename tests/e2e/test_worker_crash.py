"""Kill the worker in the middle of an escalation: nothing is lost, nothing sent twice that
the receiving end could not tell apart. Real `ninefold worker` processes, killed with SIGKILL
while a notification is on the wire (the receiver holds its answer); two workers on one
PostgreSQL never send the same notification.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import integrations
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.app import create_app
from ninefold.auth.schemas import UserSpec
from ninefold.auth.service import write_user
from ninefold.clock import system_clock
from ninefold.db import make_session_factory, unit_of_work
from ninefold.jobs import all_jobs
from ninefold.paging import policies
from ninefold.paging.schemas import EscalationPolicySpec, RouteSpec
from ninefold.paging.tables import Notification, Page
from ninefold.settings import Settings
from ninefold.worker.tables import Job
from tests.support.http_receiver import HttpReceiver
from tests.support.waiting import eventually

SETTLED = {"sent", "failed", "cancelled", "suppressed", "uncertain"}


def setup_paging(engine: Engine, receiver: HttpReceiver, people: int = 1) -> str:
    """`people` users, each reached by Slack and by webhook at once (both at the receiver),
    all named in both steps of the policy the default route takes; the intake URL. Made, like
    everything here, on the process clock that the worker processes read."""
    now = system_clock()
    with unit_of_work(make_session_factory(engine)) as session:
        for n in range(people):
            write_user(
                session,
                UserSpec(
                    name=f"kim{n}",
                    contact_methods=[
                        {"name": "chat", "kind": "slack", "address": receiver.url(f"/slack/{n}")},
                        {"name": "hook", "kind": "webhook", "address": receiver.url(f"/hook/{n}")},
                    ],
                ),
                "config",
                now,
            )
        step = {"users": [f"kim{n}" for n in range(people)], "wait_minutes": 10}
        policies.write_policy(
            session, EscalationPolicySpec(name="p", steps=[step, step]), "config", now, None
        )
        policies.write_route(
            session, RouteSpec(name="all", policy="p", default=True), "config", now, None, 0
        )
        spec = IntegrationSpec(name="hook", kind="webhook")
        row = integrations.write(session, spec, "config", now)
        return f"/api/v1/integrations/webhook/{row.key}"


def post_alerts(engine: Engine, tmp_path: Path, url: str, titles: list[str]) -> None:
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url))
    with TestClient(create_app(settings, engine, system_clock)) as client:
        for title in titles:
            answer = client.post(url, json={"title": title, "dedup_key": title})
            assert answer.status_code == 200, answer.text


@contextmanager
def worker(
    database_url: str, tmp_path: Path, name: str, lease: int = 3
) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "NINEFOLD_DATABASE_URL": database_url,
        "NINEFOLD_DATA_DIR": str(tmp_path),
    }
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ninefold", "worker", "--poll", "0.2", "--lease", str(lease)],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def notifications(engine: Engine) -> dict[str, Notification]:
    with make_session_factory(engine)() as session:
        return {n.contact: n for n in session.scalars(select(Notification))}


def test_a_worker_killed_mid_send_loses_nothing_and_repeats_only_what_can_be_deduplicated(
    engine: Engine, database_url: str, tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    url = setup_paging(engine, http_receiver)
    post_alerts(engine, tmp_path, url, ["Disk full on db-1"])
    http_receiver.stall()

    # 1: a message (Slack, and perhaps the webhook too) is on the wire when the worker dies.
    with worker(database_url, tmp_path, "first") as first:
        eventually(lambda: http_receiver.requests, "the Slack post")
        first.kill()
    # 2: the next worker may not repeat Slack (Slack cannot spot a copy); the webhook goes
    # out, and this worker dies while it is on the wire too.
    with worker(database_url, tmp_path, "second") as second:
        eventually(lambda: len(http_receiver.requests) >= 2, "the webhook post")
        second.kill()
    http_receiver.release()
    # 3: the webhook is sent again under the same idempotency key, and recorded as sent.
    with worker(database_url, tmp_path, "third"):
        eventually(
            lambda: {n.status for n in notifications(engine).values()} <= SETTLED,
            "every notification settled",
        )

    # A worker runs paging jobs side by side, so the two messages may be on the wire together
    # when it dies: what must hold is the protocol, not the order.
    paths = [request.path for request in http_receiver.requests]
    assert paths.count("/slack/0") == 1
    hooks = [request for request in http_receiver.requests if request.path == "/hook/0"]
    assert len(hooks) >= 2
    keys = {request.headers["idempotency-key"] for request in hooks}
    assert keys == {notifications(engine)["hook"].idempotency_key}
    assert {request.json()["subject"] for request in hooks} == {"[ALERT] Disk full on db-1"}
    sent = notifications(engine)
    assert (sent["chat"].status, sent["hook"].status) == ("uncertain", "sent")
    assert sent["hook"].attempts == 2
    with make_session_factory(engine)() as session:
        assert len(session.scalars(select(Page)).all()) == 1
        # The escalation is not lost either: its next step waits in the queue (beside the
        # next runs of the periodic sweeps).
        pending = session.scalars(
            select(Job.kind).where(Job.finished_at.is_(None)).order_by(Job.id)
        ).all()
        periodic = set(all_jobs(Settings(), system_clock).every)
        assert [kind for kind in pending if kind not in periodic] == ["escalation.step"]
        assert set(pending) - {"escalation.step"} == periodic


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_never_send_the_same_notification(
    engine: Engine, database_url: str, tmp_path: Path, http_receiver: HttpReceiver
) -> None:
    url = setup_paging(engine, http_receiver, people=2)
    titles = [f"Alert {n}" for n in range(12)]
    with worker(database_url, tmp_path, "a", 60), worker(database_url, tmp_path, "b", 60):
        post_alerts(engine, tmp_path, url, titles)
        expected = len(titles) * 2 * 2  # groups x people x contact methods
        eventually(lambda: len(http_receiver.requests) >= expected, "every notification", 90)
        time.sleep(1)  # a duplicate, if any, would arrive now
    # Who got which alert by which method: (path, title) is unique to one notification.
    sends = [
        (request.path, re.findall(rb"Alert \d+", request.body)[0])
        for request in http_receiver.requests
    ]
    assert len(sends) == expected
    assert len(set(sends)) == expected
    with make_session_factory(engine)() as session:
        assert set(session.scalars(select(Notification.status))) == {"sent"}
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "worker" in logs
