"""Two `serve` processes behind a real HAProxy and two `ninefold worker` processes on one
PostgreSQL, as a user outgrowing one process runs them (docs/deployment.md, whose HAProxy
configuration this runs). An alert storm goes through the balancer; in the middle of it one
server and one worker are killed with SIGKILL. Afterwards nothing is lost (every alert
stored, every group paged at both steps of its policy), nothing is duplicated (one row per
alert and group, one notification per person and step, each email received under one key),
and every escalation has run to its end. What a server keeps is kept in the database: failed
logins made through either server count for both.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from ninefold.alerts.tables import Alert, AlertGroup, Delivery, Integration
from ninefold.jobs import URGENT_THREADS
from ninefold.paging.tables import Escalation, Notification, Page
from tests.support.smtp_sink import SmtpSink
from tests.support.waiting import eventually

HAPROXY = "/usr/sbin/haproxy"
HOST = "127.0.0.1"
GROUPS = 24
ALERTS_PER_GROUP = 5
PEOPLE = ("kim", "lou")
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

CONFIG = """
users:
{users}
escalation_policies:
  - name: everyone
    steps:
      - users: [kim]
        wait_minutes: 0
      - users: [kim, lou]
        wait_minutes: 0
routes:
  - name: all
    default: true
    policy: everyone
integrations:
  - name: prometheus
    kind: alertmanager
"""
USER = """  - name: {name}
    email: {name}@shop.example
    contact_methods:
      - name: mail
        kind: email
        address: {name}@shop.example
        max_per_hour: 1000
