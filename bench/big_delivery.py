"""Benchmark (f): one Alertmanager request carrying the most alerts the intake takes.

Alertmanager sends a group's alerts in one request (up to `max_alerts`, which docs/alerts.md
sets to the intake's cap). The request is one transaction: its time is compared with the
floor, the same number of `alerts` rows written by one executemany in one transaction of the
same database, which is the least storing them can cost. Each run posts alerts never seen
before (new fingerprints) to the app in this process, through its HTTP stack.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from bench.measure import Spread, ratio
from bench.storm import floor_table
from bench.storm_stack import recreate_database
from ninefold import migrations
from ninefold.alerts.integrations import all_rows
from ninefold.alerts.schemas import MAX_ALERTS_PER_REQUEST
from ninefold.app import create_app
from ninefold.auth.model import Principal, Role
from ninefold.clock import system_clock
from ninefold.config.apply import execute, make_plan
from ninefold.config.check import check_directory
from ninefold.db import make_engine, make_session_factory, unit_of_work
from ninefold.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


@dataclass(frozen=True)
class Delivery:
    database: str
    request: list[float]
    floor: list[float]

    def text(self) -> str:
        request, floor = Spread.of(self.request), Spread.of(self.floor)
        return (
            f"  {self.database:<10}  request {request.show()}   floor {floor.show()}   "
            f"x floor {ratio(self.request, self.floor).show('', 1)}"
        )


def body(run: int, count: int, starts: str) -> dict[str, object]:
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "DiskFull", "service": "checkout", "instance": f"n{i}"},
            "annotations": {"summary": f"disk of node {i} is full"},
            "startsAt": starts,
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.bench/graph",
            "fingerprint": f"r{run}-{i:06d}",
        }
        for i in range(count)
    ]
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="DiskFull",run="{run}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "ninefold",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.bench",
        "alerts": alerts,
    }


def measure(database: str, url: str, count: int) -> Delivery:
    engine = make_engine(url)
    migrations.upgrade(engine)
    now = system_clock()
    with unit_of_work(make_session_factory(engine)) as session:
        bundle = check_directory(ROOT / "examples")
        execute(
            session,
            Principal("bench", Role.ADMIN, "config"),
            make_plan(session, bundle),
            bundle,
            now,
        )
        key = next(row.key for row in all_rows(session) if row.kind == "alertmanager")
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()), database_url=url, max_body_bytes=16 << 20
    )
    client = TestClient(create_app(settings, engine))
    starts = (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    request = []
    for run in range(RUNS + 1):
        payload = body(run, count, starts)
        start = time.perf_counter()
        answer = client.post(f"/api/v1/integrations/alertmanager/{key}", json=payload)
        seconds = time.perf_counter() - start
        if answer.status_code != 200 or answer.json()["accepted"] != count:
            raise RuntimeError(f"{database}: the delivery was answered {answer.status_code}")
        if run:  # the first warms the caches
            request.append(seconds)
    table = floor_table()
    table.create(engine)
    rows = [
        {
            "integration_id": 1,
            "group_id": 1,
            "fingerprint": f"f{i}",
            "status": "firing",
            "labels": {"alertname": "DiskFull", "instance": f"n{i}"},
            "annotations": {"summary": "x"},
            "starts_at": now,
            "ends_at": None,
            "generator_url": "http://prometheus.bench/graph",
            "first_seen": now,
            "last_seen": now,
        }
        for i in range(count)
    ]
    floor = []
    for _ in range(RUNS):
        with engine.begin() as db:
            db.execute(table.delete())
        start = time.perf_counter()
        with engine.begin() as db:
            db.execute(table.insert(), rows)
        floor.append(time.perf_counter() - start)
    table.drop(engine)
    engine.dispose()
    return Delivery(database, request, floor)


def run(databases: list[str], postgres: str, count: int = MAX_ALERTS_PER_REQUEST) -> list[Delivery]:
    found = []
    for database in databases:
        if database == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        else:
            recreate_database(postgres)
            url = postgres
        found.append(measure(database, url, count))
    return found
