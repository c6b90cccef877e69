"""`ninefold check` and `ninefold apply` as a user runs them.

A failed check and a first apply run the real CLI in a subprocess (`python -m ninefold`); the
other commands run the same entry point in-process (`tests.support.cli`: `ninefold.cli.main`
with the argv, environment, working directory and streams of a process), which spares an
interpreter start per command.

Every test that touches the database runs on SQLite and on PostgreSQL (the `database_url`
fixture); the `engine` fixture reads what the command left behind and empties it afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.auth.model import Principal, Role
from ninefold.catalog import service as catalog_service
from ninefold.catalog.schemas import ServiceSpec, TeamSpec
from ninefold.config.check import check_directory
from ninefold.db import make_engine, make_session_factory, unit_of_work
from tests.factories import EXAMPLES, ROOT
from tests.support.cli import Completed, ninefold
from tests.support.clock import FrozenClock

API_ADMIN = Principal(name="root", role=Role.ADMIN, via="api")

SMALL = {
    "users.yaml": """\
        users:
          - name: alice
            full_name: Alice Admin
            role: admin
          - name: bob
            role: responder
            scope: [core]
        """,
    "teams.yaml": """\
        teams:
          - name: core
            members: [alice, bob]
          - name: edge
            members: [bob]
        """,
    "services.yaml": """\
        services:
          - name: web
            tier: 1
            owner: edge
            depends_on: [api]
          - name: api
            tier: 0
            owner: core
            depends_on: [db]
          - name: db
            tier: 0
            owner: core
        """,
}


def run_process(
    database_url: str, *args: str, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NINEFOLD_DATABASE_URL": database_url}
    env.pop("NINEFOLD_CONFIG_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "ninefold", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run(database_url: str, *args: str, cwd: Path = ROOT) -> Completed:
    env = {"NINEFOLD_DATABASE_URL": database_url, "NINEFOLD_CONFIG_DIR": None}
    return ninefold(*args, env=env, cwd=cwd)


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (root / name).write_text(dedent(content), encoding="utf-8")
    return root


def edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything apply may write, without timestamps, to compare before and after."""
    stamps = {"created_at", "updated_at"}
    with unit_of_work(make_session_factory(engine)) as session:
        return {
            "users": [u.model_dump(mode="json") for u in auth_service.all_users(session)],
            "teams": [
                t.model_dump(mode="json", exclude=stamps)
                for t in catalog_service.list_teams(session, limit=1000).items
            ],
            "services": [
                s.model_dump(mode="json", exclude=stamps)
                for s in catalog_service.list_services(session, limit=1000).items
            ],
            "audit": audit.list_entries(session, limit=1000).total,
        }


def audit_entries(engine: Engine) -> list[dict[str, Any]]:
    with unit_of_work(make_session_factory(engine)) as session:
        page = audit.list_entries(session, limit=1000)
        return [e.model_dump(mode="json") for e in reversed(page.items)]


def by_name(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in objects}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(tmp_path / "config", SMALL)


# --- check --------------------------------------------------------------------------------


def test_check_exits_1_and_prints_every_problem_on_stderr(tmp_path: Path) -> None:
    config = write(
        tmp_path / "config",
        {
            "services.yaml": """\
                services:
                  - name: web
                    tier: high
                    owner: core
                  - name: api
                    tier: 1
                    owner: nobody
                    runbooks:
                      - title: Runbook
                        url: not-a-url
                """,
            "teams.yaml": "teams:\n  - name: core\n    colour: red\n",
        },
    )
    result = run_process("sqlite:///unused.db", "check", "config", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "config/services.yaml:3: services[0].tier: "
        "Input should be a valid integer, unable to parse string as an integer",
        "config/services.yaml:10: services[1].runbooks[0].url: must be an http:// or https:// URL",
        "config/teams.yaml:3: teams[0].colour: unknown key",
        "3 errors",
    ]
    assert config.is_dir()
    assert not (tmp_path / "unused.db").exists()


def test_check_warns_of_a_viewer_who_would_be_paged(tmp_path: Path) -> None:
    """Links act with the person's own role (docs/paging.md), so a viewer on call would get
    pages they cannot acknowledge: check says so, without failing the build."""
    write(
        tmp_path / "config",
        {
            "oncall.yaml": """\
                users:
                  - name: sam
                    email: sam@shop.example
                  - name: pat
                    email: pat@shop.example
                    role: responder
                schedules:
                  - name: primary
                    time_zone: UTC
                    layers:
                      - name: weekly
                        participants: [pat, sam]
                        shift_unit: weeks
                        handoff: "09:00"
                        start: 2026-01-05
                """,
        },
    )
    result = run("sqlite:///unused.db", "check", "config", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "config/oncall.yaml:12: schedules[0].layers[0].participants[1]: warning: user 'sam' "
        "is on schedule 'primary' but is a viewer: paged, they can neither acknowledge nor "
        "resolve (make them a responder)"
    ]


