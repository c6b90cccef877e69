"""`ninefold slo generate`: specs -> rule files (and promtool tests), as files or text.

Inside a configuration directory, SLOs are checked against the catalog and their alerts
take the runbook and dashboard links of their service; spec files alone work too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ninefold.slos.core.model import Slo
from ninefold.slos.generators.promtool_tests import CannotSynthesize, promtool_test_file
from ninefold.slos.generators.rules import rule_groups
from ninefold.slos.generators.writer import Format, dump, render
from ninefold.slos.spec import loader as specs
from ninefold.sourcefile import Problem

SLO_DIRECTORY = "slos"


@dataclass(frozen=True)
class ServiceLinks:
    runbook_url: str = ""
    dashboard_url: str = ""


@dataclass
class Generated:
    """File name (or "-" for standard output) -> text, plus what went wrong or was skipped."""

    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def config_root(path: Path) -> Path | None:
    """The configuration directory a spec path belongs to, if any."""
    if path.is_dir() and (path / SLO_DIRECTORY).is_dir():
        return path
    parts = path.resolve().parts
    if SLO_DIRECTORY in parts:
        index = len(parts) - 1 - parts[::-1].index(SLO_DIRECTORY)
        return Path(*parts[:index])
    return None


def spec_paths(path: Path) -> Path:
    root = config_root(path)
    return root / SLO_DIRECTORY if root is not None and root.resolve() == path.resolve() else path


def catalog_links(root: Path) -> tuple[set[str], dict[str, ServiceLinks]]:
    """Services of a configuration directory, with their first runbook and dashboard."""
    from ninefold.catalog.schemas import ServiceSpec
    from ninefold.directory import read_sections

    bundle = read_sections(root, {"services": ServiceSpec})
    links = {}
    for spec in bundle.specs("services"):
        links[spec.name] = ServiceLinks(
            spec.runbooks[0].url if spec.runbooks else "",
            spec.dashboards[0].url if spec.dashboards else "",
        )
    return set(links) | bundle.invalid_names["services"], links


def load(paths: list[Path], period: timedelta) -> tuple[specs.SpecSet, dict[str, ServiceLinks]]:
    roots = {root for root in (config_root(p) for p in paths) if root is not None}
    services: set[str] | None = None
    links: dict[str, ServiceLinks] = {}
    if roots:
        services = set()
        for root in sorted(roots):
            names, found = catalog_links(root)
            services |= names
            links |= found
    return specs.load([spec_paths(p) for p in paths], services, period), links


def generate(
    slos: list[Slo],
    links: dict[str, ServiceLinks],
    fmt: Format,
    output: Path | None,
    tests: Path | None,
) -> Generated:
    result = Generated()
    by_service: dict[str, list[Slo]] = {}
    for slo in slos:
        by_service.setdefault(slo.service, []).append(slo)

    def groups(service_slos: list[Slo]) -> list[dict[str, object]]:
        return [
            group
            for slo in service_slos
            for group in rule_groups(
                slo,
                links.get(slo.service, ServiceLinks()).runbook_url,
                links.get(slo.service, ServiceLinks()).dashboard_url,
            )
        ]

    per_file = output is not None and output.suffix not in {".yaml", ".yml"}
    rule_file_of: dict[str, Path] = {}
    if per_file:
        assert output is not None  # noqa: S101 (per_file implies an output)
        for service, service_slos in sorted(by_service.items()):
            path = output / f"{_file_name(service)}.yaml"
            result.files[str(path)] = render({service: groups(service_slos)}, fmt)
            rule_file_of[service] = path
    else:
        text = render({s: groups(v) for s, v in by_service.items()}, fmt)
        result.files[str(output) if output else "-"] = text
        for service in by_service:
            rule_file_of[service] = output if output else Path("-")
    if tests is not None:
        for slo in slos:
            link = links.get(slo.service, ServiceLinks())
            rule_file = os.path.relpath(rule_file_of[slo.service], tests)
            try:
                content = promtool_test_file(slo, rule_file, link.runbook_url, link.dashboard_url)
            except CannotSynthesize as exc:
                result.problems.append(
                    Problem(
                        slo.file, slo.line, "tests", f"no promtool test generated: {exc}", "warning"
                    )
                )
                continue
            name = f"{_file_name(slo.service)}-{_file_name(slo.name)}.test.yaml"
            result.files[str(tests / name)] = dump([content])
    return result


def _file_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
