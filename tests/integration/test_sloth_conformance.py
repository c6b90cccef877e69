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
# A raw SLI gives its ratio directly: Ninefold writes no test for it, and says so.
NO_GENERATED_TESTS = {"raw-home-wifi.yml"}


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


# --- side by side with Sloth's own rules ---------------------------------------------------

REQUESTS_PER_MINUTE = 1000
# Stretches of (minutes, share of requests failing): 0.05% is half of a 99.9% budget, 0.35%
# burns it 3.5 times too fast (a ticket, no page), 2% 20 times (a page), 100% an outage.
# Rates over long windows read what history there is, so hours show what days would.
SCENARIOS = {
    "outage": [(6 * 60, 0.0005), (60, 1.0), (6 * 60, 0.0005)],
    "sustained-2pc": [(8 * 60, 0.02)],
    "three-and-a-half-budgets": [(8 * 60, 0.0035)],
    "within-budget": [(8 * 60, 0.0005)],
    "no-traffic": [],
    # Failures rising from 0 to 5% over 8 hours, then gone: each threshold is crossed, up
    # and down, at its own step, so a burn factor or window that differs shows.
    "ramp": [(10, 0.05 * k / 48) for k in range(48)] + [(4 * 60, 0.0)],
}
# Examples whose SLIs read one request counter: the one-SLO example in every scenario; the
# ramp, which crosses every threshold both ways, on the two-SLO example and on a Kubernetes
# object (the plugin examples' rules are the same as these). A promtool run costs seconds.
CASES = [("getting-started.yml", scenario) for scenario in sorted(SCENARIOS)] + [
    ("multifile.yml", "ramp"),
    ("k8s-multifile.yml", "ramp"),
]
STEP_MINUTES = 10


def counter(stretches: list[tuple[int, float]], failing: bool) -> str:
    """A request counter in promtool's notation, a value a minute: `start+incrementxN`."""
    value, parts = 0.0, []
    for minutes, share in stretches:
        per_minute = REQUESTS_PER_MINUTE * (share if failing else 1 - share)
        parts.append(f"{value:g}+{per_minute:g}x{minutes}")
        value += per_minute * (minutes + 1)
    return " ".join(parts)


def firing(prefix: str, alert: str, service: str, slo: str, severity: str) -> str:
    """The firing alert of one SLO and severity, as Ninefold's or Sloth's labels name it."""
    labels = (
        f'alertname="{alert}", alertstate="firing", {prefix}_severity="{severity}", '
        f'{prefix}_service="{service}", {prefix}_slo="{slo}"'
    )
    return f"ALERTS{{{labels}}}"


def eval_order(groups: list[str]) -> list[str]:
    """Recording groups before the alert groups that read them, Ninefold's and Sloth's."""
    stages = ("-sli-", "-meta-", "-alerts-")
    return [g for stage in stages for g in groups if stage in g]


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_page_and_ticket_fire_and_reset_when_sloths_do(
    name: str, scenario: str, tmp_path: Path
) -> None:
    folder = corpus()
    result = ninefold(
        "slo",
        "generate",
        folder / "specs" / name,
        "-o",
        tmp_path / "ninefold.yaml",
        "--format",
        "prometheus",
    )
    assert result.returncode == 0, result.stderr
    ours = rule_groups((tmp_path / "ninefold.yaml").read_text())
    theirs = rule_groups((folder / "sloth-gen" / name).read_text())
    (tmp_path / "sloth.yaml").write_text(yaml.safe_dump({"groups": theirs}))
    slos = sorted(
        {
            (rule["alert"], rule["labels"]["ninefold_service"], rule["labels"]["ninefold_slo"])
            for group in ours
            for rule in group["rules"]
            if "ninefold_severity" in rule.get("labels", {})
            and not rule["alert"].endswith("SLIMissing")
        }
    )
    assert slos
    stretches = SCENARIOS[scenario]
    minutes = sum(m for m, _ in stretches) or 8 * 60
    series = [
        {
            "series": f'http_request_duration_seconds_count{{job="myservice",code="{code}"}}',
            "values": counter(stretches, failing),
        }
        for code, failing in (("200", False), ("500", True))
        if stretches
    ] or [{"series": "unrelated_total", "values": f"0+1x{minutes}"}]
    checks = []
    for at in range(STEP_MINUTES, minutes + 1, STEP_MINUTES):
        for alert, service, slo in slos:
            for severity in ("page", "ticket"):
                expr = (
                    f"(count({firing('ninefold', alert, service, slo, severity)}) or vector(0))"
                    f" - (count({firing('sloth', alert, service, slo, severity)}) or vector(0))"
                )
                checks.append(
                    {
                        "expr": expr,
                        "eval_time": f"{at}m",
                        "exp_samples": [{"labels": "{}", "value": 0}],
                    }
                )
    if not stretches:
        # Where Ninefold differs on purpose: with no requests at all, Sloth's rules stay
        # silent and Ninefold's open a ticket saying the SLI is missing (docs/slos.md).
        missing = 'ALERTS{alertname=~".*SLIMissing", alertstate="firing"}'
        checks.append(
            {
                "expr": f"count({missing})",
                "eval_time": f"{minutes}m",
                "exp_samples": [{"labels": "{}", "value": len(slos)}],
            }
        )
    test = {
        "rule_files": ["ninefold.yaml", "sloth.yaml"],
        "evaluation_interval": "1m",
        "group_eval_order": eval_order([g["name"] for g in ours + theirs]),
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}],
    }
    (tmp_path / "side-by-side.yaml").write_text(yaml.safe_dump(test))
    run = promtool("test", "rules", "side-by-side.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[:3000] + run.stderr[:3000]
