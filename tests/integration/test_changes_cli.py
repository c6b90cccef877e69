"""`ninefold change record` as the last step of a CI job: a real git repository made with the
git CLI, a Ninefold server on a loopback port, the command in-process with a CI environment;
then `ninefold dora` on what was recorded. SQLite only: the use cases behind the commands run
on PostgreSQL in tests/integration/test_changes_api.py."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import Engine

from ninefold.app import create_app
from ninefold.auth.model import Role
from ninefold.changes import cli as changes_cli
from ninefold.settings import Settings
from tests.factories import EXAMPLES, load_examples, make_token, make_user
from tests.integration.test_web import log_in, parse
from tests.support.cli import ninefold as run_ninefold
from tests.support.clock import FrozenClock
from tests.support.live_server import serving

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.pinned,
]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_REPOSITORY": "shop/checkout",
    "GITHUB_JOB": "deploy",
    "GITHUB_ACTOR": "priya",
    "GITHUB_SERVER_URL": "https://github.example.com",
}


def git(repo: Path, *args: str, when: datetime | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Priya",
        "GIT_AUTHOR_EMAIL": "priya@example.com",
        "GIT_COMMITTER_NAME": "Priya",
        "GIT_COMMITTER_EMAIL": "priya@example.com",
    }
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """v1 tagged, then three commits (authored 30 h, 5 h and 1 h before T0) tagged v2."""
    work = tmp_path / "checkout"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    for i, hours in enumerate((48, 30, 5, 1)):
        (work / "app.txt").write_text(f"version {i}\n")
        git(work, "add", "app.txt")
        git(work, "commit", "-q", "-m", f"change {i}", when=T0 - timedelta(hours=hours))
        if i == 0:
            git(work, "tag", "v1")
    git(work, "tag", "v2")
    return work


@dataclass
class Ci:
    """A CI job's shell: the server's URL and a token in its environment."""

    server: str
    token: str
    clock: FrozenClock
    workspace: Path
    app: FastAPI

    def __call__(self, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
        done = run_ninefold(
            *args,
            env={
                **GITHUB,
                "NINEFOLD_SERVER_URL": self.server,
                "NINEFOLD_TOKEN": self.token,
                **(env or {}),
            },
            cwd=self.workspace,
            clock=self.clock,
        )
        return done.returncode, done.stdout + done.stderr


@pytest.fixture
def ci(
    database_url: str,
    engine: Engine,
    tmp_path: Path,
    repo: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Ci]:
    for name in list(os.environ):
        if name.startswith(("NINEFOLD_", "GITHUB_", "GITLAB_")) or name == "FORCE_COLOR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("NINEFOLD_DATABASE_URL", database_url)
    monkeypatch.setenv("NINEFOLD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "220")
    for console in [v for v in vars(changes_cli).values() if isinstance(v, Console)]:
        monkeypatch.setattr(console, "_width", None)
    clock.set(T0)
    load_examples(engine, now=clock())
    make_user(engine, "ci-payments", Role.RESPONDER, scope=["payments"], now=clock())
    token = make_token(engine, "ci-payments", Role.DEPLOYER, now=clock())
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, config_dir=EXAMPLES, slo_source="sample"
    )
    app = create_app(settings, engine, clock)
    with serving(app) as url:
        yield Ci(url, token, clock, repo, app)


def test_the_last_step_of_a_ci_job_records_the_deploy_with_its_commits(ci: Ci) -> None:
    code, said = ci("change", "record", "--service", "checkout", "--version", "v2",
                    "--git-range", "v1..v2", "--json")  # fmt: skip
    assert code == 0, said
    made = json.loads(said)
    change = made["change"]
    assert made["created"] is True
    assert change["external_id"] == "github:shop/checkout:run:4242:deploy:checkout:production"
    assert change["url"] == "https://github.example.com/shop/checkout/actions/runs/4242"
    assert change["author"] == "priya"
    assert change["recorded_by"] == "ci-payments"
    assert change["finished_at"] == T0.isoformat().replace("+00:00", "Z")
    authored = [c["authored_at"] for c in change["commits"]]
    assert authored == [
        (T0 - timedelta(hours=h)).isoformat().replace("+00:00", "Z") for h in (1, 5, 30)
    ]
    assert [c["title"] for c in change["commits"]] == ["change 3", "change 2", "change 1"]
    # The job is retried a minute later: one change, the same id.
    ci.clock.advance(minutes=1)
    code, said = ci("change", "record", "--service", "checkout", "--version", "v2",
                    "--git-range", "v1..v2")  # fmt: skip
    assert code == 0, said
    assert f"change {change['id']} already recorded" in said


def test_the_recorded_deploy_shows_on_the_service_page_and_the_burn_down(
    ci: Ci, engine: Engine
) -> None:
    code, said = ci("change", "record", "--service", "checkout", "--version", "v2",
                    "--git-range", "v1..v2")  # fmt: skip
    assert code == 0, said
    make_user(engine, "ada", Role.VIEWER, now=ci.clock())
    with TestClient(ci.app) as browser:
        assert log_in(browser, "ada").status_code == 303
        service_page = parse(browser.get("/services/checkout"))
        assert "v2" in service_page.one("table", id="service-changes").text
        burn_down = parse(browser.get("/slos/checkout/availability"))
        marks = [line.attrs.get("data-change") for line in burn_down.find_all("line")]
        assert "#1 checkout v2" in marks


def test_dora_reads_what_ci_recorded(ci: Ci) -> None:
    code, said = ci("change", "record", "--service", "checkout", "--version", "v2",
                    "--git-range", "v1..v2")  # fmt: skip
    assert code == 0, said
    ci.clock.set(T0 + timedelta(days=1))
    local = {"NINEFOLD_SERVER_URL": None, "NINEFOLD_TOKEN": None}
    code, said = ci("dora", "--from", "2026-03-02", "--to", "2026-03-09", "--service",
                    "checkout", "--format", "json", env=local)  # fmt: skip
    assert code == 0, said
    figures = json.loads(said)["rows"][0]["current"]
    # Pairs: 1 h, 5 h, 30 h after authoring: median 5 h.
    assert figures["deploys"] == 1
    assert figures["lead_time_minutes"] == 300
    code, said = ci("dora", "--from", "2026-03-02", "--to", "2026-03-09", "--by", "team",
                    "--format", "csv", env=local)  # fmt: skip
    assert code == 0, said
    lines = said.splitlines()
    assert lines[0].startswith("group,name,from,to,deploys,deploys_per_day")
    payments = next(line for line in lines if line.startswith("team,payments,"))
    assert payments.split(",")[4] == "1"
    code, said = ci("dora", "--from", "2026-03-02", "--to", "2026-03-09", env=local)
    assert code == 0, said
    # Each figure with its tier: a lead time under a day is elite.
    assert "5 h 00 min [elite]" in said


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--git-range", "v0..v2"), "--git-range v0..v2: fatal: bad revision 'v0..v2'"),
        (("--git-range", "--all"), "is not a revision range"),
        (("--service", "search"), "may record changes of the services of teams ['payments']"),
        (("--service", "nope"), "unknown service 'nope'"),
        (("--outcome", "maybe"), "outcome"),
        (("--finished", "2026-03-02T09:00"), "--finished: '2026-03-02T09:00' has no time zone"),
    ],
)
def test_bad_records_fail_the_ci_step_saying_why(ci: Ci, args: tuple[str, ...], words: str) -> None:
    base = ["change", "record", "--service", "checkout", "--version", "v2"]
    code, said = ci(*base, *args)
    assert code != 0
    assert words in said


def test_a_wrong_token_or_no_server_is_an_error_not_a_silent_pass(
    ci: Ci, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes_cli, "RETRY_PAUSE", 0.01)
    code, said = ci("change", "record", "--service", "checkout", env={"NINEFOLD_TOKEN": "nf_x"})
    assert code != 0
    assert "invalid API token" in said
    code, said = ci(
        "change", "record", "--service", "checkout",
        env={"NINEFOLD_SERVER_URL": "http://127.0.0.1:9"},
    )  # fmt: skip
    assert code != 0
    assert "could not record the change after 3 attempts" in said
