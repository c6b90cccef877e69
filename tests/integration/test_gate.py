"""`ninefold gate` as CI runs it: against the backfilled Prometheus, the example policy and a
real database; the decision is recorded and shown on the service page.

The example policy's holiday freeze sits on fixed dates, while the Prometheus history ends at
the time the tests run: the tests move the freeze to the fortnight after the history, so that
no instant of the history falls in it whatever the date.

An allowed release runs `python -m ninefold gate` as CI does, exit code and all; the other
cases run the same command in-process (`tests.support.cli`), sparing an interpreter start each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.settings import Settings
from tests.factories import EXAMPLES, make_user
from tests.integration.conftest import OUTAGE_START
from tests.integration.test_web import log_in
from tests.support.cli import Completed, ninefold
from tests.support.clock import FrozenClock

ROOT = Path(__file__).parent.parent.parent


def at(history: dict[str, np.ndarray], index: int) -> str:
    return datetime.fromtimestamp(int(history["timestamps"][index]), UTC).isoformat()


@pytest.fixture
def freeze(history: dict[str, np.ndarray]) -> tuple[datetime, datetime]:
    """The fortnight after the history: the holiday freeze of the tests' policy."""
    end_of_history = datetime.fromtimestamp(int(history["timestamps"][-1]), UTC)
    return end_of_history + timedelta(days=1), end_of_history + timedelta(days=15)


@pytest.fixture
def config(tmp_path: Path, freeze: tuple[datetime, datetime]) -> Path:
    """The example configuration with its freeze window moved to `freeze`."""
    directory = tmp_path / "config"
    shutil.copytree(EXAMPLES, directory)
    policies = directory / "policies.yaml"
    text, count = re.subn(
        r"start: \S+\n(\s+)end: \S+",
        rf"start: {freeze[0].isoformat()}\n\1end: {freeze[1].isoformat()}",
        policies.read_text(encoding="utf-8"),
    )
    assert count == 1, "examples/policies.yaml has no freeze window to move"
    policies.write_text(text, encoding="utf-8")
    # The example's freezes fall on dates of their own; the tests' freeze of the payments team
    # comes a week after the policy's.
    launch = freeze[1] + timedelta(days=7)
    (directory / "changes.yaml").write_text(
        "freezes:\n"
        "  - name: payments-launch\n"
        f"    starts: {launch.isoformat()}\n"
        f"    ends: {(launch + timedelta(days=2)).isoformat()}\n"
        "    reason: Launch week of the new checkout.\n"
        "    teams: [payments]\n",
        encoding="utf-8",
    )
    return directory


def environment(database_url: str, config: Path) -> dict[str, str]:
    return {"NINEFOLD_DATABASE_URL": database_url, "NINEFOLD_CONFIG_DIR": str(config)}


def gate_process(
    database_url: str, config: Path, prometheus: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", "gate", *args, "--prometheus", prometheus],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **environment(database_url, config)},
        cwd=ROOT,
    )


def gate(database_url: str, config: Path, prometheus: str, *args: str) -> Completed:
    env = environment(database_url, config)
    return ninefold("gate", *args, "--prometheus", prometheus, env=env, cwd=ROOT)


def test_within_budget_the_release_is_allowed(
    database_url: str, config: Path, engine: Engine, prometheus: str, history
) -> None:
    result = gate_process(database_url, config, prometheus, "checkout", "--at", at(history, -1))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ALLOW: release of checkout")
    assert "SLO availability: budget left 36.1%" in result.stdout


def test_during_a_fast_burn_it_is_denied_unless_it_is_a_rollback(
    database_url: str, config: Path, engine: Engine, prometheus: str, history
) -> None:
    moment = at(history, OUTAGE_START + 19)
    denied = gate(database_url, config, prometheus, "checkout", "--at", moment, "--json")
    assert denied.returncode == 1, denied.stderr
    decision = json.loads(denied.stdout)
    assert decision["decision"] == "deny"
    assert any("burns at" in r and "over 1h (above 10x)" in r for r in decision["reasons"])
    assert decision["evidence"]["availability"]["burn_1h"] > 10
    rollback = gate(
        database_url, config, prometheus, "checkout", "--at", moment, "--label", "rollback"
    )
    assert rollback.returncode == 0, rollback.stderr
    assert "allowed as an exception: labelled rollback" in rollback.stdout


def test_a_freeze_window_denies(
    database_url: str,
    engine: Engine,
    config: Path,
    prometheus: str,
    freeze: tuple[datetime, datetime],
) -> None:
    during = (freeze[0] + timedelta(days=3)).isoformat()
    result = gate(database_url, config, prometheus, "payments", "--at", during)
    assert result.returncode == 1
    assert "freeze window" in result.stdout
    assert "Holiday freeze on the money path" in result.stdout


def test_a_freeze_of_the_team_denies_all_but_rollbacks_and_security_fixes(
    database_url: str,
    engine: Engine,
    config: Path,
    prometheus: str,
    freeze: tuple[datetime, datetime],
) -> None:
    during = (freeze[1] + timedelta(days=8)).isoformat()
    denied = gate(database_url, config, prometheus, "checkout", "--at", during)
    assert denied.returncode == 1, denied.stderr
    assert "freeze payments-launch until" in denied.stdout
    assert "Launch week of the new checkout." in denied.stdout
    fix = gate(database_url, config, prometheus, "checkout", "--at", during, "--label", "security")
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert "allowed as an exception: labelled security fix" in fix.stdout
    other_team = gate(database_url, config, prometheus, "search", "--at", during)
    assert other_team.returncode == 0, other_team.stdout + other_team.stderr


# The two errors below come before the decision is recorded: no SQL runs, so SQLite suffices.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unreachable_prometheus_is_an_error_never_an_allow(
    database_url: str, config: Path, engine: Engine
) -> None:
    result = gate(database_url, config, "http://127.0.0.1:9", "checkout")
    assert result.returncode == 2
    assert "http://127.0.0.1:9" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_time_without_a_zone_is_an_error_not_a_guess(
    database_url: str, config: Path, engine: Engine
) -> None:
    result = gate(
        database_url, config, "http://127.0.0.1:9", "checkout", "--at", "2026-11-23T10:00"
    )
    assert result.returncode == 2
    assert (
        "--at: '2026-11-23T10:00' has no time zone; add one, such as Z or +01:00" in result.stderr
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unknown_service_is_an_error(
    database_url: str, config: Path, engine: Engine, prometheus: str
) -> None:
    result = gate(database_url, config, prometheus, "nope")
    assert result.returncode == 2
    assert "no service named 'nope'" in result.stderr


def test_decisions_are_recorded_and_shown_on_the_service_page(
    database_url: str,
    config: Path,
    engine: Engine,
    shop: Engine,
    prometheus: str,
    history,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    gate(database_url, config, prometheus, "checkout", "--at", at(history, OUTAGE_START + 19))
    gate(
        database_url, config, prometheus, "checkout", "--at", at(history, -1), "--label", "feature"
    )
    make_user(shop, "ada", Role.ADMIN, now=clock())
    with TestClient(
        create_app(Settings(database_url=database_url, data_dir=tmp_path), engine, clock)
    ) as client:
        log_in(client, "ada")
        page = client.get("/services/checkout").text
    assert "Release gate" in page
    rows = page.split('id="gate-decisions"')[1]
    assert rows.index("allow") < rows.index("deny")
    assert "feature" in rows
    assert "above 10x" in rows
