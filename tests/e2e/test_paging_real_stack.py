"""The real thing: Debian's Prometheus fires a rule, Debian's Alertmanager posts it to a
`ninefold serve` process, the example schedule's on-call person gets the email, the link in
it acknowledges, and the source resolving resolves the group.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from ninefold.alerts.tables import AlertGroup, Integration
from ninefold.auth.service import user_spec
from ninefold.auth.tables import User
from ninefold.clock import system_clock
from ninefold.db import make_engine, make_session_factory
from ninefold.jobs import handlers
from ninefold.oncall import service as schedules
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.settings import Settings
from ninefold.worker.runner import Worker
from tests.factories import EXAMPLES
from tests.integration.prometheus_server import free_port
from tests.support.alerting_stack import MetricsTarget, alertmanager, prometheus_with_rules
from tests.support.clock import FrozenClock
from tests.support.smtp_sink import SmtpSink
from tests.support.waiting import eventually

RULES = """\
groups:
  - name: shop
    rules:
      - alert: CheckoutBroken
        expr: shop_checkout_broken > 0
        labels:
          severity: critical
          service: checkout
        annotations:
          summary: Checkout is failing every request
          runbook_url: https://runbooks.shop.example/checkout
"""


def ninefold(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ninefold", *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def stack_env(tmp_path: Path, smtp_sink: SmtpSink) -> dict[str, str]:
    port = free_port()
    env = {
        **os.environ,
        "NINEFOLD_DATA_DIR": str(tmp_path),
        "NINEFOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'ninefold.db'}",
        "NINEFOLD_PORT": str(port),
        "NINEFOLD_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "NINEFOLD_SMTP_HOST": smtp_sink.host,
        "NINEFOLD_SMTP_PORT": str(smtp_sink.port),
    }
    ninefold(env, "db", "upgrade")
    ninefold(env, "apply", str(EXAMPLES))
    return env


@pytest.fixture
def server(stack_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    url = stack_env["NINEFOLD_PUBLIC_URL"]
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ninefold", "serve"], env=stack_env, stdout=log, stderr=log
    )

    def ready() -> bool:
        assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
        try:
            return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually(ready, "ninefold serve answering", 30)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def on_call_email(engine: Engine, now: datetime) -> str:
    """Whom the example route for checkout pages first at `now`: the payments schedule's
    on-call."""
    with make_session_factory(engine)() as session:
        row = schedules.get_row(session, "payments-primary")
        [person] = schedules.model(session, row, now, now + timedelta(seconds=1)).who(now)
        user = session.scalars(select(User).where(User.name == person)).one()
        [email] = [
            m.address for m in user_spec(user).effective_contact_methods() if m.kind == "email"
        ]
        return email


def test_prometheus_and_alertmanager_page_the_on_call_person_who_acknowledges_by_link(
    tmp_path: Path, stack_env: dict[str, str], server: str, smtp_sink: SmtpSink
) -> None:
    engine = make_engine(stack_env["NINEFOLD_DATABASE_URL"])
    factory = make_session_factory(engine)
    with factory() as session:
        key = session.scalars(select(Integration.key).where(Integration.name == "prometheus")).one()

    with (
        MetricsTarget() as target,
        alertmanager(tmp_path, f"{server}/api/v1/integrations/alertmanager/{key}") as am,
        prometheus_with_rules(tmp_path, target, am, RULES),
    ):
        target.set("shop_checkout_broken", 1)
        [mail] = eventually(lambda: smtp_sink.messages, "the page by email")
        with factory() as session:  # the server's own instant, not one taken here
            paged_at = session.scalars(select(Page.paged_at)).one()
        assert mail["To"] == on_call_email(engine, paged_at)
        assert mail["Subject"] == "[CRITICAL] Checkout is failing every request (checkout)"
        body = mail.get_body(("plain",)).get_content()
        assert "Runbook: https://runbooks.shop.example/checkout" in body
        [link] = re.findall(r"^Acknowledge: (\S+)$", body, re.MULTILINE)

        assert "Acknowledge" in httpx.get(link).text
        assert "acknowledged this alert group" in httpx.post(link).text

        # The next step is due in 10 minutes; a worker living 2 hours ahead finds nothing to do.
        settings = Settings(
            database_url=stack_env["NINEFOLD_DATABASE_URL"],
            smtp_host=smtp_sink.host,
            smtp_port=smtp_sink.port,
        )
        later = FrozenClock(system_clock() + timedelta(hours=2))
        worker = Worker(factory, handlers(settings, later), clock=later)
        while worker.run_once():
            pass
        assert len(smtp_sink.messages) == 1
        with factory() as session:
            assert session.scalars(select(Escalation.state)).one() == "stopped"
            # The email went out; a later rule (priya's Slack after 5 minutes) was cancelled.
            statuses = sorted(session.scalars(select(Notification.status)))
            assert statuses.count("sent") == 1
            assert set(statuses) <= {"sent", "cancelled"}

        target.set("shop_checkout_broken", 0)

        def resolved() -> AlertGroup | None:
            with factory() as session:
                group = session.scalars(select(AlertGroup)).one()
                return group if group.state == "resolved" else None

        group = eventually(resolved, "the group resolving from the source")
        assert group.resolved_by == "source:prometheus"
        assert group.acknowledged_by is not None
    engine.dispose()