def test_check_passes_on_the_examples() -> None:
    result = run("sqlite:///unused.db", "check", "examples")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        "examples: OK (8 users, 3 teams, 14 services, 3 environments, 2 freezes, 3 change integrations, 1 budget policies, 4 integrations, "
        "3 schedules, 3 escalation policies, 4 routes, 4 severities, 0 root causes, "
        "2 declare rules, 3 stakeholders, 2 automations, 2 dr tiers, 3 readiness levels, 2 resources, 5 risks, 0 kpi targets, 0 report deliveries, 3 slos, 13 rules, 5 runbooks)\n"
    )


def test_check_reads_the_configured_directory_by_default(tmp_path: Path) -> None:
    write(tmp_path / "ninefold", {"teams.yaml": "teams:\n  - name: core\n    tier: 1\n"})
    result = run("sqlite:///unused.db", "check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ninefold/teams.yaml:3: teams[0].tier: unknown key",
        "1 error",
    ]


# --- apply --------------------------------------------------------------------------------


def test_dry_run_prints_the_plan_and_writes_nothing(database_url: str, engine: Engine) -> None:
    empty = snapshot(engine)
    result = run(database_url, "apply", "examples", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "+ create team payments" in lines
    assert "+ create user maria" in lines
    assert "+ create service checkout" in lines
    assert "+ create integration prometheus" in lines
    assert "+ create schedule payments-primary" in lines
    assert "+ create escalation_policy payments-default" in lines
    assert "+ create route catch-all" in lines
    assert len([line for line in lines if line.startswith("+ create ")]) == (
        8
        + 3
        + 14
        + 3
        + 2
        + 3
        + 4
        + 3
        + 3
        + 4
        + 4
        + 2
        + 3
        + 2
        + 2
        + 3
        + 2
        + 5
        + 5  # ..., 2 dr tiers, 3 readiness levels, 2 resources, 5 risks, 5 runbooks
    )
    assert lines[-2:] == [
        "Plan: 75 to create, 0 to update, 0 to delete.",
        "Dry run: nothing was written.",
    ]
    assert snapshot(engine) == empty
    assert empty == {"users": [], "teams": [], "services": [], "audit": 0}


def test_apply_creates_everything_then_has_nothing_left_to_do(
    database_url: str, engine: Engine
) -> None:
    first = run_process(database_url, "apply", "examples")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "Plan: 75 to create, 0 to update, 0 to delete."

    state = snapshot(engine)
    bundle = check_directory(EXAMPLES)
    for section in ("users", "teams", "services"):
        written = by_name(state[section])
        assert sorted(written) == sorted(spec.name for spec in bundle.specs(section))
        for spec in bundle.specs(section):
            row = written[spec.name]
            assert row["managed_by"] == "config"
            assert {k: row[k] for k in spec.model_dump(mode="json")} == spec.model_dump(mode="json")

    second = run(database_url, "apply", "examples")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "No changes: the database matches the configuration.\n"
    assert snapshot(engine) == state


def test_an_edited_file_shows_up_as_an_update(
    database_url: str, engine: Engine, small: Path
) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    edit(small / "services.yaml", "  - name: web\n    tier: 1\n", "  - name: web\n    tier: 0\n")
    edit(
        small / "teams.yaml",
        "  - name: edge\n    members: [bob]",
        "  - name: edge\n    members: [alice]",
    )

    dry = run(database_url, "apply", str(small), "--dry-run")
    assert dry.stdout.splitlines() == [
        "~ update team edge (members)",
        "~ update service web (tier: 1 -> 0)",
        "Plan: 0 to create, 2 to update, 0 to delete.",
        "Dry run: nothing was written.",
    ]
    assert by_name(snapshot(engine)["services"])["web"]["tier"] == 1

    result = run(database_url, "apply", str(small))
    assert result.returncode == 0, result.stderr
    state = snapshot(engine)
    assert by_name(state["services"])["web"]["tier"] == 0
    assert by_name(state["teams"])["edge"]["members"] == ["alice"]


def test_a_reordered_list_is_no_change(database_url: str, engine: Engine, small: Path) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    edit(small / "teams.yaml", "members: [alice, bob]", "members: [bob, alice]")
    result = run(database_url, "apply", str(small))
    assert result.stdout == "No changes: the database matches the configuration.\n"


def test_objects_removed_from_the_files_are_deleted(
    database_url: str, engine: Engine, small: Path
) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    write(
        small,
        {
            "users.yaml": "users:\n  - name: alice\n    role: admin\n    full_name: Alice Admin\n",
            "teams.yaml": "teams:\n  - name: core\n    members: [alice]\n",
            "services.yaml": """\
                services:
                  - name: api
                    tier: 0
                    owner: core
                    depends_on: [db]
                  - name: db
                    tier: 0
                    owner: core
                """,
        },
    )
    result = run(database_url, "apply", str(small))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "- delete user bob",
        "~ update team core (members)",
        "- delete team edge",
        "- delete service web",
        "Plan: 0 to create, 1 to update, 3 to delete.",
    ]
    state = snapshot(engine)
    assert sorted(by_name(state["users"])) == ["alice"]
    assert sorted(by_name(state["teams"])) == ["core"]
    assert sorted(by_name(state["services"])) == ["api", "db"]


