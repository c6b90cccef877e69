"""The dead man's switch of docs/operations.md, run as written: Debian's Prometheus evaluates
the rules of `ninefold self-rules`, its always-firing watchdog goes through Debian's
Alertmanager with the documented configuration to Ninefold's heartbeat and to a check
outside; once Alertmanager is gone, the heartbeat raises its alert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from ninefold.alerts import integrations
from ninefold.alerts.heartbeats import MISSED
from ninefold.alerts.schemas import IntegrationSpec
from ninefold.alerts.tables import AlertGroup, Integration
from ninefold.db import make_session_factory, unit_of_work
from ninefold.settings import Settings
from ninefold.worker.self_rules import render
from tests.integration.prometheus_server import PROMETHEUS, free_port
from tests.support.alerting_stack import (
    ALERTMANAGER,
    _process,
)
from tests.support.clock import FrozenClock
from tests.support.http_receiver import HttpReceiver
from tests.support.live_server import serving
from tests.support.paging import run_jobs
from tests.support.smtp_sink import SmtpSink
from tests.support.waiting import eventually

OPERATIONS = Path(__file__).parent.parent.parent / "docs" / "operations.md"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def documented_alertmanager_config() -> str:
    """The Alertmanager configuration of docs/operations.md (its YAML block with receivers)."""
    blocks = re.findall(r"```yaml\n(.*?)```", OPERATIONS.read_text(encoding="utf-8"), re.DOTALL)
    [config] = [block for block in blocks if "receivers:" in block]
    return str(config)


def test_the_watchdog_pings_the_heartbeats_and_their_silence_is_an_alert(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    clock: FrozenClock,
    http_receiver: HttpReceiver,
    smtp_sink: SmtpSink,
    tmp_path: Path,
) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        intake = integrations.write(
            session, IntegrationSpec(name="prometheus", kind="alertmanager"), "config", clock()
        ).key
        spec = IntegrationSpec(name="alerting-pipeline", kind="heartbeat", interval="5m")
        heartbeat = integrations.write(session, spec, "config", clock()).key

    with serving(client.app) as ninefold:
        config = (
            documented_alertmanager_config()
            .replace("https://ninefold.example.com", ninefold)
            .replace("alertmanager/KEY", f"alertmanager/{intake}")
            .replace("heartbeats/KEY", f"heartbeats/{heartbeat}")
            .replace("https://deadmansswitch.example.net", http_receiver.url("").rstrip("/"))
            .replace("mail.example.com:587", f"{smtp_sink.host}:{smtp_sink.port}")
        )
        with (
            alertmanager_with(tmp_path, config) as alertmanager,
            prometheus_evaluating(tmp_path, render("ninefold"), alertmanager),
        ):
            eventually(lambda: http_receiver.requests, "the outside check's first ping", 30)
            eventually(lambda: pinged(engine), "the heartbeat's first ping", 30)

    [ping] = [r for r in http_receiver.requests if r.path == "/ping/ID"][:1]
    assert ping.json()["groupLabels"] == {"alertname": "NinefoldWatchdog"}
    clock.advance(minutes=6)
    run_jobs(engine, settings, clock)
    with factory() as session:
        [group] = session.scalars(select(AlertGroup)).all()
        assert group.labels["alertname"] == MISSED
        assert group.labels["heartbeat"] == "alerting-pipeline"


@contextmanager
def alertmanager_with(work: Path, config: str) -> Iterator[str]:
    (work / "alertmanager.yml").write_text(config)
    port = free_port()
    args = [
        ALERTMANAGER,
        f"--config.file={work / 'alertmanager.yml'}",
        f"--storage.path={work / 'am-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    with _process(args, work / "alertmanager.log", f"http://127.0.0.1:{port}/-/ready"):
        yield f"127.0.0.1:{port}"


@contextmanager
def prometheus_evaluating(work: Path, rules: str, alertmanager: str) -> Iterator[None]:
    """A Prometheus evaluating `rules` every second. It sends a firing alert again every
    second, not every minute: its first send, made before it has found the Alertmanager,
    is dropped."""
    (work / "rules.yml").write_text(rules)
    (work / "prometheus.yml").write_text(
        "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n"
        f"alerting:\n  alertmanagers:\n    - static_configs: [{{targets: ['{alertmanager}']}}]\n"
    )
    port = free_port()
    args = [
        PROMETHEUS,
        f"--config.file={work / 'prometheus.yml'}",
        f"--storage.tsdb.path={work / 'prom-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--rules.alert.resend-delay=1s",
    ]
    with _process(args, work / "prometheus.log", f"http://127.0.0.1:{port}/-/ready"):
        yield


def pinged(engine: Engine) -> bool:
    with make_session_factory(engine)() as session:
        query = select(Integration.last_ping_at).where(Integration.name == "alerting-pipeline")
        return session.scalar(query) is not None
