"""`apply` for schedules, escalation policies and routes: created, updated, deleted, and routes
kept in the order the files give them (a reorder is planned as an update of `position`).

In process (check, plan, execute, as `ninefold apply` runs them), on SQLite and PostgreSQL;
the CLI around them is tested in test_config_cli.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from textwrap import dedent

import pytest
from sqlalchemy import Engine

from ninefold.auth import audit
from ninefold.auth import service as auth_service
from ninefold.config.apply import execute, make_plan
from ninefold.config.check import check_directory
from ninefold.db import make_session_factory, unit_of_work
from ninefold.oncall import service as schedules
from ninefold.paging import policies
from tests.factories import OPERATOR
from tests.support.clock import FrozenClock

CATALOG = {
    "people.yaml": """\
        users:
          - name: alice
            email: alice@example.com
            role: responder
          - name: bob
            email: bob@example.com
            role: responder
        teams:
          - name: core
            members: [alice, bob]
        services:
          - name: web
            tier: 1
            owner: core
        """,
    "oncall.yaml": """\
        schedules:
          - name: primary
            team: core
            layers:
              - name: weekly
                participants: [alice, bob]
                start: 2026-01-05
        escalation_policies:
          - name: default
            steps:
              - schedules: [primary]
                wait_minutes: 10
              - teams: [core]
        """,
}
ROUTES = """\
    routes:
      - name: web
        match: ['service="web"']
        policy: default
        service: web
      - name: critical
        match: [severity=critical]
        policy: default
      - name: catch-all
        default: true
        policy: default
    """


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


def apply(engine: Engine, root: Path, now: datetime) -> list[str]:
    """Apply the directory at `now`; the plan's lines as `ninefold apply` prints them."""
    bundle = check_directory(root)
    assert [str(p) for p in bundle.problems] == []
    with unit_of_work(make_session_factory(engine)) as session:
        plan = make_plan(session, bundle)
        execute(session, OPERATOR, plan, bundle, now)
    return [change.describe() for change in plan.changes] + [plan.summary()]


def routes(engine: Engine) -> list[tuple[int, str, list[str], bool]]:
    """(position, name, matchers, default) in the order routes are tried."""
    with unit_of_work(make_session_factory(engine)) as session:
        return [
            (row.position, row.name, list(row.matchers), row.is_default)
            for row in policies.route_rows(session)
        ]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write(tmp_path / "config", {**CATALOG, "routes.yaml": ROUTES})


def test_created_in_the_order_written_then_nothing_left_to_do(
    engine: Engine, config: Path, clock: FrozenClock
) -> None:
    assert apply(engine, config, clock()) == [
        "+ create user alice",
        "+ create user bob",
        "+ create team core",
        "+ create service web",
        "+ create schedule primary",
        "+ create escalation_policy default",
        "+ create route catch-all",
        "+ create route critical",
        "+ create route web",
        "Plan: 9 to create, 0 to update, 0 to delete.",
    ]
    assert routes(engine) == [
        (0, "web", ['service="web"'], False),
        (1, "critical", ['severity="critical"'], False),
        (2, "catch-all", [], True),
    ]
    with unit_of_work(make_session_factory(engine)) as session:
        schedule = schedules.get_row(session, "primary")
        policy = policies.get_policy(session, "default")
        assert (schedule.managed_by, schedule.team) == ("config", "core")
        assert [layer["participants"] for layer in schedule.layers] == [["alice", "bob"]]
        assert policy.managed_by == "config"
        assert [step["wait_minutes"] for step in policy.steps] == [10, 15]
        logged = audit.list_entries(session, limit=100).items
        assert {(e.object_kind, e.object_name) for e in logged if e.action == "create"} >= {
            ("schedule", "primary"),
            ("escalation_policy", "default"),
            ("route", "web"),
        }
    assert apply(engine, config, clock()) == ["No changes: the database matches the configuration."]


def test_a_reorder_of_routes_is_an_update_of_their_positions(
    engine: Engine, config: Path, clock: FrozenClock
) -> None:
    apply(engine, config, clock())
    write(
        config,
        {
            "routes.yaml": """\
                routes:
                  - name: critical
                    match: [severity=critical]
                    policy: default
                  - name: web
                    match: ['service="web"']
                    policy: default
                    service: web
                  - name: catch-all
                    default: true
                    policy: default
                """
        },
    )
    assert apply(engine, config, clock()) == [
        "~ update route critical (position: 1 -> 0)",
        "~ update route web (position: 0 -> 1)",
        "Plan: 0 to create, 2 to update, 0 to delete.",
    ]
    assert [name for _, name, _, _ in routes(engine)] == ["critical", "web", "catch-all"]
    assert apply(engine, config, clock()) == ["No changes: the database matches the configuration."]


def test_routes_across_files_are_ordered_by_file_path_then_list_order(
    engine: Engine, config: Path, clock: FrozenClock
) -> None:
    (config / "routes.yaml").unlink()
    write(
        config,
        {
            "routes/20-fallback.yaml": """\
                routes:
                  - name: catch-all
                    default: true
                    policy: default
                """,
            "routes/10-teams.yaml": """\
                routes:
                  - name: web
                    match: ['service="web"']
                    policy: default
                  - name: critical
                    match: [severity=critical]
                    policy: default
                """,
        },
    )
    apply(engine, config, clock())
    assert [(p, name) for p, name, _, _ in routes(engine)] == [
        (0, "web"),
        (1, "critical"),
        (2, "catch-all"),
    ]


def test_edits_are_updates_and_dropped_objects_are_deleted(
    engine: Engine, config: Path, clock: FrozenClock
) -> None:
    first = clock()
    apply(engine, config, first)
    second = clock.advance(hours=1)
    write(
        config,
        {
            "oncall.yaml": """\
                schedules: []
                escalation_policies:
                  - name: default
                    steps:
                      - users: [alice]
                    repeat: 2
                """,
            "routes.yaml": """\
                routes:
                  - name: web
                    match: ['service=~"web|api"']
                    policy: default
                  - name: catch-all
                    default: true
                    policy: default
                """,
        },
    )
    assert apply(engine, config, clock()) == [
        "- delete schedule primary",
        "~ update escalation_policy default (repeat: 0 -> 2; steps)",
        "~ update route catch-all (position: 2 -> 1)",
        "~ update route web (match; service)",
        "- delete route critical",
        "Plan: 0 to create, 3 to update, 2 to delete.",
    ]
    assert routes(engine) == [
        (0, "web", ['service=~"web|api"'], False),
        (1, "catch-all", [], True),
    ]
    with unit_of_work(make_session_factory(engine)) as session:
        assert schedules.all_rows(session) == []
        # Each row remembers when it was made and last written: the applies' `now`, not the
        # database's or the machine's clock.
        web = {row.name: row for row in policies.route_rows(session)}["web"]
        policy = policies.get_policy(session, "default")
        alice = auth_service.get_user_row(session, "alice")  # not in the second plan
        assert (policy.created_at, policy.updated_at) == (first, second)
        assert (web.created_at, web.updated_at) == (first, second)
        assert (alice.created_at, alice.updated_at) == (first, first)
        deleted = audit.list_entries(session, kind="schedule").items[0]
        assert (deleted.action, deleted.at) == ("delete", second)