def test_objects_made_through_the_api_are_kept_until_the_files_claim_them(
    database_url: str, engine: Engine, small: Path, clock: FrozenClock
) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    reviews = ServiceSpec(name="reviews", tier=3, owner="edge", depends_on=["api"])
    with unit_of_work(make_session_factory(engine)) as session:
        catalog_service.create_service(session, API_ADMIN, reviews, clock())
        catalog_service.create_team(session, API_ADMIN, TeamSpec(name="ops"), clock())

    kept = run(database_url, "apply", str(small))
    assert kept.stdout == "No changes: the database matches the configuration.\n"
    state = snapshot(engine)
    assert by_name(state["services"])["reviews"]["managed_by"] == "api"
    assert by_name(state["teams"])["ops"]["managed_by"] == "api"

    edit(
        small / "services.yaml",
        "services:\n",
        "services:\n  - name: reviews\n    tier: 2\n    owner: edge\n    depends_on: [api]\n",
    )
    edit(small / "teams.yaml", "teams:\n", "teams:\n  - name: ops\n")
    claimed = run(database_url, "apply", str(small))
    assert claimed.returncode == 0, claimed.stderr
    assert claimed.stdout.splitlines() == [
        "~ update team ops (taken over from the API)",
        "~ update service reviews (tier: 3 -> 2; taken over from the API)",
        "Plan: 0 to create, 2 to update, 0 to delete.",
    ]
    state = snapshot(engine)
    assert by_name(state["services"])["reviews"]["managed_by"] == "config"
    assert by_name(state["services"])["reviews"]["tier"] == 2
    assert by_name(state["teams"])["ops"]["managed_by"] == "config"

    write(small, SMALL)
    dropped = run(database_url, "apply", str(small))
    assert dropped.stdout.splitlines() == [
        "- delete team ops",
        "- delete service reviews",
        "Plan: 0 to create, 0 to update, 2 to delete.",
    ]
    state = snapshot(engine)
    assert "reviews" not in by_name(state["services"])
    assert "ops" not in by_name(state["teams"])


def test_a_bad_directory_writes_nothing(database_url: str, engine: Engine, small: Path) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    before = snapshot(engine)
    edit(small / "services.yaml", "    tier: 1\n", "    tier: 1\n    colour: blue\n")
    edit(small / "teams.yaml", "  - name: edge\n", "  - name: edge\n    display_name: Edge\n")

    result = run(database_url, "apply", str(small))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{small}/services.yaml:4: services[0].colour: unknown key",
        "1 error",
    ]
    assert result.stdout == ""
    assert snapshot(engine) == before


def test_an_apply_failing_halfway_writes_nothing(
    database_url: str, engine: Engine, small: Path, clock: FrozenClock
) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    with unit_of_work(make_session_factory(engine)) as session:
        legacy = ServiceSpec(name="legacy", tier=3, owner="edge")
        catalog_service.create_service(session, API_ADMIN, legacy, clock())
    before = snapshot(engine)

    # Creates a service and a user and updates another service before it reaches the
    # deletion of team edge, which fails: edge still owns the API-made service legacy.
    write(
        small,
        {
            "users.yaml": dedent(SMALL["users.yaml"]) + "  - name: carol\n",
            "teams.yaml": "teams:\n  - name: core\n    members: [alice, bob, carol]\n",
            "services.yaml": """\
                services:
                  - name: web
                    tier: 2
                    owner: core
                    depends_on: [api]
                  - name: api
                    tier: 0
                    owner: core
                    depends_on: [db]
                  - name: db
                    tier: 0
                    owner: core
                  - name: cache
                    tier: 1
                    owner: core
                """,
        },
    )
    result = run(database_url, "apply", str(small))
    assert result.returncode == 1
    assert "- delete team edge" in result.stdout.splitlines()
    assert "+ create service cache" in result.stdout.splitlines()
    assert result.stderr == (
        "error: team 'edge' still owns services legacy; "
        "move them to another team or delete them first\n"
    )
    assert snapshot(engine) == before


