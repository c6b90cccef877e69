"""`ninefold slo generate`: SLOs -> rule files (and promtool tests), as files or text; the
alerts take the runbook and dashboard links of their service."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ninefold.slos.core.model import Slo
from ninefold.slos.generators.promtool_tests import CannotSynthesize, promtool_test_file
from ninefold.slos.generators.rules import rule_groups
from ninefold.slos.generators.writer import Format, dump, render
from ninefold.slos.spec.loader import ServiceLinks
from ninefold.sourcefile import Problem


@dataclass
class Generated:
    """File name (or "-" for standard output) -> text, plus what went wrong or was skipped."""

    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def generate(
    slos: list[Slo],
    links: dict[str, ServiceLinks],
    fmt: Format,
    output: Path | None,
    tests: Path | None,
) -> Generated:
    result = Generated()
    by_service: dict[str, list[Slo]] = {}
    objects: dict[str, tuple[str, str]] = {}
    for slo in slos:
        by_service.setdefault(slo.service, []).append(slo)
        if slo.rule_object is not None:
            objects.setdefault(slo.service, slo.rule_object)

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
            result.files[str(path)] = render({service: groups(service_slos)}, fmt, objects)
            rule_file_of[service] = path
    else:
        text = render({s: groups(v) for s, v in by_service.items()}, fmt, objects)
        result.files[str(output) if output else "-"] = text
        for service in by_service:
            rule_file_of[service] = output if output else Path("-")
    if tests is not None:
        # promtool expects every alert of a name that fires: an SLO whose alert name another
        # SLO shares (and whose series that SLO may read too) is tested on its own rules.
        names = Counter(slo.alerting.name for slo in slos)
        for slo in slos:
            link = links.get(slo.service, ServiceLinks())
            base = f"{_file_name(slo.service)}-{_file_name(slo.name)}"
            rule_file = os.path.relpath(rule_file_of[slo.service], tests)
            if names[slo.alerting.name] > 1:
                rule_file = f"{base}.rules.yaml"
                result.files[str(tests / rule_file)] = render(
                    {slo.service: groups([slo])}, "prometheus"
                )
            try:
                content = promtool_test_file(slo, rule_file, link.runbook_url, link.dashboard_url)
            except CannotSynthesize as exc:
                result.problems.append(
                    Problem(
                        slo.file, slo.line, "tests", f"no promtool test generated: {exc}", "warning"
                    )
                )
                continue
            result.files[str(tests / f"{base}.test.yaml")] = dump([content])
    return result


def default_format(slos: list[Slo]) -> Format:
    """A PrometheusRule when every spec was a Kubernetes object, as Sloth writes one for a
    PrometheusServiceLevel; a rule file otherwise."""
    if slos and all(slo.rule_object is not None for slo in slos):
        return "kubernetes"
    return "prometheus"


def _file_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
