"""Backstage catalog-info.yaml -> Ninefold configuration files that `check` accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from ninefold.config.backstage import Converted, convert, render, write
from ninefold.config.check import check_directory

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "backstage"
CATALOG = FIXTURES / "catalog-info.yaml"
ORG = FIXTURES / "org.yaml"


def shop() -> Converted:
    return convert([CATALOG, ORG])


def specs(directory: Path, section: str) -> dict[str, dict[str, Any]]:
    bundle = check_directory(directory)
    assert bundle.problems == []
    return {spec.name: spec.model_dump(mode="json") for spec in bundle.specs(section)}


def component(name: str, **extra: str) -> str:
    """A one-document catalog-info.yaml; `extra` lines go under metadata."""
    lines = "".join(f"  {line}\n" for line in extra.values())
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
        f"  name: {name}\n{lines}spec:\n  type: service\n  owner: group:default/core\n"
    )


GROUP = "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: core\n"


# --- the shop --------------------------------------------------------------------------


def test_the_written_directory_passes_check(tmp_path: Path) -> None:
    written = write(shop(), tmp_path / "out")
    assert sorted(p.name for p in written) == ["services.yaml", "teams.yaml", "users.yaml"]
    bundle = check_directory(tmp_path / "out")
    assert bundle.problems == []
    assert {section: len(items) for section, items in bundle.items.items()} == {
        "users": 4,
        "teams": 3,
        "services": 5,
        "environments": 0,
        "freezes": 0,
        "change_integrations": 0,
        "budget_policies": 0,
        "integrations": 0,
        "schedules": 0,
        "escalation_policies": 0,
        "routes": 0,
        "severities": 0,
        "root_causes": 0,
        "declare_rules": 0,
        "stakeholders": 0,
        "automations": 0,
        "dr_tiers": 0,
        "readiness_levels": 0,
        "resources": 0,
        "risks": 0,
        "kpi_targets": 0,
        "report_deliveries": 0,
    }


def test_groups_become_teams_with_members_from_both_sides(tmp_path: Path) -> None:
    write(shop(), tmp_path)
    teams = specs(tmp_path, "teams")
    assert {name: team["members"] for name, team in teams.items()} == {
        "payments": ["diego", "priya"],  # priya by memberOf, diego by the group's members
        "platform": ["lena"],
        "storefront": ["jane.doe", "lena"],
    }
    assert teams["payments"]["display_name"] == "Checkout & Payments"
    assert teams["payments"]["description"] == (
        "Carts, checkout, payments and the stock that backs them."
    )
    assert teams["storefront"]["display_name"] == "Storefront"  # from metadata.title


def test_users_keep_their_names_and_emails(tmp_path: Path) -> None:
    write(shop(), tmp_path)
    users = specs(tmp_path, "users")
    assert {name: (u["full_name"], u["email"]) for name, u in users.items()} == {
        "diego": ("Diego Alvarez", None),
        "jane.doe": ("Jane Doe", "jane.doe@shop.example"),
        "lena": ("Lena Novak", None),
        "priya": ("Priya Raman", "priya@shop.example"),
    }
    assert {u["role"] for u in users.values()} == {"viewer"}


def test_components_and_resources_become_services(tmp_path: Path) -> None:
    write(shop(), tmp_path)
    services = specs(tmp_path, "services")
    summary = {
        name: (s["tier"], s["owner"], s["lifecycle"], s["depends_on"])
        for name, s in services.items()
    }
    assert summary == {
        "catalog": (2, "storefront", "experimental", ["orders-db"]),
        "checkout": (0, "payments", "production", ["orders-db"]),
        "orders-db": (0, "platform", "production", []),  # owner from its system
        "pricing-experiment": (2, "storefront", "production", ["catalog"]),  # user-owned
        "web": (1, "storefront", "production", ["catalog", "checkout"]),
    }
    web = services["web"]
    assert web["display_name"] == "Web shop"
    assert web["repository"] == "https://git.shop.example/storefront/web"
    assert web["runbooks"] == [
        {"title": "Web shop runbook", "url": "https://runbooks.shop.example/web"}
    ]
    assert web["dashboards"] == [
        {"title": "Web shop overview", "url": "https://grafana.shop.example/d/web"}
    ]
    assert web["labels"] == {"system": "shop"}
    checkout = services["checkout"]
    assert checkout["repository"] == "https://github.com/shop/checkout"
    assert [link["title"] for link in checkout["runbooks"]] == ["Checkout playbook"]
    assert [link["title"] for link in checkout["dashboards"]] == ["Checkout SLOs"]
    assert services["catalog"]["labels"] == {}
    assert "checkout-api" not in services


def test_the_shop_converts_with_warnings_only() -> None:
    assert [str(p) for p in shop().problems] == [
        f"{CATALOG}:38: spec.dependsOn[2]: warning: web: dependency "
        "'component:default/legacy-erp' is not among the imported files; left out",
        f"{CATALOG}:84: spec.lifecycle: warning: pricing-experiment: "
        "lifecycle 'beta' read as production",
        f"{CATALOG}:85: spec.owner: warning: pricing-experiment: owned by user 'jane.doe'; "
        "given to their team 'storefront'",
    ]


def test_the_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    first = write(shop(), tmp_path / "one")
    second = write(shop(), tmp_path / "two")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert render(shop()) == render(shop())


def test_the_output_names_its_sources() -> None:
    files = render(shop())
    for text in files.values():
        assert text.startswith(
            f"# Generated by `ninefold import backstage` from:\n#   {CATALOG}\n#   {ORG}\n"
        )


def test_the_order_of_entities_does_not_change_the_output(tmp_path: Path) -> None:
    documents = CATALOG.read_text().split("\n---\n")
    shuffled = tmp_path / "catalog-info.yaml"
    shuffled.write_text("\n---\n".join(reversed(documents)))
    original = render(convert([CATALOG, ORG]))
    reordered = render(convert([shuffled, ORG]))
    assert {name: text.split("\n", 3)[3] for name, text in original.items()} == {
        name: text.split("\n", 3)[3] for name, text in reordered.items()
    }


# --- single fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "default", "tier"),
    [
        pytest.param({}, 2, 2, id="no tier anywhere takes the default"),
        pytest.param({}, 3, 3, id="the default is the caller's"),
        pytest.param({"a": 'annotations: {ninefold.dev/tier: "0"}'}, 2, 0, id="annotation 0"),
        pytest.param(
            {"a": "annotations: {ninefold.dev/tier: 0}"}, 2, 0, id="an unquoted annotation 0"
        ),
        pytest.param({"l": "labels: {tier: tier-3}"}, 1, 3, id="a label tier-3"),
        pytest.param({"l": "labels: {tier: Tier1}"}, 2, 1, id="a label Tier1"),
        pytest.param(
            {"a": 'annotations: {ninefold.dev/tier: "1"}', "l": "labels: {tier: tier-3}"},
            2,
            1,
            id="the annotation wins over the label",
        ),
        pytest.param(
            {"a": 'annotations: {ninefold.dev/tier: "7"}'}, 2, 2, id="out of range is ignored"
        ),
        pytest.param(
            {"a": "annotations: {ninefold.dev/tier: critical}"}, 2, 2, id="a word is ignored"
        ),
    ],
)
def test_tier(tmp_path: Path, metadata: dict[str, str], default: int, tier: int) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(component("web", **metadata) + GROUP)
    result = convert([path], default_tier=default)
    assert result.problems == []
    assert result.services["web"]["tier"] == tier


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        pytest.param("{url: 'https://x.example/r', title: Runbook}", "runbooks", id="a runbook"),
        pytest.param(
            "{url: 'https://x.example/r', title: On call, type: runbook}",
            "runbooks",
            id="a link of type runbook",
        ),
        pytest.param(
            "{url: 'https://x.example/p', title: Incident playbook}",
            "runbooks",
            id="a playbook is a runbook",
        ),
        pytest.param(
            "{url: 'https://x.example/d', title: Overview, icon: dashboard}",
            "dashboards",
            id="a link with the dashboard icon",
        ),
        pytest.param(
            "{url: 'https://x.example/g', title: Grafana}", "dashboards", id="a Grafana link"
        ),
        pytest.param("{url: 'https://x.example/docs', title: Docs}", None, id="docs are left out"),
        pytest.param(
            "{url: 'ftp://x.example/r', title: Runbook}", None, id="a non-http link is left out"
        ),
    ],
)
def test_links(tmp_path: Path, link: str, kind: str | None) -> None:
    path = tmp_path / "catalog-info.yaml"
    path.write_text(component("web", links=f"links: [{link}]") + GROUP)
    service = convert([path]).services["web"]
    found = {k: service[k] for k in ("runbooks", "dashboards") if k in service}
    assert list(found) == ([kind] if kind else [])


# --- bad input ---------------------------------------------------------------------------

HEAD = "apiVersion: backstage.io/v1alpha1\n"

BAD = [
    pytest.param(
        "kind: Component\nmetadata: {name: web\nspec: {}\n",
        [
            "catalog-info.yaml:3: yaml: while parsing a flow mapping: "
            "expected ',' or '}', but got ':'"
        ],
        id="text that is not YAML",
    ),
    pytest.param(
        f"{HEAD}metadata:\n  name: web\n",
        ["catalog-info.yaml:1: kind: not a Backstage entity (needs kind and metadata.name)"],
        id="a document without a kind",
    ),
    pytest.param(
        f"{GROUP}---\n{HEAD}kind: Component\nmetadata:\n  title: Web\n",
        ["catalog-info.yaml:7: kind: not a Backstage entity (needs kind and metadata.name)"],
        id="a second document without a name",
    ),
    pytest.param(
        f"{GROUP}---\n- kind: Component\n- name: web\n",
        ["catalog-info.yaml:7: kind: not a Backstage entity (needs kind and metadata.name)"],
        id="a second document that is a list",
    ),
    pytest.param(
        f"{HEAD}kind: Component\nmetadata:\n  name: web\nspec:\n  type: service\n",
        ["catalog-info.yaml:1: spec.owner: web: no owner; Ninefold services need an owning team"],
        id="a component without an owner",
    ),
    pytest.param(
        f"{HEAD}kind: Component\nmetadata:\n  name: web\nspec:\n  owner: group:default/ghosts\n",
        [
            "catalog-info.yaml:6: spec.owner: web: owner group 'ghosts' "
            "is not among the imported files"
        ],
        id="an owner group that is not imported",
    ),
    pytest.param(
        f"{HEAD}kind: Component\nmetadata:\n  name: web\nspec:\n  owner: user:default/al\n"
        f"---\n{HEAD}kind: User\nmetadata:\n  name: al\n",
        [
            "catalog-info.yaml:6: spec.owner: web: owned by user 'al', who is in no group; "
            "Ninefold services are owned by teams"
        ],
        id="a component owned by a user in no group",
    ),
    pytest.param(
        f"{GROUP}---\n{HEAD}kind: Widget\nmetadata:\n  name: w\n",
        ["catalog-info.yaml:7: kind: warning: unknown Backstage kind 'Widget'"],
        id="an unknown kind is a warning",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_input_gives_problems_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("catalog-info.yaml").write_text(text)
    assert [str(p) for p in convert([Path("catalog-info.yaml")]).problems] == expected


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    (problem,) = convert([missing]).problems
    assert (problem.file, problem.line, problem.field) == (str(missing), 0, "file")
    assert problem.message.startswith("cannot read: ")


def test_every_problem_of_many_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: [\n")
    (tmp_path / "b.yaml").write_text(f"{HEAD}kind: Component\nmetadata:\n  name: web\n")
    problems = convert([tmp_path / "a.yaml", tmp_path / "b.yaml"]).problems
    assert [(p.file, p.line, p.field) for p in problems] == [
        (str(tmp_path / "a.yaml"), 2, "yaml"),
        (str(tmp_path / "b.yaml"), 1, "spec.owner"),
    ]


# --- the command ---------------------------------------------------------------------------


def import_backstage(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", "import", "backstage", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_writes_a_directory_that_passes_check(tmp_path: Path) -> None:
    result = import_backstage(str(CATALOG), str(ORG), "-o", "imported", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote imported/teams.yaml",
        "wrote imported/users.yaml",
        "wrote imported/services.yaml",
    ]
    assert len(result.stderr.splitlines()) == 3
    assert all(": warning: " in line for line in result.stderr.splitlines())
    assert (tmp_path / "imported" / "teams.yaml").read_text() == render(shop())["teams.yaml"]
    bundle = check_directory(tmp_path / "imported")
    assert bundle.problems == []
    assert len(bundle.specs("services")) == 5


def test_the_command_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "catalog-info.yaml").write_text(
        dedent(
            """\
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: web
            spec:
              type: service
            """
        )
    )
    result = import_backstage("catalog-info.yaml", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "catalog-info.yaml:1: spec.owner: web: no owner; Ninefold services need an owning team"
    ]
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_new_import_removes_files_an_earlier_import_generated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fixtures = Path(__file__).parent.parent.parent / "fixtures" / "backstage"
    write(convert(sorted(fixtures.glob("*.yaml"))), out)
    assert (out / "users.yaml").exists()
    (out / "notes.yaml").write_text("teams: []\n")
    only_components = tmp_path / "components.yaml"
    only_components.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: core}\nspec: {type: team}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: api}\n"
        "spec: {type: service, lifecycle: production, owner: group:core}\n"
    )
    written = write(convert([only_components]), out)
    assert sorted(p.name for p in written) == ["services.yaml", "teams.yaml"]
    assert not (out / "users.yaml").exists()
    assert (out / "notes.yaml").exists()