"""

DEPLOYMENT_DOC = Path(__file__).parents[2] / "docs" / "deployment.md"


def haproxy_config(port: int, servers: list[int]) -> str:
    """The HAProxy configuration docs/deployment.md shows, on this test's ports."""
    text = DEPLOYMENT_DOC.read_text()
    [config] = re.findall(r"```haproxy\n(.*?)```", text, re.S)
    config = config.replace(f"{HOST}:8480", f"{HOST}:{port}")
    for name, documented, actual in zip("ab", (8481, 8482), servers, strict=True):
        config = config.replace(
            f"server {name} {HOST}:{documented}", f"server {name} {HOST}:{actual}"
        )
    assert f"{HOST}:848" not in config, "docs/deployment.md changed its example's ports"
    return config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def ninefold(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "ninefold", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def storm() -> list[dict[str, Any]]:
    """GROUPS Alertmanager groups of ALERTS_PER_GROUP alerts, each alert delivered twice (the
    second time a repeat), in an order that mixes groups and repeats."""
    deliveries = []
    for round_ in range(2):
        for index in range(ALERTS_PER_GROUP):
            for group in range(GROUPS):
                labels = {
                    "alertname": f"Storm{group}",
                    "service": "checkout",
                    "instance": f"host-{index}",
                }
                deliveries.append(
                    {
                        "version": "4",
                        "groupKey": f'{{}}:{{alertname="Storm{group}"}}',
                        "status": "firing",
                        "receiver": "ninefold",
                        "groupLabels": {"alertname": f"Storm{group}"},
                        "commonLabels": {"alertname": f"Storm{group}"},
                        "commonAnnotations": {},
                        "externalURL": "http://alertmanager.example",
                        "truncatedAlerts": 0,
                        "alerts": [
                            {
                                "status": "firing",
                                "labels": labels,
                                "annotations": {"summary": f"round {round_}"},
                                "startsAt": "2026-12-05T10:00:00Z",
                                "endsAt": "0001-01-01T00:00:00Z",
                                "generatorURL": "http://prometheus.example/graph",
                                "fingerprint": f"{group:04d}{index:04d}",
                            }
                        ],
                    }
                )
    return deliveries


async def post_all(
    url: str, deliveries: list[dict[str, Any]], halfway: asyncio.Event
) -> Counter[int]:
    """Post every delivery, 16 in flight, each until it is answered 2xx, as Alertmanager
    retries; the answers' statuses, counted."""
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for delivery in deliveries:
        queue.put_nowait(delivery)
    done = 0

    async def sender() -> None:
        nonlocal done
        async with httpx.AsyncClient(timeout=30) as client:
            while not queue.empty():
                delivery = queue.get_nowait()
                while True:
                    try:
                        answer = await client.post(url, json=delivery)
                        statuses[answer.status_code] += 1
                        if answer.is_success:
                            break
                    except httpx.TransportError:
                        statuses[0] += 1
                    await asyncio.sleep(0.2)
                done += 1
                if done >= len(deliveries) // 2:
                    halfway.set()

    await asyncio.gather(*(sender() for _ in range(16)))
    return statuses


def failed_login(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        answer = client.post(
            "/login", data={"username": "kim", "password": "wrong", "csrf_token": token[1]}
        )
        return answer.text


def test_two_servers_and_two_workers_behind_haproxy_survive_a_kill_in_a_storm(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    assert Path(HAPROXY).exists(), "Debian's haproxy is missing: scripts/test installs it"
    config = tmp_path / "config"
    config.mkdir()
    (config / "shop.yaml").write_text(
        CONFIG.format(users="".join(USER.format(name=name) for name in PEOPLE))
    )
    with SmtpSink() as sink, ExitStack() as stack:
        env = {
            **os.environ,
            "NINEFOLD_DATABASE_URL": database_url,
            "NINEFOLD_DATA_DIR": str(tmp_path),
            "NINEFOLD_SMTP_HOST": sink.host,
            "NINEFOLD_SMTP_PORT": str(sink.port),
        }
        ninefold("apply", str(config), env=env)
        ports = [free_port() for _ in range(3)]
        servers = [f"http://{HOST}:{port}" for port in ports[:2]]
        balancer = f"http://{HOST}:{ports[2]}"
        processes = [
            stack.enter_context(
                started(
                    [sys.executable, "-m", "ninefold", "serve", "--no-worker", "--port", str(port)],
                    {**env, "NINEFOLD_PUBLIC_URL": balancer},
                    tmp_path / f"serve-{port}.log",
                )
            )
            for port in ports[:2]
        ]
        workers = [
            stack.enter_context(
                started(
                    [sys.executable, "-m", "ninefold", "worker", "--poll", "0.2", "--lease", "5"],
                    {**env, "NINEFOLD_PUBLIC_URL": balancer},
                    tmp_path / f"worker-{n}.log",
                )
            )
            for n in range(2)
        ]
        config_file = tmp_path / "haproxy.cfg"
        config_file.write_text(haproxy_config(ports[2], ports[:2]))
        stack.enter_context(
            started([HAPROXY, "-db", "-f", str(config_file)], env, tmp_path / "haproxy.log")
        )
        for url in (*servers, balancer):
            eventually(lambda url=url: ready(url), f"{url} ready")

        # Nothing a server keeps is its own: failed logins through either count for both.
        for n in range(5):
            failed_login(servers[n % 2])
        assert "too many failed logins" in failed_login(servers[1])

        with engine.connect() as db:
            key = db.scalar(select(Integration.key).where(Integration.name == "prometheus"))
        deliveries = storm()
        halfway = asyncio.Event()

        async def storm_and_kill() -> Counter[int]:
            async def kill_at_halfway() -> None:
                await halfway.wait()
                processes[0].send_signal(signal.SIGKILL)
                workers[0].send_signal(signal.SIGKILL)

            killer = asyncio.create_task(kill_at_halfway())
            statuses = await post_all(
                f"{balancer}/api/v1/integrations/alertmanager/{key}", deliveries, halfway
            )
            await killer
            return statuses

        statuses = asyncio.run(storm_and_kill())
        assert processes[0].wait() == -signal.SIGKILL
        assert workers[0].wait() == -signal.SIGKILL
        assert statuses[200] == len(deliveries)  # each answered 2xx once, after any retries

        pages_wanted = GROUPS * (1 + len(PEOPLE))  # kim at step 1; kim and lou at step 2

        def settled() -> bool:
            with engine.connect() as db:
                exhausted = db.scalar(
                    select(func.count())
                    .select_from(Escalation)
                    .where(Escalation.state == "exhausted")
                )
                unsettled = db.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.status.in_(("pending", "sending")))
                )
                pages = db.scalar(select(func.count()).select_from(Page))
            return exhausted == GROUPS and pages == pages_wanted and unsettled == 0

        eventually(settled, "every escalation run to its end, every message settled", 120)
        eventually(lambda: len(sink.messages) >= pages_wanted, "every email received", 30)

    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(Alert)) == GROUPS * ALERTS_PER_GROUP
        assert db.scalar(select(func.count()).select_from(Delivery)) == (GROUPS * ALERTS_PER_GROUP)
        assert db.scalar(select(func.count()).select_from(AlertGroup)) == GROUPS
        assert db.scalar(select(func.count()).select_from(Escalation)) == GROUPS
        pages = db.execute(select(Page.group_id, Page.step, Page.user_name)).all()
        notifications = db.execute(
            select(Notification.page_id, Notification.status, Notification.idempotency_key)
        ).all()
    assert len(set(pages)) == len(pages) == pages_wanted
    assert Counter(step for _, step, _ in pages) == {1: GROUPS, 2: 2 * GROUPS}
    assert len({page for page, _, _ in notifications}) == len(notifications) == pages_wanted
    assert {status for _, status, _ in notifications} == {"sent"}
    # A worker killed while emails were on the wire (up to URGENT_THREADS at once) may have
    # sent them before dying: a copy sent again carries the same key, which is how a receiver
    # tells it is a copy.
    received = Counter(message["X-Ninefold-Idempotency-Key"] for message in sink.messages)
    assert set(received) == {key for _, _, key in notifications}
    assert sum(received.values()) - len(received) <= URGENT_THREADS
