"""CLI output against checked-in expected files: what users read and diff must not drift.

Regenerate after an intended change with NINEFOLD_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
EXPECTED = Path(__file__).parent / "expected"
FIXTURES = ROOT / "tests" / "fixtures"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ninefold", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if os.environ.get("NINEFOLD_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with NINEFOLD_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def test_check_lists_every_problem_of_a_broken_directory() -> None:
    result = run("check", "tests/fixtures/broken")
    assert result.returncode == 1
    assert result.stdout == ""
    assert_golden("check-broken.txt", result.stderr)


def test_check_of_the_examples() -> None:
    result = run("check", "examples")
    assert result.returncode == 0
    assert_golden("check-examples.txt", result.stdout)


@pytest.mark.parametrize("name", ["teams.yaml", "users.yaml", "services.yaml"])
def test_backstage_import_writes_the_same_files(tmp_path: Path, name: str) -> None:
    sources = ["tests/fixtures/backstage/org.yaml", "tests/fixtures/backstage/catalog-info.yaml"]
    result = run("import", "backstage", *sources, "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert_golden(f"backstage-{name}", (tmp_path / name).read_text(encoding="utf-8"))
