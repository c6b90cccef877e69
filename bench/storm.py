"""Benchmark (d): an alert storm posted over loopback HTTP to a real `ninefold serve`, on SQLite
and on PostgreSQL, until every page it causes has reached a real SMTP server.

One storm, per database:
- a fresh database (a SQLite file in a temporary directory; the PostgreSQL database named by
  `--postgres`, dropped and created anew), `ninefold db upgrade`, then `ninefold apply` of a
  copy of examples/ in which every person is reached by email only, at once, up to 1,000 an
  hour (the most a contact method allows). The example's Slack and Teams webhooks point at
  hosts that do not exist, and its rate limit (20 an hour) would hold back all but the first
  20 pages of each on-call person: the figure wanted is how long a page takes, not how many a
  person is spared;
- `python -m ninefold serve` with its in-process worker, sending email to an aiosmtpd server
  in this process that notes when each message arrived;
- bench/storm_load.py in a process of its own posts the deliveries (see there), a fixed
  number in flight, and records each answer;
- then this process waits until every group is routed and every first-step notification
  settled (sent, suppressed or failed) and received, stops `serve`, counts what is stored
  against what was answered and received (bench/storm_checks.py), and times the database's
  own insert of the same alert rows, in the same database: the most rows it takes per second
  in one batched transaction, and in one transaction per row.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Column, Engine, Index, MetaData, Table, UniqueConstraint, func, select

from bench.measure import Spread, run_process
from bench.storm_checks import Checked, check
from bench.storm_load import Answer, StormAlert, storm_alerts
from bench.storm_stack import (
    HOST,
    ROOT,
    SmtpSink,
    free_port,
    machine_cpu,
    postgres_problem,
    recreate_database,
    serve_errors,
    serving,
    storm_config,
    tree_cpu,
)
from ninefold.alerts.tables import Alert, AlertGroup, Integration
from ninefold.clock import system_clock
from ninefold.db import make_engine
from ninefold.paging.tables import Escalation, Notification, Page

PER_ROW_COMMITS = 1000  # rows of the one-transaction-per-row insert
FLOOR_REPEATS = 5


def wait_for_pages(engine: Engine, sink: SmtpSink, timeout: float) -> bool:
    """Wait until every group has its escalation and every first-step notification is settled
    and, if sent, received; False when `timeout` seconds pass first."""
    first_step = (
        select(func.count())
        .select_from(Notification)
        .join(Page, Page.id == Notification.page_id)
        .where(Page.sequence == 1)
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as db:
            groups = db.scalar(select(func.count()).select_from(AlertGroup))
            routed = db.scalar(select(func.count()).select_from(Escalation))
            waiting = db.scalar(first_step.where(Notification.status.in_(("pending", "sending"))))
            sent = db.scalar(first_step.where(Notification.status == "sent")) or 0
        if groups == routed and not waiting and len(sink.received) >= sent:
            return True
        time.sleep(0.5)
    return False


def floor_table() -> Table:
    """A table of the `alerts` table's columns, unique key and index, without foreign keys
    (the rows inserted point at no group)."""
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in Alert.__table__.columns
    ]
    return Table(
        "bench_insert_floor",
        MetaData(),
        *columns,
        UniqueConstraint("integration_id", "fingerprint", "starts_at"),
        Index("ix_bench_insert_floor_group_id", "group_id"),
    )


def insert_floor(
    engine: Engine, alerts: Sequence[StormAlert], starts_at: datetime
) -> tuple[list[float], list[float]]:
    """Rows per second of the storm's alerts inserted (a) all in one transaction with one
    executemany, the most the database takes, and (b) the first PER_ROW_COMMITS in one
    transaction each, the least a durable answer per alert costs; FLOOR_REPEATS times each."""
    now = system_clock()
    rows = [
        {
            "integration_id": 1,
            "group_id": alert.group + 1,
            "fingerprint": alert.fingerprint,
            "status": "firing",
            "labels": alert.labels,
            "annotations": alert.annotations,
            "starts_at": starts_at,
            "ends_at": None,
            "generator_url": alert.generator_url,
            "first_seen": now,
            "last_seen": now,
        }
        for alert in alerts
    ]
    table = floor_table()
    table.create(engine)
    batched, per_row = [], []
    try:
        for _ in range(FLOOR_REPEATS):
            with engine.begin() as db:
                db.execute(table.delete())
            start = time.perf_counter()
            with engine.begin() as db:
                db.execute(table.insert(), rows)
            batched.append(len(rows) / (time.perf_counter() - start))
            with engine.begin() as db:
                db.execute(table.delete())
            some = rows[:PER_ROW_COMMITS]
            start = time.perf_counter()
            with engine.connect() as db:
                for row in some:
                    with db.begin():
                        db.execute(table.insert(), row)
            per_row.append(len(some) / (time.perf_counter() - start))
    finally:
        table.drop(engine)
    return batched, per_row


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    p50, p99 = np.percentile(values, [50, 99])
    return {"count": len(values), "p50": float(p50), "p99": float(p99), "max": max(values)}


@dataclass(frozen=True)
class StormRun:
    database: str
    server_version: str
    alerts: int
    repeated: int
    groups: int
    concurrency: int
    workers: int  # separate `ninefold worker` processes; 0: the worker inside `serve`
    storm_s: float  # first request sent to last answer received
    paged_s: float  # first request sent to the last first-step email received
    settled: bool
    answers: int
    answered_2xx: int
    latency: dict[str, float]  # seconds
    accept_to_email: dict[str, float]  # seconds, per paged group
    client_cpu: float  # seconds, the whole client process
    serve_cpu: float  # seconds, serve and its workers, from the client's start to its end
    machine_busy: float  # core-seconds busy over the same span
    machine_span: float  # seconds, that span
    floor_batched: list[float]  # rows/s
    floor_per_row: list[float]
    checked: Checked
    serve_errors: Counter[str]

    @property
    def accepted_per_s(self) -> float:
        return self.answered_2xx / self.storm_s

    def summary(self) -> dict[str, object]:
        return {
            "database": self.database,
            "server_version": self.server_version,
            "alerts": self.alerts,
            "repeated": self.repeated,
            "groups": self.groups,
            "concurrency": self.concurrency,
            "workers": self.workers,
            "storm_s": self.storm_s,
            "paged_s": self.paged_s,
            "settled": self.settled,
            "answers": self.answers,
            "answered_2xx": self.answered_2xx,
            "accepted_per_s": self.accepted_per_s,
            "new_alerts_per_s": self.alerts / self.storm_s,
            "latency_s": self.latency,
            "accept_to_email_s": self.accept_to_email,
            "client_cpu_s": self.client_cpu,
            "serve_cpu_s": self.serve_cpu,
            "machine_busy_core_s": self.machine_busy,
            "machine_span_s": self.machine_span,
            "floor_batched_rows_per_s": self.floor_batched,
            "floor_per_row_rows_per_s": self.floor_per_row,
            "lost": self.checked.lost,
            "duplicated": self.checked.duplicated,
            "refused": dict(self.checked.refused),
            "rows": self.checked.rows,
            "first_step_notifications": dict(self.checked.notifications),
            "failed_jobs": dict(self.checked.failed_jobs),
            "serve_errors": dict(self.serve_errors),
        }


def storm(
    database: str,
    alerts: int,
    repeated: int,
    concurrency: int,
    seed: int,
    postgres: str,
    workers: int,
) -> StormRun:
    with tempfile.TemporaryDirectory(prefix="ninefold-bench-storm-") as tmp, SmtpSink() as sink:
        work = Path(tmp)
        services = storm_config(work / "config")
        if database == "sqlite":
            url, version = f"sqlite:///{work / 'ninefold.db'}", f"SQLite {sqlite3.sqlite_version}"
        else:
            url, version = postgres, "PostgreSQL " + recreate_database(postgres)
        port = free_port()
        env = {
            **os.environ,
            "NINEFOLD_DATA_DIR": str(work),
            "NINEFOLD_DATABASE_URL": url,
            "NINEFOLD_PORT": str(port),
            "NINEFOLD_PUBLIC_URL": f"http://{HOST}:{port}",
            "NINEFOLD_SMTP_HOST": HOST,
            "NINEFOLD_SMTP_PORT": str(sink.port),
        }
        for command in (["db", "upgrade"], ["apply", str(work / "config")]):
            done = subprocess.run(
                [sys.executable, "-m", "ninefold", *command],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"ninefold {' '.join(command)}: {done.stderr[-2000:]}")
        engine = make_engine(url)
        with engine.connect() as db:
            key = db.scalar(select(Integration.key).where(Integration.name == "prometheus"))
        starts_at = (system_clock() - timedelta(minutes=5)).replace(microsecond=0)
        answers_file = work / "answers.json"
        client = [sys.executable, "-m", "bench.storm_load"]
        client += [f"http://{HOST}:{port}/api/v1/integrations/alertmanager/{key}"]
        client += ["--alerts", str(alerts), "--repeated", str(repeated)]
        client += ["--services", ",".join(services), "--starts-at", starts_at.isoformat()]
        client += ["--concurrency", str(concurrency), "--seed", str(seed)]
        client += ["--out", str(answers_file)]
        log = work / "serve.log"
        with serving(env, log, workers) as servers:
            serve_before = sum(tree_cpu(server.pid) for server in servers)
            busy_before, all_before = machine_cpu()
            ran = run_process(client, cwd=ROOT).check("bench.storm_load")
            serve_cpu = sum(tree_cpu(server.pid) for server in servers) - serve_before
            busy_after, all_after = machine_cpu()
            result = json.loads(answers_file.read_text())
            settled = wait_for_pages(engine, sink, timeout=max(600, 5 * ran.wall))
        answers = [Answer(*answer) for answer in result["answers"]]
        emails = sink.received
        made = storm_alerts(alerts, services)
        checked = check(engine, made, answers, emails)
        batched, per_row = insert_floor(engine, made, starts_at)
        engine.dispose()
        cores = os.cpu_count() or 1
        return StormRun(
            database=database,
            server_version=version,
            alerts=alerts,
            repeated=repeated,
            groups=len({alert.group for alert in made}),
            concurrency=concurrency,
            workers=workers,
            storm_s=result["finished"] - result["started"],
            paged_s=max((at for at, _, _ in emails), default=result["finished"])
            - result["started"],
            settled=settled,
            answers=len(answers),
            answered_2xx=sum(1 for answer in answers if answer.ok),
            latency=percentiles([a.answered - a.sent for a in answers if a.ok]),
            accept_to_email=percentiles(checked.accept_to_email),
            client_cpu=ran.cpu,
            serve_cpu=serve_cpu,
            machine_busy=busy_after - busy_before,
            machine_span=(all_after - all_before) / cores,
            floor_batched=batched,
            floor_per_row=per_row,
            checked=checked,
            serve_errors=serve_errors(log),
        )


@dataclass(frozen=True)
class StormResult:
    runs: dict[str, list[StormRun]]  # by database
    skipped: dict[str, str]  # database: why

    @property
    def ok(self) -> bool:
        return all(
            run.settled and not run.checked.lost_total and not run.checked.duplicated_total
            for runs in self.runs.values()
            for run in runs
        )

    def summary(self) -> dict[str, object]:
        return {
            "runs": {name: [run.summary() for run in runs] for name, runs in self.runs.items()},
            "skipped": self.skipped,
            "ok": self.ok,
        }

    def text(self) -> str:
        lines = []
        for name, why in self.skipped.items():
            lines.append(f"(d) alert storm on {name}: NOT RUN: {why}")
        for runs in self.runs.values():
            lines += _describe(runs)
        return "\n".join(lines)


def _describe(runs: list[StormRun]) -> list[str]:
    first = runs[0]

    def spread(values: Sequence[float], unit: str, digits: int) -> str:
        found = Spread.of(values)
        if len(values) == 1:
            return f"{found.median:,.{digits}f} {unit}"
        return found.show(unit, digits)

    def ms(figure: str, key: str) -> str:
        values = [getattr(run, figure)[key] * 1000 for run in runs if key in getattr(run, figure)]
        return spread(values, "ms", 1) if values else "none"

    sqlite = " and SQLite" if first.database == "sqlite" else ""
    accepted = [run.accepted_per_s for run in runs]
    stored = [run.alerts / run.storm_s for run in runs]
    batched = [float(np.median(run.floor_batched)) for run in runs]
    per_row = [float(np.median(run.floor_per_row)) for run in runs]
    lines = [
        f"(d) alert storm on {first.server_version}: {first.alerts:,} distinct alerts in "
        f"{first.groups:,} groups + {first.repeated:,} repeated deliveries, one alert per POST, "
        f"{first.concurrency} in flight; "
        + (f"serve --no-worker and {first.workers} ninefold worker(s); " if first.workers else "")
        + f"{len(runs)} storm(s); whole processes on loopback",
        f"  storm: {spread([r.storm_s for r in runs], 's', 1)}; answered 2xx "
        f"{spread(accepted, '/s', 0)}; new alerts stored {spread(stored, '/s', 0)}",
        f"  accept latency (client side): p50 {ms('latency', 'p50')}, p99 {ms('latency', 'p99')}, "
        f"max {ms('latency', 'max')}",
        f"  accept -> first email at the SMTP sink, per paged group: "
        f"p50 {ms('accept_to_email', 'p50')}, p99 {ms('accept_to_email', 'p99')}, "
        f"max {ms('accept_to_email', 'max')}; last one "
        f"{spread([r.paged_s for r in runs], 's', 1)} after the storm's first request",
        f"  CPU during the storm: client "
        f"{spread([r.client_cpu / r.machine_span for r in runs], 'cores', 2)}, serve (with its "
        f"worker{'s' if first.workers else ''}{sqlite}) "
        f"{spread([r.serve_cpu / r.machine_span for r in runs], 'cores', 2)}, whole machine "
        f"{spread([r.machine_busy / r.machine_span for r in runs], 'cores', 2)} of "
        f"{os.cpu_count()}",
        f"  database, same run: {spread(batched, 'rows/s', 0)} batched (one transaction of "
        f"{first.alerts:,} rows), {spread(per_row, 'rows/s', 0)} one transaction per row",
        f"  answered 2xx / batched insert: "
        f"{spread([a / b for a, b in zip(accepted, batched, strict=True)], 'x', 4)}; "
        f"/ one row per transaction: "
        f"{spread([a / b for a, b in zip(accepted, per_row, strict=True)], 'x', 2)}",
    ]
    for index, run in enumerate(runs, 1):
        checked = run.checked
        lost = {what: n for what, n in checked.lost.items() if n}
        duplicated = {what: n for what, n in checked.duplicated.items() if n}
        lines += [
            f"  storm {index}: answers {run.answers:,}, 2xx {run.answered_2xx:,}; rows "
            + ", ".join(f"{what} {n:,}" for what, n in checked.rows.items())
            + "; first-step notifications "
            + ", ".join(f"{status} {n:,}" for status, n in sorted(checked.notifications.items())),
            f"    lost {checked.lost_total}{f' {lost}' if lost else ''}, duplicated "
            f"{checked.duplicated_total}{f' {duplicated}' if duplicated else ''}"
            + ("" if run.settled else "; pages NOT SETTLED within the time allowed"),
        ]
        for label, counted in (
            ("refused", checked.refused),
            ("failed job", checked.failed_jobs),
            ("serve log", run.serve_errors),
        ):
            lines += [f"    {label} {n:,}x: {what}" for what, n in counted.most_common(5)]
    return lines


def run(
    databases: Sequence[str],
    alerts: int,
    repeated: int,
    concurrency: int,
    runs: int,
    seed: int,
    postgres: str,
    workers: int = 0,
) -> StormResult:
    found: dict[str, list[StormRun]] = {}
    skipped = {}
    for database in databases:
        problem = postgres_problem(postgres) if database == "postgresql" else None
        if problem is not None:
            skipped[database] = problem
            continue
        print(
            f"(d) alert storm on {database}: {alerts:,} alerts + {repeated:,} repeats, "
            f"{runs} storm(s) ...",
            flush=True,
        )
        found[database] = [
            storm(database, alerts, repeated, concurrency, seed + k, postgres, workers)
            for k in range(runs)
        ]
    return StormResult(found, skipped)
