"""`check_directory`: every problem of a configuration directory, as `file:line: field: message`."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from ninefold.config.check import check_directory
from tests.factories import EXAMPLES

SECTIONS = (
    "users, teams, services, environments, freezes, change_integrations, budget_policies, "
    "integrations, schedules, escalation_policies, routes, severities, root_causes, declare_rules, "
    "stakeholders, automations, dr_tiers, readiness_levels, resources, risks, kpi_targets, "
    "report_deliveries"
)

# A small valid configuration the cases below break one piece at a time.
BASE = {
    "users.yaml": """\
        users:
          - name: alice
            role: responder
            scope: [core]
          - name: bob
        """,
    "teams.yaml": """\
        teams:
          - name: core
            members: [alice, bob]
        """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")


def problems_of(root: Path, files: dict[str, str]) -> list[str]:
    write(root, files)
    return [str(problem) for problem in check_directory(root).problems]


CASES = [
    pytest.param(
        {"list.yaml": "- alice\n- bob\n"},
        [f"list.yaml:1: file: must be a mapping of sections ({SECTIONS})"],
        id="a file holding a list instead of a mapping is refused",
    ),
    pytest.param(
        {"scalar.yaml": "just some text\n"},
        [f"scalar.yaml:1: file: must be a mapping of sections ({SECTIONS})"],
        id="a file holding a plain string is refused",
    ),
    pytest.param(
        {"x.yaml": "users: []\n\nwidgets:\n  - name: a\n"},
        [f"x.yaml:3: widgets: unknown section; expected one of {SECTIONS}"],
        id="an unknown section is named at its line",
    ),
    pytest.param(
        {"x.yaml": "teams:\n  name: core\n"},
        ["x.yaml:1: teams: must be a list"],
        id="a section that is a mapping instead of a list is refused",
    ),
    pytest.param(
        {
            "x.yaml": """\
                teams:
                  - name: core
                  - name: edge
                    colour: red
                """
        },
        ["x.yaml:4: teams[1].colour: unknown key"],
        id="an unknown key in an object is an error, not ignored",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: high
                    owner: core
                """,
        },
        [
            "services.yaml:3: services[0].tier: "
            "Input should be a valid integer, unable to parse string as an integer"
        ],
        id="tier given as a word is not a number",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    owner: core
                    tier: 7
                """,
        },
        ["services.yaml:4: services[0].tier: Input should be less than or equal to 3"],
        id="tier 7 is out of range",
    ),
    pytest.param(
        {
            "teams.yaml": """\
                teams:
                  - name: core
                    members: alice
                """
        },
        ["teams.yaml:3: teams[0].members: Input should be a valid list"],
        id="members given as one name instead of a list is refused",
    ),
    pytest.param(
        {
            "users.yaml": """\
                users:
                  - name: alice
                    time_zone: Mars/Olympus_Mons
                """
        },
        [
            "users.yaml:3: users[0].time_zone: unknown time zone 'Mars/Olympus_Mons'; "
            "use an IANA name such as Europe/Berlin"
        ],
        id="an unknown time zone is named",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: 1
                    owner: core
                    runbooks:
                      - title: Good
                        url: https://runbooks.example/web
                      - title: Bad
                        url: ftp://runbooks.example/web
                """,
        },
        ["services.yaml:9: services[0].runbooks[1].url: must be an http:// or https:// URL"],
        id="a runbook URL that is not http(s) points at the url line",
    ),
    pytest.param(
        {**BASE, "services.yaml": "services:\n  - name: web\n"},
        [
            "services.yaml:2: services[0].owner: Field required",
            "services.yaml:2: services[0].tier: Field required",
        ],
        id="missing required fields are reported at the object's line",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: 1
                    owner: storefront
                """,
        },
        ["services.yaml:4: services[0].owner: no team named 'storefront'"],
        id="an owner that names no team dangles",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: 1
                    owner: core
                    depends_on:
                      - api
                      - ghost
                  - name: api
                    tier: 1
                    owner: core
                """,
        },
        ["services.yaml:7: services[0].depends_on[1]: no service named 'ghost'"],
        id="a dependency that names no service dangles",
    ),
    pytest.param(
        {
            **BASE,
            "teams.yaml": """\
                teams:
                  - name: core
                    members:
                      - zoe
                      - alice
                """,
        },
        ["teams.yaml:4: teams[0].members[0]: no user named 'zoe'"],
        id="a dangling member is pointed at where it is written, not where it sorts",
    ),
    pytest.param(
        {
            **BASE,
            "users.yaml": """\
                users:
                  - name: alice
                    role: responder
                    scope: [core, payments]
                  - name: bob
                """,
        },
        ["users.yaml:4: users[0].scope[1]: no team named 'payments'"],
        id="a user scope that names no team dangles",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: b
                    tier: 1
                    owner: core
                    depends_on: [c]
                  - name: a
                    tier: 1
                    owner: core
                    depends_on: [b]
                  - name: c
                    tier: 1
                    owner: core
                    depends_on: [a]
                """,
        },
        ["services.yaml:9: services[1].depends_on: dependency cycle: a -> b -> c -> a"],
        id="a dependency cycle is reported once, from its first name",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: 1
                    owner: core
                    depends_on: [web]
                """,
        },
        ["services.yaml:5: services[0].depends_on: dependency cycle: web -> web"],
        id="a service depending on itself is a cycle",
    ),
    pytest.param(
        {
            "users.yaml": """\
                users:
                  - name: alice
                  - name: bob
                  - name: alice
                    full_name: Alice Again
                """
        },
        ["users.yaml:4: users[2].name: duplicate user name 'alice'; first defined at users.yaml:2"],
        id="a duplicate name in one file points at the first definition",
    ),
    pytest.param(
        {
            **BASE,
            "wave2/teams.yaml": """\
                # Another team file, in a subdirectory.
                teams:
                  - name: edge
                  - name: core
                """,
        },
        [
            "wave2/teams.yaml:4: teams[1].name: duplicate team name 'core'; "
            "first defined at teams.yaml:2"
        ],
        id="a duplicate name across files points at the first definition",
    ),
    pytest.param(
        {
            **BASE,
            "slos/checkout.yaml": "apiVersion: openslo/v1\nkind: SLO\n",
            ".hidden/teams.yaml": "teams: 3\n",
            "notes.txt": "teams: 3\n",
        },
        [
            "slos/checkout.yaml:1: metadata: Field required",
            "slos/checkout.yaml:1: spec: Field required",
        ],
        id="slos/ holds SLO specs, not sections; hidden and non-yaml files are not read",
    ),
    pytest.param(
        {
            "config.yaml": """\
                users:
                  - name: alice
                    scope: [core]
                teams:
                  - name: core
                    colour: red
                    members: [alice]
                services:
                  - name: web
                    tier: 1
                    owner: core
                    depends_on: [api]
                  - name: api
                    tier: 9
                    owner: core
                """
        },
        [
            "config.yaml:6: teams[0].colour: unknown key",
            "config.yaml:14: services[1].tier: Input should be less than or equal to 3",
        ],
        id="an object with a problem of its own is not also reported missing where named",
    ),
    pytest.param(
        {
            **BASE,
            "services.yaml": "services:\n  - name: checkout\n    tier: 0\n    owner: core\n",
            "slos/journey.yaml": """\
                apiVersion: openslo/v1
                kind: SLO
                metadata:
                  name: journey
                spec:
                  service: checkout
                  indicatorRef: requests
                  timeWindow:
                    - duration: 30d
                  budgetingMethod: Occurrences
                  objectives:
                    - target: 0.99
                      compositeWeight: 0
                      indicatorRef: requests
                    - target: 0.99
                      compositeWeight: -1
                      indicatorRef: fast
                    - target: 0.99
                      op: above
                      value: 3
                """,
        },
        [
            "slos/journey.yaml:13: spec.objectives[0].compositeWeight: must be a number greater "
            "than 0, not 0: the weights of a composite are its components' shares (normalised "
            "to sum to 1)",
            "slos/journey.yaml:16: spec.objectives[1].compositeWeight: must be a number greater "
            "than 0, not -1: the weights of a composite are its components' shares (normalised "
            "to sum to 1)",
            "slos/journey.yaml:19: spec.objectives[2].op: Input should be 'lt', 'lte', 'gt' or "
            "'gte'",
        ],
        id="a composite SLO's weights must be positive, and a threshold's op known",
    ),
    pytest.param(
        {
            **BASE,
            "changes.yaml": """\
                freezes:
                  - name: launch
                    starts: 2027-01-10T00:00:00Z
                    ends: 2027-01-09T00:00:00Z
                    reason: launch
                  - name: audit
                    starts: 2027-02-01T00:00:00Z
                    ends: 2027-02-02T00:00:00Z
                    reason: audit
                    teams: [core, money]
                    services: [ghost]
                change_integrations:
                  - name: gh
                    kind: github
                    service: phantom
                    secret_env: GH_SECRET
                  - name: bb
                    kind: bitbucket
                    secret_env: BB_SECRET
                """,
        },
        [
            "changes.yaml:2: freezes[0]: ends must come after starts",
            "changes.yaml:10: freezes[1].teams[1]: no team named 'money'",
            "changes.yaml:11: freezes[1].services[0]: no service named 'ghost'",
            "changes.yaml:15: change_integrations[0].service: no service named 'phantom'",
            "changes.yaml:18: change_integrations[1].kind: Input should be 'github', 'gitlab' "
            "or 'argocd'",
        ],
        id="freezes and change integrations name teams and services that exist",
    ),
    pytest.param(
        {**BASE, "empty.yaml": "# nothing here yet\n"},
        [],
        id="an empty file is fine",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_reports_exactly_these_problems(
    root: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert problems_of(root, files) == expected


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param(
            "teams: [\n  - name: a\n", 2, "expected the node content", id="an unclosed flow list"
        ),
        pytest.param(
            "teams:\n  - name: a\n name: b\n", 3, "expected <block end>", id="a wrong indentation"
        ),
        pytest.param(
            "teams:\n  - name: a\n\tmembers: []\n", 3, "'\\t'", id="a tab used for indentation"
        ),
        pytest.param(
            "teams: []\nusers: []\nteams: []\n", 3, "duplicate key", id="a key given twice"
        ),
        pytest.param(
            "teams:\n  - name: core\n  - name: bell\x07\n",
            3,
            "unacceptable character #x0007",
            id="a control character YAML does not allow",
        ),
    ],
)
def test_malformed_yaml_is_reported_with_file_and_line(
    root: Path, text: str, line: int, words: str
) -> None:
    write(root, {**BASE, "broken.yaml": text})
    problems = check_directory(root).problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == ("broken.yaml", line, "yaml")
    assert words in problem.message
    assert str(problem).startswith(f"broken.yaml:{line}: yaml: ")


