"""The import order of docs/architecture.md, held by a test over the import graph of
`src/ninefold`, every import counted, those made inside functions too.

- The kernel (clock, db, errors, spec, ...) imports no domain.
- A domain imports only the domains before it in `ninefold.domains.DOMAINS`, and the kernel.
  A domain package's `__init__` holds only its manifest, so importing it (as
  `ninefold.domains` does) is allowed from anywhere.
- A domain's command-line modules (`cli.py`, `cli/`, `*_cli.py`) may also read the whole
  configuration directory (`config`) and run every domain's jobs (`jobs`), as commands do.
- No module imports another domain's command-line modules.
- The edges (app, cli, config, jobs, ...) may import anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ninefold.domains import DOMAINS

SRC = Path(__file__).parent.parent / "src"
ORDER = [domain.name for domain in DOMAINS]
KERNEL = {
    "adapters",
    "body_limit",
    "business_days",
    "clock",
    "conventions",
    "db",
    "declared",
    "domain",
    "errors",
    "headers",
    "instants",
    "observability",
    "openapi_errors",
    "pagination",
    "payloads",
    "settings",
    "signing",
    "sourcefile",
    "spec",
    "sqlite_writers",
    "stats",
    "weblinks",
}
# Below the domains but above `auth`: how requests are authenticated and pages rendered,
# what commands share, and how a configuration directory is read.
SHARED_BY_DOMAINS = {"cli_support", "directory", "domains", "http", "web"}
EDGES_FOR_COMMANDS = {"config", "jobs"}


def modules() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each module of the package with every `ninefold` module it imports, and with every
    other top-level package it imports."""
    graph: dict[str, set[str]] = {}
    others: dict[str, set[str]] = {}
    for path in sorted((SRC / "ninefold").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {_module(i) for i in imported if i.startswith("ninefold")} - {name}
        others[name] = {i.split(".")[0] for i in imported if not i.startswith("ninefold")}
    return graph, others


def _module(name: str) -> str:
    """`ninefold.catalog.service.write_team` -> `ninefold.catalog.service`."""
    parts = name.split(".")
    while parts:
        candidate = SRC.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return name


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_manifest(module: str) -> bool:
    return module.count(".") == 1 and top(module) in ORDER


def is_cli(module: str) -> bool:
    """`ninefold.auth.cli`, `ninefold.server_cli`, and the modules of a `cli` package."""
    parts = module.split(".")
    return "cli" in parts[1:] or parts[-1].endswith("_cli")


GRAPH, THIRD_PARTY = modules()
ENTRY_POINTS = {"ninefold.cli", "ninefold.__main__", "ninefold.cli_support"}


def test_the_graph_sees_every_module() -> None:
    assert "ninefold.catalog.service" in GRAPH["ninefold.catalog.sections"]
    assert len(GRAPH) > 150


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if top(m) in KERNEL))
def test_the_kernel_imports_no_domain(module: str) -> None:
    wrong = sorted(i for i in GRAPH[module] if top(i) not in KERNEL and i != "ninefold")
    assert wrong == [], f"{module} imports {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if top(m) in ORDER))
def test_a_domain_imports_only_the_domains_before_it(module: str) -> None:
    mine = ORDER.index(top(module))
    allowed = KERNEL | SHARED_BY_DOMAINS | set(ORDER[: mine + 1])
    if is_cli(module):
        allowed |= EDGES_FOR_COMMANDS
    wrong = sorted(
        i for i in GRAPH[module] if i != "ninefold" and top(i) not in allowed and not is_manifest(i)
    )
    assert wrong == [], f"{module} ({top(module)}) imports {wrong}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_another_domains_command_line(module: str) -> None:
    wrong = sorted(
        i for i in GRAPH[module] if is_cli(i) and top(i) != top(module) and top(i) in ORDER
    )
    assert wrong == [], f"{module} imports {wrong}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if not is_cli(m)))
def test_below_the_command_line_nothing_imports_it(module: str) -> None:
    if module in ENTRY_POINTS:
        return
    assert sorted(i for i in GRAPH[module] if is_cli(i) and i not in ENTRY_POINTS) == []
    assert THIRD_PARTY[module] & {"typer", "rich", "click"} == set(), module


# The SLO pipeline (docs/slos.md): specs in, one pure model, then what reads counts, what
# replays them and what writes rules; the command line and the web pages sit on top of all.
SLO_PIPELINE = {
    "core": {"core"},
    "spec": {"spec", "core"},
    "sources": {"sources", "spec", "core"},
    "backtest": {"backtest", "core"},
    "generators": {"generators", "spec", "core"},
    "gate": {"gate", "spec", "core"},
}


@pytest.mark.parametrize(
    "module",
    sorted(m for m in GRAPH if m.split(".")[1:3][-1:] and m.startswith("ninefold.slos.")),
)
def test_the_slo_pipeline_runs_one_way(module: str) -> None:
    stage = module.split(".")[2]
    if stage not in SLO_PIPELINE:
        return
    used = {i.split(".")[2] for i in GRAPH[module] if i.startswith("ninefold.slos.")}
    assert used - SLO_PIPELINE[stage] == set(), f"{module} ({stage}) uses {sorted(used)}"


def runtime_imports(path: Path) -> set[str]:
    """The `ninefold` modules a file imports outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for child in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ninefold"):
            found.add(_module(node.module))
    return found


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if top(m) in ORDER))
def test_a_domain_reaches_another_domains_rows_through_its_services(module: str) -> None:
    """Another domain's mapped classes appear in type hints only (and in `tables.py`, where a
    relationship needs them): queries on its tables are that domain's services' business."""
    if module.endswith(".tables"):
        return
    path = SRC.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        path = SRC.joinpath(*module.split("."), "__init__.py")
    foreign = sorted(
        i for i in runtime_imports(path) if i.endswith(".tables") and top(i) != top(module)
    )
    assert foreign == [], f"{module} queries {foreign}"


DATABASE_CLOCK = re.compile(
    r"(?<![\w.])now\(\)|\b(current_timestamp|current_date|current_time|localtimestamp|"
    r"transaction_timestamp|statement_timestamp|clock_timestamp)\b",
    re.IGNORECASE,
)


def test_no_sql_reads_the_database_clock() -> None:
    """ruff bans SQLAlchemy's func.now() and its kin; this finds the same in SQL written as
    text, so that the faked-clock run may keep to SQLite (docs/architecture.md)."""
    found = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted((SRC / "ninefold").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if DATABASE_CLOCK.search(line)
    ]
    assert found == []
