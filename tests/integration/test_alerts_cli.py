"""`ninefold alerts ...` on a group that pages: the real command tree in-process (Typer's
CliRunner), pointed at the test database through the environment as a user's shell would.

The data is test_escalation's: priya is on call for payments, an Alertmanager alert arrives
over HTTP and the worker pages her. Intake, worker and CLI share the test's clock. SQLite only:
the use cases behind the commands run on PostgreSQL in the API tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import Engine, select

from ninefold.alerts.tables import AlertGroup, GroupEvent
from ninefold.auth.tables import User
from ninefold.db import make_session_factory, unit_of_work
from ninefold.paging import cli as paging_cli
from ninefold.paging.tables import Escalation, Page
from ninefold.settings import Settings
from tests.integration.test_escalation import T0, alert, paging, paging_settings
from tests.support.cli import ninefold as run_ninefold
from tests.support.clock import FrozenClock
from tests.support.paging import run_jobs as run

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
__all__ = ["paging", "paging_settings"]  # fixtures, used by name


@dataclass
class Ninefold:
    """The `ninefold` command in-process, reading the time from the test's clock: its exit
    code and what it printed, errors included, as a shell shows them."""

    clock: FrozenClock

    def __call__(self, *args: str) -> tuple[int, str]:
        done = run_ninefold(*args, clock=self.clock)
        return done.returncode, done.stdout + done.stderr


@pytest.fixture
def ninefold(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> Ninefold:
    for name in list(os.environ):
        if name.startswith("NINEFOLD_") or name == "FORCE_COLOR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("NINEFOLD_DATABASE_URL", database_url)
    monkeypatch.setenv("NINEFOLD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "220")  # rich tables: no wrapping of the cells asserted on
    for console in [v for v in vars(paging_cli).values() if isinstance(v, Console)]:
        monkeypatch.setattr(console, "_width", None)
    return Ninefold(clock)


@pytest.fixture
def paged(
    client: TestClient, engine: Engine, paging: str, paging_settings: Settings, clock: FrozenClock
) -> int:
    """One group that paged priya (step 1 of payments) at T0; its id. The clock is left a
    minute later."""
    assert client.post(paging, json=alert()).status_code == 200
    run(engine, paging_settings, clock)
    clock.set(T0 + timedelta(minutes=1))
    with make_session_factory(engine)() as session:
        return session.scalars(select(AlertGroup.id)).one()


def state(engine: Engine, group_id: int) -> tuple[str, str | None, str | None]:
    """The group's state and who acknowledged it, and its escalation's state."""
    with make_session_factory(engine)() as session:
        group = session.get_one(AlertGroup, group_id)
        escalation = session.scalar(select(Escalation).where(Escalation.group_id == group_id))
        return group.state, group.acknowledged_by, escalation.state if escalation else None


def events(engine: Engine, group_id: int) -> list[tuple[str, str, dict[str, object]]]:
    with make_session_factory(engine)() as session:
        rows = session.scalars(
            select(GroupEvent).where(GroupEvent.group_id == group_id).order_by(GroupEvent.id)
        )
        return [(e.kind, e.actor, e.detail) for e in rows]


def squeeze(output: str) -> str:
    """Table rows as `a | b | c`, the box drawing and padding gone."""
    lines = []
    for line in output.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│")]
        lines.append(" | ".join(c for c in cells if c))
    return "\n".join(lines)


def test_list_shows_groups_newest_first_with_filters(
    ninefold: Ninefold, client: TestClient, paging: str, paged: int
) -> None:
    assert client.post(paging, json=alert("DiskFull")).status_code == 200  # not routed yet

    code, output = ninefold("alerts", "list")
    assert code == 0, output
    rows = squeeze(output)
    assert "id | state | severity | service | title | created (UTC) | alerts" in rows
    assert (
        f"{paged} | triggered | critical | checkout | Checkout fails 12% of requests | "
        "2026-11-24 02:00:00 | 1"
    ) in rows
    assert rows.index(f"{paged + 1} | triggered") < rows.index(f"{paged} | triggered")

    code, output = ninefold("alerts", "list", "--limit", "1")
    assert code == 0
    assert f"{paged + 1} | triggered" in squeeze(output)
    assert f"{paged} | triggered" not in squeeze(output)
    assert "1 of 2 shown; see more with --limit" in output

    assert ninefold("alerts", "list", "--state", "resolved") == (0, "no alert groups\n")
    assert ninefold("alerts", "list", "--service", "search") == (0, "no alert groups\n")
    code, output = ninefold("alerts", "list", "--state", "triggered", "--service", "checkout")
    assert code == 0
    assert squeeze(output).count("| triggered |") == 2


def test_show_prints_the_group_its_timeline_and_its_escalation(
    ninefold: Ninefold, client: TestClient, paging: str, paged: int
) -> None:
    code, output = ninefold("alerts", "show", str(paged))
    assert code == 0, output
    rows = squeeze(output)
    assert f"alert group {paged}: Checkout fails 12% of requests" in output
    for fact in (
        "state triggered",
        "service checkout",
        "severity critical",
        "integration am",
        "created 2026-11-24 02:00:00 UTC",
        "labels alertname=CheckoutErrors, service=checkout, severity=critical",
        "route all",
        "policy payments",
        "state running (round 1)",
        "next step 2026-11-24 02:10:00 UTC",
    ):
        assert fact in " ".join(output.split()), fact
    assert "fp-CheckoutErrors | firing | 2026-11-24 01:59:00" in rows
    assert "2026-11-24 02:00:00 | routed | ninefold | route=all, policy=payments" in rows
    assert "user=priya, reason=on call for payments-primary, step=1" in rows
    assert (
        "2026-11-24 02:00:00 | priya | 1 | on call for payments-primary | "
        "Tue 03:00 Europe/Berlin | sleeping | mail: sent"
    ) in rows
    assert "hook: pending" in rows
    assert "not paged yet" not in output

    assert client.post(paging, json=alert("DiskFull")).status_code == 200  # the worker is idle
    code, output = ninefold("alerts", "show", str(paged + 1))
    assert code == 0, output
    assert f"alert group {paged + 1}: Checkout fails 12% of requests" in output
    assert "fp-DiskFull | firing" in squeeze(output)
    assert "Escalation: not paged yet" in output


def test_acknowledge_escalate_snooze_reassign_and_resolve(
    ninefold: Ninefold, engine: Engine, paged: int, clock: FrozenClock
) -> None:
    group = str(paged)
    assert ninefold("alerts", "ack", group, "--as", "diego") == (
        0,
        f"acknowledged alert group {paged}\n",
    )
    assert state(engine, paged) == ("acknowledged", "diego", "running")
    code, output = ninefold("alerts", "show", group)
    assert "acknowledged 2026-11-24 02:01:00 UTC by diego" in " ".join(output.split())
    assert "next step" not in output  # its job will find the group acknowledged
    assert ninefold("alerts", "ack", group) == (
        0,
        f"alert group {paged} was already acknowledged\n",
    )
    assert [e for e in events(engine, paged) if e[0] == "acknowledged"] == [
        ("acknowledged", "diego", {})
    ]

    clock.set(T0 + timedelta(minutes=2))
    code, output = ninefold("alerts", "escalate", group)
    assert (code, output) == (0, f"escalated alert group {paged}: paged priya, diego (step 2)\n")
    assert state(engine, paged) == ("triggered", None, "exhausted")
    retriggered = [(actor, e) for kind, actor, e in events(engine, paged) if kind == "retriggered"]
    assert [(actor.startswith("cli:"), e) for actor, e in retriggered] == [
        (True, {"why": "escalated"})
    ]

    clock.set(T0 + timedelta(minutes=3))
    assert ninefold("alerts", "snooze", group, "--minutes", "30", "--as", "priya") == (
        0,
        f"snoozed alert group {paged} until 2026-11-24T02:33:00+00:00\n",
    )
    assert state(engine, paged) == ("acknowledged", "priya", "exhausted")
    with make_session_factory(engine)() as session:
        until = session.scalars(select(Escalation.snoozed_until)).one()
        assert until == T0 + timedelta(minutes=33)

    clock.set(T0 + timedelta(minutes=4))
    assert ninefold("alerts", "reassign", group, "diego", "--as", "priya") == (
        0,
        f"reassigned alert group {paged} to diego, who is paged now\n",
    )
    assert state(engine, paged) == ("triggered", None, "reassigned")
    with make_session_factory(engine)() as session:
        last = session.scalars(select(Page).order_by(Page.id.desc())).first()
        assert last is not None
        assert (last.user_name, last.step, last.reason) == ("diego", 0, "reassigned by priya")
    code, output = ninefold("alerts", "show", group)
    assert "assigned to diego" in " ".join(output.split())
    assert "diego | by hand | reassigned by priya" in squeeze(output)

    clock.set(T0 + timedelta(minutes=5))
    assert ninefold("alerts", "resolve", group, "--actionable", "no", "--as", "diego") == (
        0,
        f"resolved alert group {paged} (actionable: no)\n",
    )
    assert state(engine, paged)[0] == "resolved"
    assert ("actionable", "diego", {"answer": "no"}) in events(engine, paged)
    assert ninefold("alerts", "resolve", group) == (
        0,
        f"alert group {paged} was already resolved\n",
    )
    assert ninefold("alerts", "ack", group) == (0, f"alert group {paged} was already resolved\n")
    code, output = ninefold("alerts", "snooze", group, "--minutes", "5")
    assert (code, output) == (
        1,
        f"error: alert group {paged} is resolved; there is nothing to snooze\n",
    )


def test_resolve_without_an_answer_acts_as_the_operator(
    ninefold: Ninefold, engine: Engine, paged: int
) -> None:
    assert ninefold("alerts", "resolve", str(paged)) == (0, f"resolved alert group {paged}\n")
    with make_session_factory(engine)() as session:
        group = session.get_one(AlertGroup, paged)
        assert group.state == "resolved"
        assert group.resolved_by is not None
        assert group.resolved_by.startswith("cli:")
    assert "actionable" not in [kind for kind, _, _ in events(engine, paged)]


def test_bad_input_is_refused_and_changes_nothing(
    ninefold: Ninefold, engine: Engine, client: TestClient, paging: str, paged: int
) -> None:
    group = str(paged)
    before = events(engine, paged)

    assert ninefold("alerts", "show", "99") == (1, "error: no alert group 99\n")
    assert ninefold("alerts", "ack", "99") == (1, "error: no alert group 99\n")
    assert ninefold("alerts", "ack", group, "--as", "nobody") == (
        1,
        "error: --as: no user named 'nobody'\n",
    )
    with unit_of_work(make_session_factory(engine)) as session:
        session.scalars(select(User).where(User.name == "diego")).one().disabled = True
    assert ninefold("alerts", "resolve", group, "--as", "diego") == (
        1,
        "error: --as: user 'diego' is disabled\n",
    )
    assert ninefold("alerts", "reassign", group, "nobody") == (
        1,
        "error: no user named 'nobody'\n",
    )

    code, output = ninefold("alerts", "snooze", group, "--minutes", "0")
    assert code == 2
    assert "--minutes" in output
    code, output = ninefold("alerts", "snooze", group, "--minutes", "1441")
    assert code == 2
    code, output = ninefold("alerts", "resolve", group, "--actionable", "maybe")
    assert code == 2
    assert "'maybe' is not one of 'yes', 'no', 'unsure'" in " ".join(output.split())
    code, output = ninefold("alerts", "list", "--state", "open")
    assert code == 2
    assert "--state" in output
    code, output = ninefold("alerts", "list", "--limit", "0")
    assert code == 2

    assert state(engine, paged) == ("triggered", None, "running")
    assert events(engine, paged) == before

    assert client.post(paging, json=alert("DiskFull")).status_code == 200  # not routed yet
    code, output = ninefold("alerts", "escalate", str(paged + 1))
    assert code == 1
    assert f"alert group {paged + 1} has not started paging yet" in output