def test_a_malformed_file_does_not_hide_the_others(root: Path) -> None:
    problems = problems_of(
        root,
        {
            "a.yaml": "teams: [\n",
            "b.yaml": "users:\n  - name: alice\n    role: boss\n",
        },
    )
    assert len(problems) == 2
    assert problems[0].startswith("a.yaml:2: yaml: ")
    assert problems[1] == (
        "b.yaml:3: users[0].role: Input should be 'admin', 'responder', 'deployer' or 'viewer'"
    )


def test_every_problem_is_reported_not_only_the_first(root: Path) -> None:
    problems = problems_of(
        root,
        {
            **BASE,
            "services.yaml": """\
                services:
                  - name: web
                    tier: 1
                    owner: core
                    colour: blue
                  - name: api
                    tier: high
                    owner: core
                  - name: db
                    tier: 0
                    owner: nobody
                """,
        },
    )
    assert problems == [
        "services.yaml:5: services[0].colour: unknown key",
        "services.yaml:7: services[1].tier: "
        "Input should be a valid integer, unable to parse string as an integer",
        "services.yaml:11: services[2].owner: no team named 'nobody'",
    ]


def test_problems_from_many_files_come_sorted_by_file_and_line(root: Path) -> None:
    problems = problems_of(
        root,
        {
            "b.yaml": "teams:\n  - name: t\n    members: [x]\n",
            "a.yaml": "users:\n  - name: u\n    scope: [nope]\n\nwidgets: []\n",
        },
    )
    assert problems == [
        "a.yaml:3: users[0].scope[0]: no team named 'nope'",
        f"a.yaml:5: widgets: unknown section; expected one of {SECTIONS}",
        "b.yaml:3: teams[0].members[0]: no user named 'x'",
    ]


