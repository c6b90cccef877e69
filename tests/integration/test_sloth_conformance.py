"""Sloth's own examples, as a team moving from Sloth would bring them (issue 13).

The corpus is Sloth's public examples and the rules Sloth generated from them
(`../shared/conformance/sloth/`, read where it lies, never copied here; set
NINEFOLD_SLOTH_CORPUS to read it elsewhere). Every example either generates, with rules
promtool accepts and promtool tests of Ninefold's own that pass, or is refused with the
reason docs/slos.md gives. For a sample of examples, Ninefold's rules and Sloth's golden
rules are loaded side by side in one promtool run, fed the same requests, and their page and
ticket alerts must fire and reset at the same evaluation steps.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.test_slo_rules_promtool import promtool
from tests.support.cli import ninefold

ROOT = Path(__file__).resolve().parent.parent.parent
CANDIDATES = [
    Path(os.environ.get("NINEFOLD_SLOTH_CORPUS", "")),
    ROOT.parent / "shared" / "conformance" / "sloth",
    Path("/work/shared/conformance/sloth"),
]


def corpus() -> Path:
    for candidate in CANDIDATES:
        if candidate.name and (candidate / "specs").is_dir():
            return candidate
    pytest.fail(
        "Sloth's conformance corpus is not found: set NINEFOLD_SLOTH_CORPUS to the folder "
        "holding specs/ and sloth-gen/ (../shared/conformance/sloth)",
        pytrace=False,
    )


SPECS = sorted(p.name for p in (CANDIDATES[1] / "specs").glob("*.y*ml")) or [
    p.name for p in (CANDIDATES[2] / "specs").glob("*.y*ml")
]
# Examples Ninefold refuses, and the words of the reason it gives (docs/slos.md).
REFUSED = {
    "plugin-getting-started.yml": "Sloth SLI plugins are Go code and cannot run here",
    "plugin-k8s-getting-started.yml": "Sloth SLI plugins are Go code and cannot run here",
    "victoria-metrics.yml": "queries in MetricsQL (VictoriaMetrics) are not supported",
}


# Examples whose rules this machine's promtool (Debian's Prometheus 2) cannot load as they
# stand: Sloth's info_labels example names labels with '-', which only Prometheus 3 reads;
# Ninefold writes them as Sloth does and warns (docs/slos.md).
PROMETHEUS_3_ONLY = {"contrib-slo-plugins.yml": ["plug-l1", "plug-l2", "plug-l3"]}
# Examples whose SLIs count values against a threshold (`count(x < 0.75)`): Ninefold's test
# generator builds series from label matchers only, so it writes no promtool test for them
# and says so (docs/cli.md).
NO_GENERATED_TESTS = {"home-wifi.yml", "k8s-home-wifi.yml", "raw-home-wifi.yml"}


def without(rule_file: Path, labels: list[str]) -> None:
    """The rule file with these labels taken off every rule."""
    document = yaml.safe_load(rule_file.read_text())
    for group in document["groups"]:
        for rule in group["rules"]:
            for label in labels:
                rule.get("labels", {}).pop(label, None)
    rule_file.write_text(yaml.safe_dump(document))


def rule_groups(text: str) -> list[dict[str, Any]]:
    """The rule groups of a rule file or of PrometheusRule objects."""
    groups = []
    for document in yaml.safe_load_all(text):
        if document:
            groups += document["spec"]["groups"] if "spec" in document else document["groups"]
    return groups


@pytest.mark.parametrize("name", SPECS)
def test_each_example_generates_rules_and_tests_that_hold_or_is_refused_with_its_reason(
    name: str, tmp_path: Path
) -> None:
    spec = corpus() / "specs" / name
    result = ninefold(
        "slo",
        "generate",
        spec,
        "-o",
        tmp_path / "rules.yaml",
        "--format",
        "prometheus",
        "--tests",
        tmp_path / "tests",
    )
    if name in REFUSED:
        assert result.returncode == 1
        assert REFUSED[name] in result.stderr
        return
    assert result.returncode == 0, result.stderr
    checked = promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    if name in PROMETHEUS_3_ONLY:
        said = (checked.stdout + checked.stderr).splitlines()
        refused = [line for line in said if "invalid label name" in line]
        assert sorted(line.rsplit(": ", 1)[1] for line in refused) == PROMETHEUS_3_ONLY[name]
        assert all(
            f"label name {label!r} needs Prometheus 3" in result.stderr
            for label in PROMETHEUS_3_ONLY[name]
        )
        # The rest of the rules hold without those labels: the tests run on them.
        for rule_file in [tmp_path / "rules.yaml", *(tmp_path / "tests").glob("*.rules.yaml")]:
            without(rule_file, PROMETHEUS_3_ONLY[name])
    else:
        assert checked.returncode == 0, checked.stdout + checked.stderr
    tests = sorted((tmp_path / "tests").glob("*.test.yaml"))
    if name in NO_GENERATED_TESTS:
        assert tests == []
        assert "no promtool test generated" in result.stderr
        return
    assert tests
    for test in tests:
        run = promtool("test", "rules", test.name, cwd=test.parent)
        assert run.returncode == 0, run.stdout + run.stderr
