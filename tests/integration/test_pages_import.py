"""Importing past paging with the CLI (SQLite and PostgreSQL): alert groups, pages,
acknowledgements, answers and shifts come in as the rows the live system writes, so the KPI
table computes from them what a hand count gives; a second import changes nothing; each bad
record is reported with where it is and what is wrong, and the good ones are imported;
PagerDuty's incidents CSV maps onto the same rows.

The history is December 2025, before the example schedules' layers start (2026-01-05): the
imported shifts alone say who was on call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.changes.dora import Period
from ninefold.changes.dora_report import Selection
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall.tables import ScheduleOverride
from ninefold.paging.tables import Escalation, Notification, Page
from ninefold.reports.kpis import kpi_table
from ninefold.reports.schemas import KpiTable
from tests.factories import ROOT, load_examples
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DECEMBER = Period(datetime(2025, 12, 1, tzinfo=UTC), NOW)
PAGERDUTY = ROOT / "tests" / "fixtures" / "pagerduty" / "incidents.csv"


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(NOW)
    load_examples(engine, now=clock())
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def group(key: str, alertname: str, opened: str, resolved: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": key,
        "alertname": alertname,
        "service": "checkout",
        "severity": "critical",
        "opened_at": f"2025-12-{opened}Z",
        "resolved_at": f"2025-12-{resolved}Z",
        **fields,
    }


def paged(user: str, at: str) -> dict[str, str]:
    return {"user": user, "at": f"2025-12-{at}Z", "via": "sms"}


HISTORY = {
    "alert_groups": [
        group(
            "pd-1",
            "CheckoutErrorBudgetBurn",
            "02T14:00:00",
            "02T14:30:00",
            notifications=[paged("priya", "02T14:01:00")],
            acknowledgements=[{"user": "priya", "at": "2025-12-02T14:04:00Z"}],
            resolved_by="priya",
            actionable="yes",
        ),
        group(
            "pd-2",
            "CheckoutLatencyHigh",
            "03T08:00:00",
            "03T09:00:00",
            notifications=[paged("priya", "03T08:00:00"), paged("Diego Alvarez", "03T08:10:00")],
            acknowledgements=[{"user": "diego", "at": "2025-12-03T08:12:00Z"}],
            resolved_by="diego",
            actionable="no",
        ),
        group(
            "pd-3",
            "CheckoutLatencyHigh",
            "09T20:00:00",
            "09T20:20:00",
            notifications=[paged("diego", "09T20:00:00"), paged("diego", "09T20:15:00")],
            acknowledgements=[{"user": "diego", "at": "2025-12-09T20:05:00Z"}],
            resolved_by="diego",
            actionable="yes",
        ),
        group(
            "pd-4",
            "DiskAlmostFull",
            "10T03:00:00",
            "10T03:06:00",
            notifications=[paged("diego", "10T03:00:00")],
            resolved_by="source",
        ),
        group(
            "pd-5",
            "CheckoutErrorBudgetBurn",
            "20T10:00:00",
            "20T10:30:00",
            notifications=[paged("priya", "20T10:00:00")],
            acknowledgements=[{"user": "priya", "at": "2025-12-20T10:09:00Z"}],
            resolved_by="priya",
            actionable="unsure",
        ),
    ],
    "shifts": [
        {
            "schedule": "payments-primary",
            "user": "priya",
            "start": "2025-12-01T15:00:00Z",
            "end": "2025-12-08T15:00:00Z",
        },
        {
            "schedule": "payments-primary",
            "user": "diego",
            "start": "2025-12-08T15:00:00Z",
            "end": "2025-12-15T15:00:00Z",
        },
    ],
}


def kpis(engine: Engine) -> dict[str, float | None]:
    with unit_of_work(make_session_factory(engine)) as session:
        table: KpiTable = kpi_table(session, DECEMBER, Selection(), NOW)
    return {row.key: row.value for row in table.rows}


def counts(engine: Engine) -> dict[str, int]:
    tables = (AlertGroup, GroupEvent, Escalation, Page, Notification, ScheduleOverride)
    with unit_of_work(make_session_factory(engine)) as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in tables
        }


def test_imported_history_gives_the_kpis_a_hand_count_gives_and_comes_in_once(
    env: dict[str, str], engine: Engine, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(HISTORY))
    first = ninefold("import", "pages", path, "--integration", "prometheus", env=env, clock=clock)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines() == [
        "5 alert groups and 2 shifts imported, 0 already there, 0 refused"
    ]
    found = kpis(engine)
    # Ack time per paged group, from its first page to anyone: pd-1 14:01 -> 14:04 is 3 min;
    # pd-2 08:00 -> 08:12 is 12 (diego acknowledged after the escalation); pd-3 5; pd-5 9;
    # pd-4 was never acknowledged. Sorted 3, 5, 9, 12: P50 between 5 and 9 is 7; P90 at rank
    # 0.9 x 3 = 2.7 is 9 + 0.7 x (12 - 9) = 11.1.
    assert found["mtta_p50"] == pytest.approx(7.0)
    assert found["mtta_p90"] == pytest.approx(11.1)
    # Answered yes or no: pd-1 yes, pd-2 no, pd-3 yes (pd-5 unsure, pd-4 none): 2 of 3.
    assert found["actionable_ratio"] == pytest.approx(2 / 3)
    # Noise: pd-2 answered no; pd-4 resolved at the source 6 minutes after opening, never
    # acknowledged. 2 of the 5 paged groups.
    assert found["noise_ratio"] == pytest.approx(0.4)
    # Pages (a person's first notification of a group): pd-1 priya, pd-2 priya and diego, pd-3
    # diego (his second notification is no new page), pd-4 diego, pd-5 priya. While on call:
    # priya's of Dec 2 and 3 (her shift: Dec 1 15:00 to Dec 8 15:00), diego's of Dec 9 and 10
    # (Dec 8 to 15); diego's of Dec 3 and priya's of Dec 20 were off shift. 4 pages over
    # 2 x 168 on-call hours; per shift (two shifts start in December) 4 / 2.
    assert found["pages_per_on_call_hour"] == pytest.approx(4 / 336)
    assert found["pages_per_shift"] == pytest.approx(2.0)

    shifts = ninefold(
        "oncall", "shifts", "payments-primary", "--from", "2025-12-01T00:00:00Z",
        "--to", "2025-12-20T00:00:00Z", env=env, clock=clock,
    ).stdout.splitlines()  # fmt: skip
    assert [line.split()[-1] for line in shifts[1:]] == ["(gap)", "priya", "diego", "(gap)"]
    assert shifts[2].startswith("2025-12-01 15:00 UTC  2025-12-08 15:00 UTC")

    with unit_of_work(make_session_factory(engine)) as session:
        timeline = session.execute(
            select(GroupEvent.group_id, GroupEvent.at).order_by(GroupEvent.id)
        ).all()
    for key in {g for g, _ in timeline}:  # entry after entry, as it was lived
        instants = [at for g, at in timeline if g == key]
        assert instants == sorted(instants)

    before = counts(engine)
    assert before == {
        "alert_groups": 5,
        # per group: triggered, imported, resolved; 2 + 2 per notification; the acks; answers
        "alert_group_events": 5 * 3 + 2 * 7 + 4 + 4,
        "escalations": 5,
        "pages": 7,
        "notifications": 7,
        "schedule_overrides": 2,
    }
    again = ninefold("import", "pages", path, "--integration", "prometheus", env=env, clock=clock)
    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        "0 alert groups and 0 shifts imported, 7 already there, 0 refused"
    ]
    assert counts(engine) == before
    assert kpis(engine) == found


def test_each_bad_record_is_reported_where_it_is_and_the_good_ones_come_in(
    env: dict[str, str], engine: Engine, clock: FrozenClock, tmp_path: Path
) -> None:
    good = group("ok-1", "CheckoutErrorBudgetBurn", "02T14:00:00", "02T14:30:00")
    bad_groups = [
        good,
        {**good, "id": "b-1", "notifications": [paged("bob", "02T14:01:00")]},
        {**good, "id": "b-2", "service": "billing"},
        {**good, "id": "b-3", "resolved_at": None},
        {**good, "id": "b-4", "opened_at": "2025-12-02T14:00:00"},
        {**good, "id": "b-5", "resolved_at": "2026-02-01T00:00:00Z"},
        {**good, "id": "b-6", "actionable": "maybe"},
        {**good, "id": "b-7", "integration": "nagios"},
        {
            **good,
            "id": "b-8",
            "acknowledgements": [{"user": "priya", "at": "2025-12-02T13:00:00Z"}],
        },
        {**good, "id": "b-9", "team": "payments"},
        {**good, "title": "Other content, same id"},
        "not an object",
    ]
    shifts = [
        {"schedule": "payroll", "user": "priya", "start": "2025-12-01T00:00:00Z",
         "end": "2025-12-02T00:00:00Z"},
        {"schedule": "payments-primary", "user": "priya", "start": "2025-12-02T00:00:00Z",
         "end": "2025-12-01T00:00:00Z"},
        {"schedule": "payments-primary", "user": "priya", "start": "2025-12-01T00:00:00Z",
         "end": "2025-12-03T00:00:00Z"},
        {"schedule": "payments-primary", "user": "priya", "start": "2025-12-02T00:00:00Z",
         "end": "2025-12-04T00:00:00Z"},
        {"schedule": "payments-primary", "user": "priya", "start": "2025-12-01T00:00:00Z",
         "end": "2025-12-03T00:00:00Z"},
    ]  # fmt: skip
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"alert_groups": bad_groups, "shifts": shifts}))
    result = ninefold("import", "pages", path, "--integration", "prometheus", env=env, clock=clock)
    assert result.returncode == 1
    groups, shifts_at = f"{path}:alert_groups#", f"{path}:shifts#"
    assert result.stdout.splitlines() == [
        f"refused {groups}2 (b-1): notifications[0].user: no user named 'bob'",
        f"refused {groups}3 (b-2): service: no service named 'billing' in the catalog",
        f"refused {groups}4 (b-3): resolved_at: missing: a group still open at its source is "
        "not history yet",
        f"refused {groups}5 (b-4): opened_at: '2025-12-02T14:00:00' has no offset",
        f"refused {groups}6 (b-5): resolved_at: 2026-02-01T00:00:00Z is in the future: only "
        "history is imported",
        f"refused {groups}7 (b-6): actionable: 'maybe' is not yes, no or unsure",
        f"refused {groups}8 (b-7): integration: no integration named 'nagios'",
        f"refused {groups}9 (b-8): acknowledgements[0].at: outside the group's life "
        "(opened_at to resolved_at)",
        f"refused {groups}10 (b-9): team: unknown field team; known: id, title, alertname, "
        "service, severity, labels, integration, opened_at, notifications, acknowledgements, "
        "resolved_at, resolved_by, actionable",
        f"refused {groups}11 (ok-1): the same id with other content (first at {groups}1)",
        f"refused {groups}12: not an object",
        f"refused {shifts_at}1: schedule: no schedule named 'payroll'",
        f"refused {shifts_at}2: end: not after start",
        f"refused {shifts_at}4: start: override clashes with override 1 (add priya from "
        "2025-12-01T00:00:00+00:00 to 2025-12-03T00:00:00+00:00); delete that one first",
        f"refused {shifts_at}5: the same record again (first at {shifts_at}3)",
        "1 alert group and 1 shift imported, 0 already there, 15 refused",
    ]
    found = counts(engine)
    assert (found["alert_groups"], found["escalations"], found["schedule_overrides"]) == (1, 1, 1)

    # A group that names no integration, with none on the command line, is refused too.
    alone = ninefold("import", "pages", path, env=env, clock=clock)
    assert f"refused {groups}2 (b-1): notifications[0].user: no user named 'bob'" in alone.stdout
    assert alone.stdout.splitlines()[-1] == (
        "0 alert groups and 0 shifts imported, 2 already there, 15 refused"
    )
    (tmp_path / "broken.json").write_text('{"alert_groups": [')
    broken = ninefold("import", "pages", tmp_path, env=env, clock=clock)
    assert broken.returncode == 1
    assert "broken.json: not JSON" in broken.stderr
    assert counts(engine) == found  # one unreadable file: nothing of the others either


def test_pagerduty_incidents_csv_maps_onto_the_same_rows(
    env: dict[str, str], engine: Engine, clock: FrozenClock
) -> None:
    result = ninefold(
        "import", "pages", PAGERDUTY, "--format", "pagerduty-csv", "--integration", "prometheus",
        env=env, clock=clock,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"refused {PAGERDUTY}:line 5 (Q4K9WM3E7J2C8N): service_name: no service named "
        "'SRE Not Urgent Service' in the catalog",
        f"refused {PAGERDUTY}:line 6 (Q5H2LD8B4V6X9Q): resolved_on: empty: the incident is "
        "still open at PagerDuty; import it once it is resolved",
        f"refused {PAGERDUTY}:line 7 (Q6C3PY7F1N5K2W): acknowledged_by_user_names: no user "
        "named 'Bob Builder'",
        "3 alert groups and 0 shifts imported, 0 already there, 3 refused",
    ]
    with unit_of_work(make_session_factory(engine)) as session:
        rows = {g.external_id: g for g in session.scalars(select(AlertGroup))}
        assert rows["Q1X4VZ8K2M9R0T"].created_at == datetime(2025, 12, 2, 14, tzinfo=UTC)
        assert rows["Q1X4VZ8K2M9R0T"].resolved_by == "priya"
        assert rows["Q3F6TR2P8D5G1S"].resolved_by == "source:prometheus"
        assert rows["Q2B7NC5W1H3L6Y"].severity == "high"
        assert rows["Q2B7NC5W1H3L6Y"].acknowledged_by == "diego"
        paged = session.execute(select(Page.user_name, Page.period).order_by(Page.id)).all()
    # In Chicago, where both are: 1201 at 08:00 on a Tuesday, before work; 1202 at 23:30;
    # 1203 at 10:00 on a Tuesday.
    assert [tuple(p) for p in paged] == [
        ("priya", "off_hours"),
        ("priya", "sleeping"),
        ("diego", "sleeping"),
        ("priya", "working"),
    ]
    found = kpis(engine)
    # Ack: 240 s and 600 s after creation, when the assignees were paged; 1203 never. P50 of
    # 4 and 10 minutes is 7. Noise: 1203 resolved itself after 5 minutes unacknowledged, 1 of 3.
    # PagerDuty's export holds no "actionable?" answers.
    assert found["mtta_p50"] == pytest.approx(7.0)
    assert found["noise_ratio"] == pytest.approx(1 / 3)
    assert found["actionable_ratio"] is None
    again = ninefold(
        "import", "pages", PAGERDUTY, "--format", "pagerduty-csv", "--integration", "prometheus",
        env=env, clock=clock,
    )  # fmt: skip
    assert again.stdout.splitlines()[-1] == (
        "0 alert groups and 0 shifts imported, 3 already there, 3 refused"
    )


def test_a_csv_without_its_columns_is_refused_whole_and_gaps_are_named(
    env: dict[str, str], engine: Engine, clock: FrozenClock, tmp_path: Path
) -> None:
    header, *rows = PAGERDUTY.read_text().splitlines()
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join([header.replace("created_on", "opened"), *rows]))
    refused = ninefold("import", "pages", cut, "--format", "pagerduty-csv", env=env, clock=clock)
    assert refused.returncode == 1
    assert "no created_on column; is this PagerDuty's incidents CSV?" in refused.stderr
    assert counts(engine)["alert_groups"] == 0
    # 1201 with its acknowledgement's seconds left out, and nobody assigned.
    fields = header.split(",")
    row = dict(zip(fields, rows[0].split(","), strict=True))
    row |= {"seconds_to_first_ack": "", "assigned_to_user_names": "", "assigned_to_user_ids": ""}
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("\n".join([header, ",".join(row[f] for f in fields)]))
    result = ninefold(
        "import", "pages", gaps, "--format", "pagerduty-csv", "--integration", "prometheus",
        env=env, clock=clock,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"imported {gaps}:line 2, but seconds_to_first_ack is empty though acknowledged: left "
        "unacknowledged",
        f"imported {gaps}:line 2, but assigned_to_user_names is empty: nobody counted as paged",
        "1 alert group and 0 shifts imported, 0 already there, 0 refused",
    ]


def test_a_shift_beside_the_rotation_comes_in_with_a_note(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    """payments-primary hands over weekly from 2026-01-05 09:00 in Chicago: diego holds the
    week from January 12. A shift of priya's in it puts both on call."""
    clock.set(datetime(2026, 2, 1, tzinfo=UTC))
    shift = {"schedule": "payments-primary", "user": "Priya Raman",
             "start": "2026-01-13T00:00:00Z", "end": "2026-01-14T00:00:00Z"}  # fmt: skip
    path = tmp_path / "shift.json"
    path.write_text(json.dumps({"shifts": [shift]}))
    result = ninefold("import", "pages", path, env=env, clock=clock)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"imported {path}:shifts#1, but diego on call in payments-primary then too: both count",
        "0 alert groups and 1 shift imported, 0 already there, 0 refused",
    ]
    who = ninefold(
        "oncall", "who", "payments-primary", "--at", "2026-01-13T12:00:00Z", env=env, clock=clock
    )
    assert who.stdout.splitlines() == ["diego", "priya"]


def test_the_documented_example_is_the_example_file() -> None:
    """docs/paging.md shows docs/examples/pages.json, which its examples import."""
    page = (ROOT / "docs" / "paging.md").read_text(encoding="utf-8")
    shown = page.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(shown) == json.loads((ROOT / "docs" / "examples" / "pages.json").read_text())
