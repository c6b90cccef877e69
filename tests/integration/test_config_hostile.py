"""Configuration files as a hostile pull request would write them: `ninefold check` runs in
CI on every pull request, so a file must not exhaust the runner or make it read outside the
directory. Each case ends at once with a file:line problem and exit code 1 (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_config_cli import run, write


def laughs(levels: int) -> str:
    """The "billion laughs": each level an alias list of ten of the level before."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines.append(f"teams:\n  - name: core\n    description: *a{levels}")
    return "\n".join(lines) + "\n"


def check(tmp_path: Path, files: dict[str, str]) -> list[str]:
    write(tmp_path / "config", files)
    result = run("sqlite:///unused.db", "check", "config", cwd=tmp_path)
    assert result.returncode == 1
    return result.stderr.splitlines()


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    text = laughs(9)
    assert len(text) < 1200  # a kilobyte that would expand to a billion strings
    assert check(tmp_path, {"teams.yaml": text}) == [
        "config/teams.yaml: yaml: its aliases (*name) expand to more than 200000 values or "
        "64 levels; write the values out instead",
        "1 error",
    ]


def test_aliases_that_stay_small_are_read_as_yaml_allows(tmp_path: Path) -> None:
    teams = (
        "teams:\n"
        "  - name: core\n    description: &shared Runs the shop\n"
        "  - name: edge\n    description: *shared\n"
    )
    write(tmp_path / "config", {"teams.yaml": teams})
    result = run("sqlite:///unused.db", "check", "config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 teams" in result.stdout


def test_nesting_past_the_bound_is_a_problem_at_its_line_not_a_traceback(tmp_path: Path) -> None:
    deep = "teams:\n  - name: core\n    description: " + "[" * 5000 + "]" * 5000 + "\n"
    assert check(tmp_path, {"teams.yaml": deep}) == [
        "config/teams.yaml:3: yaml: nested deeper than 64 levels",
        "1 error",
    ]


def test_a_link_out_of_the_configuration_directory_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("teams:\n  - name: stolen\n", encoding="utf-8")
    config = write(tmp_path / "config", {"teams.yaml": "teams:\n  - name: core\n"})
    (config / "passwd.yaml").symlink_to("/etc/passwd")
    (config / "other.yaml").symlink_to(outside)
    lines = check(tmp_path, {})
    assert lines == [
        "config/other.yaml: file: links outside config; not read",
        "config/passwd.yaml: file: links outside config; not read",
        "2 errors",
    ]


def test_a_link_inside_the_configuration_directory_is_read(tmp_path: Path) -> None:
    config = write(tmp_path / "config", {"teams.yaml": "teams:\n  - name: core\n"})
    (config / "shared").mkdir()
    # Not .yaml, so that only the link reads it.
    (config / "shared" / "edge.txt").write_text("teams:\n  - name: edge\n", encoding="utf-8")
    (config / "edge.yaml").symlink_to(config / "shared" / "edge.txt")
    result = run("sqlite:///unused.db", "check", "config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 teams" in result.stdout


@pytest.mark.parametrize("name", ["slos/bomb.yaml", "slos/deep.yaml"])
def test_slo_specs_are_held_to_the_same_bounds(tmp_path: Path, name: str) -> None:
    text = laughs(9) if "bomb" in name else "[" * 5000 + "]" * 5000 + "\n"
    (tmp_path / "config" / "slos").mkdir(parents=True)
    lines = check(tmp_path, {"teams.yaml": "teams:\n  - name: core\n", name: text})
    assert len(lines) == 2
    assert lines[0].startswith(f"config/{name}")
    assert "yaml:" in lines[0]