def test_a_missing_directory_is_one_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert [str(p) for p in check_directory(missing).problems] == [
        f"{missing}: config: not a directory"
    ]


def test_a_directory_without_yaml_files_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to see\n")
    assert [str(p) for p in check_directory(tmp_path).problems] == [
        f"{tmp_path}: config: no .yaml files found"
    ]


def test_valid_objects_are_kept_when_others_fail(root: Path) -> None:
    write(
        root, {**BASE, "services.yaml": "services:\n  - name: web\n    tier: 9\n    owner: core\n"}
    )
    bundle = check_directory(root)
    assert [s.name for s in bundle.specs("users")] == ["alice", "bob"]
    assert [s.name for s in bundle.specs("teams")] == ["core"]
    assert bundle.specs("services") == []
    assert len(bundle.problems) == 1


def test_the_examples_are_clean() -> None:
    bundle = check_directory(EXAMPLES)
    assert bundle.problems == []
    assert {section: len(items) for section, items in bundle.items.items()} == {
        "users": 8,
        "teams": 3,
        "services": 14,
        "environments": 3,
        "freezes": 2,
        "change_integrations": 3,
        "budget_policies": 1,
        "integrations": 4,
        "schedules": 3,
        "escalation_policies": 3,
        "routes": 4,
        "severities": 4,
        "root_causes": 0,
        "declare_rules": 2,
        "stakeholders": 3,
        "automations": 2,
        "dr_tiers": 2,
        "readiness_levels": 3,
        "resources": 2,
        "risks": 5,
        "kpi_targets": 0,
        "report_deliveries": 0,
    }
