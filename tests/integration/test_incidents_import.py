"""Importing past incidents with the CLI, on the real public post-mortem dataset: every
record that reads imported, each other one reported, a second import changing nothing, and
the statistics of what came in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.factories import load_examples
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock
from tests.support.datasets import dataset

pytestmark = pytest.mark.pinned


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    load_examples(engine, now=clock())
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def test_the_cloud_post_mortems_come_in_whole_once_and_their_stats_add_up(
    env: dict[str, str], clock: FrozenClock
) -> None:
    folder = dataset("cloud-postmortems")
    per_provider = {
        name: sum(len(json.loads(f.read_text())) for f in (folder / name).glob("*.json"))
        for name in ("AWS", "Azure", "Google")
    }
    first = ninefold("import", "incidents", folder, env=env, clock=clock)
    assert first.returncode == 1, first.stderr  # one record refused
    lines = first.stdout.splitlines()
    refused = [line for line in lines if line.startswith("refused ")]
    assert len(refused) == 1
    assert "(azure-20180904-1): the same id with other content (first at" in refused[0]
    notes = [line for line in lines if line.startswith("imported ")]
    assert sum("but no service" in n for n in notes) == 7
    assert sum("but no duration: time to recover unknown" in n for n in notes) == 2
    total = sum(per_provider.values())
    assert lines[-1] == f"{total - 1} imported, 0 already there, 1 refused"

    again = ninefold("import", "incidents", folder, env=env, clock=clock)
    assert again.stdout.splitlines()[-1] == f"0 imported, {total - 1} already there, 1 refused"

    stats = ninefold("incidents", "stats", "--format", "json", env=env, clock=clock)
    assert stats.returncode == 0, stats.stderr
    found = json.loads(stats.stdout)
    by_provider = {row["key"]: row["incidents"] for row in found["provider"]}
    # The duplicate id is one of Azure's.
    assert by_provider == {**per_provider, "Azure": per_provider["Azure"] - 1}
    assert sum(row["incidents"] for row in found["category"]) == total - 1
    assert sum(row["with_duration"] for row in found["category"]) == total - 1 - 2
    table = ninefold("incidents", "stats", env=env, clock=clock).stdout
    assert "software-bug" in table
    assert "Time to recover (minutes) by provider" in table


def test_a_broken_file_imports_the_rest_in_one_go_and_a_file_that_is_not_json_nothing(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    good = {
        "id": "old-1",
        "title": "Checkout down",
        "services": ["checkout"],
        "impact_start": "2026-01-05T09:00:00Z",
        "resolved": "2026-01-05T09:30:00Z",
    }
    broken = {"id": "old-2", "title": "No time"}
    path = tmp_path / "past.json"
    path.write_text(json.dumps([good, broken]))
    result = ninefold("import", "incidents", path, env=env, clock=clock)
    assert result.returncode == 1
    assert f"refused {path}:#2: neither impact_start nor resolved" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 imported, 0 already there, 1 refused"
    listed = ninefold("incident", "list", env=env, clock=clock).stdout
    assert "Checkout down" in listed
    assert "30.0 min" in listed
    (tmp_path / "bad.json").write_text("{not json")
    bad = ninefold("import", "incidents", tmp_path / "bad.json", env=env, clock=clock)
    assert bad.returncode != 0
    assert "bad.json: not JSON" in bad.stderr