@pytest.fixture
def unmigrated_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"unmigrated_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_apply_on_an_unmigrated_database_says_so(unmigrated_url: str) -> None:
    result = run(unmigrated_url, "apply", "examples")
    assert result.returncode != 0
    assert result.stderr == (
        "error: the database is not migrated to this version; run `ninefold db upgrade` first\n"
    )
    empty = make_engine(unmigrated_url)
    try:
        assert inspect(empty).get_table_names() == []
    finally:
        empty.dispose()


def test_every_change_is_in_the_audit_log_via_config(
    database_url: str, engine: Engine, small: Path, clock: FrozenClock
) -> None:
    assert run(database_url, "apply", str(small)).returncode == 0
    with unit_of_work(make_session_factory(engine)) as session:
        # Declared below exactly as made here: taking it over changes only who owns it.
        catalog_service.create_team(session, API_ADMIN, TeamSpec(name="ops"), clock())
    first = len(audit_entries(engine))
    assert first == 2 + 2 + 3 + 1

    edit(small / "services.yaml", "  - name: web\n    tier: 1\n", "  - name: web\n    tier: 2\n")
    edit(small / "teams.yaml", "teams:\n", "teams:\n  - name: ops\n")
    edit(
        small / "services.yaml",
        "  - name: db\n",
        "  - name: cache\n    tier: 1\n    owner: core\n  - name: db\n",
    )
    edit(small / "users.yaml", "    role: responder\n    scope: [core]\n", "")
    result = run(database_url, "apply", str(small))
    assert result.returncode == 0, result.stderr

    changes = audit_entries(engine)[first:]
    assert {(e["action"], e["object_kind"], e["object_name"]) for e in changes} == {
        ("create", "service", "cache"),
        ("update", "service", "web"),
        ("update", "team", "ops"),
        ("update", "user", "bob"),
    }
    assert len(changes) == 4
    assert {e["via"] for e in changes} == {"config"}
    assert all(e["actor"].startswith("config:") for e in changes)
    web = next(e for e in changes if e["object_name"] == "web")
    assert (web["before"]["tier"], web["after"]["tier"]) == (1, 2)
    ops = next(e for e in changes if e["object_name"] == "ops")
    assert (ops["before"]["managed_by"], ops["after"]["managed_by"]) == ("api", "config")
    bob = next(e for e in changes if e["object_name"] == "bob")
    assert (bob["before"]["scope"], bob["after"]["scope"]) == (["core"], [])

    services = small / "services.yaml"
    edit(services, "  - name: web\n    tier: 2\n    owner: edge\n    depends_on: [api]\n", "")
    edit(services, "  - name: cache\n    tier: 1\n    owner: core\n", "")
    assert run(database_url, "apply", str(small)).returncode == 0
    deletions = audit_entries(engine)[first + 4 :]
    assert [(e["action"], e["object_kind"], e["object_name"], e["via"]) for e in deletions] == [
        ("delete", "service", "cache", "config"),
        ("delete", "service", "web", "config"),
    ]
    assert deletions[0]["after"] is None
    assert deletions[0]["before"]["owner"] == "core"


def test_the_examples_copied_elsewhere_apply_the_same(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    copy = tmp_path / "shop"
    shutil.copytree(EXAMPLES, copy)
    assert run(database_url, "apply", "examples").returncode == 0
    result = run(database_url, "apply", str(copy))
    assert result.stdout == "No changes: the database matches the configuration.\n"


def test_integrations_list_prints_whole_intake_urls_into_a_pipe(
    database_url: str, engine: Engine
) -> None:
    """Piped or in a narrow terminal (80 columns here), the URL an operator copies into
    Alertmanager is printed whole, never cut with an ellipsis."""
    assert run(database_url, "apply", "examples").returncode == 0
    env = {"NINEFOLD_DATABASE_URL": database_url, "NINEFOLD_CONFIG_DIR": None, "COLUMNS": "80"}
    result = ninefold("integrations", "list", env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT kind, key FROM integrations")).all())
    assert f"/api/v1/integrations/alertmanager/{keys['alertmanager']}" in result.stdout
    assert "…" not in result.stdout
