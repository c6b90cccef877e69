"""The demo's paging history (SQLite and PostgreSQL), seeded as `ninefold demo` seeds it: the
KPI table of the last 30 days has a figure for every paging KPI, alert quality flags the
noisy Redis rule, pages fall in people's off hours and sleep, every sample incident links
the alert group that paged for it, and starting the demo again adds nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from ninefold.alerts.tables import AlertGroup
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.config.check import check_directory
from ninefold.db import make_session_factory, unit_of_work
from ninefold.demo.seed import seed
from ninefold.incidents.tables import Incident, IncidentGroup
from ninefold.oncall.tables import ScheduleOverride
from ninefold.reports.kpis import alert_quality, kpi_table
from ninefold.settings import Settings
from tests.factories import EXAMPLES, load_examples
from tests.support.clock import FrozenClock


def _count(engine: Engine, table: type) -> int:
    with unit_of_work(make_session_factory(engine)) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_the_demo_history_gives_every_paging_kpi_a_figure(
    tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock
) -> None:
    now = clock()
    load_examples(engine, now=now)
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=EXAMPLES, slo_source="sample"
    )
    bundle = check_directory(EXAMPLES)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed(session, settings, bundle, now)

    period = Period(now - timedelta(days=30), now)
    with unit_of_work(factory) as session:
        table = kpi_table(session, period, Selection(), now)
        rules = alert_quality(session, period, Selection(), min_pages=5)
    values = {row.key: row.value for row in table.rows}
    for key in ("mtta_p50", "pages_per_on_call_hour", "actionable_ratio", "noise_ratio"):
        assert values[key] is not None, key
    assert 0 < values["actionable_ratio"] < 1
    assert 0 < values["noise_ratio"] < 1
    flagged = {rule.alertname for rule in rules if rule.tune_or_delete}
    assert "RedisMemoryHigh" in flagged
    assert sum(rule.sleep_hours_pages for rule in rules) > 0
    assert sum(rule.off_hours_pages for rule in rules) > sum(r.sleep_hours_pages for r in rules)

    incidents = _count(engine, Incident)
    assert incidents > 0
    assert _count(engine, IncidentGroup) == incidents

    groups, shifts = _count(engine, AlertGroup), _count(engine, ScheduleOverride)
    assert shifts > 0
    with unit_of_work(factory) as session:
        seed(session, settings, bundle, now)
    assert (_count(engine, AlertGroup), _count(engine, ScheduleOverride)) == (groups, shifts)
