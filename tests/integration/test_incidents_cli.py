"""The incident and postmortem commands on the example shop: what a terminal user types, what
they read back, and the refusals that name what is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.factories import load_examples
from tests.support.cli import ninefold
from tests.support.clock import FrozenClock

pytestmark = pytest.mark.pinned
T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path, database_url: str, engine: Engine, clock: FrozenClock) -> dict[str, str]:
    clock.set(T0)
    load_examples(engine, now=clock())
    return {"NINEFOLD_DATA_DIR": str(tmp_path), "NINEFOLD_DATABASE_URL": database_url}


def test_an_incident_from_the_terminal_to_its_postmortem_in_markdown_and_back(
    env: dict[str, str], clock: FrozenClock, tmp_path: Path
) -> None:
    def run(*args: str | Path) -> str:
        done = ninefold(*args, env=env, clock=clock)
        assert done.returncode == 0, done.stderr
        return done.stdout

    start = (T0 - timedelta(minutes=30)).isoformat()
    said = run(
        "incident",
        "declare",
        "--severity",
        "SEV2",
        "--title",
        "Checkout slow",
        "--service",
        "checkout",
        "--impact-start",
        start,
        "--commander",
        "priya",
    )
    assert said.splitlines()[:3] == [
        "incident 1 [SEV2, investigating] Checkout slow",
        "services: checkout",
        "roles: commander priya",
    ]
    note = run("incident", "note", "1", "Rolled back").split()[1]
    run("incident", "note", "1", "Rolled back to v41", "--edit", note.split(":")[1])
    run("incident", "pin", "1", note)
    clock.set(T0 + timedelta(minutes=10))
    moved = run("incident", "status", "1", "resolved")
    assert "mitigate 40.0 min, recover 40.0 min" in moved
    shown = json.loads(run("incident", "show", "1", "--json"))
    assert [e["text"] for e in shown["timeline"] if e["pinned"]] == ["Rolled back to v41"]

    started = run("postmortem", "start", "1")
    assert "required: SEV2 requires a postmortem" in started
    run("postmortem", "item", "1", "detect", "Alert on pool saturation", "--owner", "diego")
    exported = tmp_path / "pm.md"
    run("postmortem", "export", "1", "--output", exported)
    text = exported.read_text()
    assert text.startswith("<!-- ninefold incident 1 -->\n# Postmortem: Checkout slow\n")
    assert "Rolled back to v41" in text  # the pinned entry, in the timeline section
    exported.write_text(text.replace("## Resolution\n\n", "## Resolution\n\nRolled back.\n"))
    imported = run("postmortem", "import", exported)
    assert "Section Resolution" not in imported
    exported.write_text(text + "\n## Blame\n")
    refused = ninefold("postmortem", "import", exported, env=env, clock=clock)
    assert refused.returncode == 1
    assert f"{exported}: the postmortem does not read: line" in refused.stderr
    assert "unknown section 'Blame'" in refused.stderr
    items = run("postmortem", "items", "--owner", "diego")
    assert "Alert on pool saturation" in items


def test_bad_input_is_refused_naming_what_is_wrong(env: dict[str, str], clock: FrozenClock) -> None:
    cases = [
        (("incident", "declare", "--severity", "SEV9", "--title", "x"), "severity"),
        (
            ("incident", "declare", "--severity", "SEV2", "--title", "x", "--service", "nope"),
            "no service named 'nope'",
        ),
        (("incident", "status", "1", "resolved"), "no incident 1"),
    ]
    for args, words in cases:
        done = ninefold(*args, env=env, clock=clock)
        assert done.returncode != 0
        assert words in done.stderr
    ninefold("incident", "declare", "--severity", "SEV3", "--title", "x", env=env, clock=clock)
    ninefold("incident", "status", "1", "resolved", env=env, clock=clock)
    twice = ninefold("incident", "status", "1", "resolved", env=env, clock=clock)
    assert (twice.returncode, twice.stderr) == (1, "error: the incident is resolved already\n")
    wrong = ninefold(
        "incident", "instants", "1", "--impact-start", "2026-05-04T15:00:00Z", env=env, clock=clock
    )
    assert wrong.returncode == 1
    assert "impact start is in the future" in wrong.stderr
