"""Generated rules against Debian's promtool: they load, and their generated tests pass.

promtool is the real Prometheus rule checker and unit-test runner; the test command installs
it (Debian package `prometheus`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.factories import EXAMPLES

ROOT = Path(__file__).parent.parent.parent
SLOTH_EXAMPLE = ROOT / "tests" / "fixtures" / "sloth" / "getting-started.yaml"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def ninefold(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ninefold", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("slo-rules")
    result = ninefold(
        "slo", "generate", str(EXAMPLES), "-o", str(out / "rules"), "--tests", str(out / "tests")
    )
    assert result.returncode == 0, result.stderr
    return out


def test_rules_generated_from_the_examples_load_in_prometheus(generated: Path) -> None:
    files = sorted((generated / "rules").glob("*.yaml"))
    assert [f.name for f in files] == ["api-gateway.yaml", "checkout.yaml", "payments.yaml"]
    result = promtool("check", "rules", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 3


def test_the_generated_promtool_tests_pass(generated: Path) -> None:
    tests = sorted((generated / "tests").glob("*.test.yaml"))
    assert len(tests) == 3
    result = promtool("test", "rules", *[t.name for t in tests], cwd=generated / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 3


def test_each_generated_test_proves_page_ticket_and_quiet(generated: Path) -> None:
    document = yaml.safe_load((generated / "tests" / "checkout-availability.test.yaml").read_text())
    names = [t["name"] for t in document["tests"]]
    assert any("fast burn pages" in n for n in names)
    assert any("slow burn opens a ticket and does not page" in n for n in names)
    assert any("within budget fires nothing" in n for n in names)
    quiet = next(t for t in document["tests"] if "within budget" in t["name"])
    assert all(check["exp_alerts"] == [] for check in quiet["alert_rule_test"])
    slow = next(t for t in document["tests"] if "slow burn" in t["name"])
    severities = [
        a["exp_labels"]["ninefold_severity"] for a in slow["alert_rule_test"][0]["exp_alerts"]
    ]
    assert severities == ["ticket"]


def test_the_generated_tests_fail_when_the_rules_are_wrong(generated: Path, tmp_path: Path) -> None:
    """A test that cannot fail proves nothing: raise the page factors and promtool objects."""
    rules = tmp_path / "rules"
    shutil.copytree(generated / "rules", rules)
    checkout = rules / "checkout.yaml"
    text = checkout.read_text()
    assert "(14.4 * 0.001)" in text
    assert "(6.0 * 0.001)" in text
    checkout.write_text(
        text.replace("(14.4 * 0.001)", "(40.0 * 0.001)").replace("(6.0 * 0.001)", "(40.0 * 0.001)")
    )
    tests = tmp_path / "tests"
    shutil.copytree(generated / "tests", tests)
    result = promtool("test", "rules", "checkout-availability.test.yaml", cwd=tests)
    assert result.returncode == 1
    assert "FAILED" in result.stdout + result.stderr


def test_sloths_getting_started_example_generates_rules_that_load_and_prove_themselves(
    tmp_path: Path,
) -> None:
    result = ninefold(
        "slo",
        "generate",
        str(SLOTH_EXAMPLE),
        "-o",
        str(tmp_path / "rules.yaml"),
        "--tests",
        str(tmp_path / "tests"),
    )
    assert result.returncode == 0, result.stderr
    assert promtool("check", "rules", str(tmp_path / "rules.yaml")).returncode == 0
    tested = promtool(
        "test", "rules", "myservice-requests-availability.test.yaml", cwd=tmp_path / "tests"
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    rules = yaml.safe_load((tmp_path / "rules.yaml").read_text())
    alerts = [
        r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "MyServiceHighErrorRate"
    ]
    page, ticket = sorted(alerts, key=lambda r: r["labels"]["ninefold_severity"])
    assert page["labels"]["severity"] == "pageteam"
    assert page["labels"]["routing_key"] == "myteam"
    assert ticket["labels"]["slack_channel"] == "#alerts-myteam"
    assert page["annotations"]["summary"] == "High error rate on 'myservice' requests responses"
    assert page["labels"]["owner"] == "myteam"


def test_generation_is_deterministic_and_marked(tmp_path: Path) -> None:
    first = ninefold("slo", "generate", str(EXAMPLES))
    second = ninefold("slo", "generate", str(EXAMPLES))
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stdout.startswith("# Generated by Ninefold")


def test_kubernetes_format_is_a_prometheus_rule_per_service(tmp_path: Path) -> None:
    result = ninefold("slo", "generate", str(EXAMPLES), "--format", "kubernetes")
    assert result.returncode == 0, result.stderr
    documents = list(yaml.safe_load_all(result.stdout))
    assert [d["kind"] for d in documents] == ["PrometheusRule"] * 3
    assert {d["apiVersion"] for d in documents} == {"monitoring.coreos.com/v1"}
    assert [d["metadata"]["name"] for d in documents] == [
        "ninefold-slos-api-gateway",
        "ninefold-slos-checkout",
        "ninefold-slos-payments",
    ]
    plain = tmp_path / "from-k8s.yaml"
    plain.write_text(yaml.safe_dump({"groups": documents[1]["spec"]["groups"]}))
    assert promtool("check", "rules", str(plain)).returncode == 0


def test_a_sloth_kubernetes_object_becomes_its_prometheus_rule(tmp_path: Path) -> None:
    """As Sloth does: the PrometheusRule of a PrometheusServiceLevel takes its name and
    namespace, and is the default output for such input."""
    spec = tmp_path / "payments.yaml"
    spec.write_text(
        "apiVersion: sloth.slok.dev/v1\n"
        "kind: PrometheusServiceLevel\n"
        "metadata: {name: payments-slos, namespace: monitoring}\n"
        "spec:\n"
        "  service: payments\n"
        "  slos:\n"
        "    - name: charges\n"
        "      objective: 99.9\n"
        "      sli:\n"
        "        events:\n"
        "          errorQuery: sum(rate(charges_total{outcome='error'}[{{.window}}]))\n"
        "          totalQuery: sum(rate(charges_total[{{.window}}]))\n"
        "      alerting: {name: ChargesFailing}\n"
    )
    result = ninefold("slo", "generate", str(spec))
    assert result.returncode == 0, result.stderr
    (document,) = yaml.safe_load_all(result.stdout)
    assert document["kind"] == "PrometheusRule"
    assert (document["metadata"]["name"], document["metadata"]["namespace"]) == (
        "payments-slos",
        "monitoring",
    )
    plain = tmp_path / "rules.yaml"
    plain.write_text(yaml.safe_dump({"groups": document["spec"]["groups"]}))
    assert promtool("check", "rules", str(plain)).returncode == 0
    as_file = ninefold("slo", "generate", str(spec), "--format", "prometheus")
    assert yaml.safe_load(as_file.stdout)["groups"] == document["spec"]["groups"]


SHARED_ALERT = """\
version: prometheus/v1
service: {service}
slos:
  - name: availability
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(requests_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(requests_total[{{{{.window}}}}]))
    alerting:
      name: HighErrorRate
"""


def test_generated_tests_hold_when_slos_share_their_series_and_alert_name(tmp_path: Path) -> None:
    """Two services over the same series with the same alert name (Sloth's multifile
    example): the second SLO's alerts fire on the first one's test data too, so each is
    tested on a rule file of its own SLO's rules."""
    spec = tmp_path / "slos.yaml"
    spec.write_text(
        SHARED_ALERT.format(service="web", objective=99.9)
        + "---\n"
        + SHARED_ALERT.format(service="api", objective=99.99)
    )
    result = ninefold(
        "slo",
        "generate",
        str(spec),
        "-o",
        str(tmp_path / "rules.yaml"),
        "--tests",
        str(tmp_path / "tests"),
    )
    assert result.returncode == 0, result.stderr
    tests = sorted((tmp_path / "tests").glob("*.test.yaml"))
    assert [t.name for t in tests] == ["api-availability.test.yaml", "web-availability.test.yaml"]
    for test in tests:
        run = promtool("test", "rules", test.name, cwd=test.parent)
        assert run.returncode == 0, run.stdout + run.stderr
    own = yaml.safe_load((tmp_path / "tests" / "web-availability.rules.yaml").read_text())
    everything = yaml.safe_load((tmp_path / "rules.yaml").read_text())
    assert [g for g in everything["groups"] if "-web-" in g["name"]] == own["groups"]


PLUGGED = """\
version: prometheus/v1
service: web
slo_plugins:
  chain:
    - id: sloth.dev/contrib/info_labels/v1
      config: {labels: {team_channel: web-oncall}}
    - id: sloth.dev/contrib/rule_intervals/v1
      config: {interval: {default: 2m, alert: 30s}}
    - id: sloth.dev/contrib/denominator_corrected_rules/v1
slos:
  - name: availability
    objective: 99
    sli:
      events:
        error_query: sum(rate(requests_total{code="500"}[{{.window}}]))
        total_query: sum(rate(requests_total[{{.window}}]))
    alerting:
      name: WebErrors
"""


def test_sloths_contrib_plugins_shape_the_rules_prometheus_runs(tmp_path: Path) -> None:
    """info_labels labels the info series, rule_intervals sets each group's interval, and
    the denominator correction weighs each window's error ratio by its share of the period's
    traffic: a last hour at half the day's traffic and 1% errors counts 0.5%."""
    spec = tmp_path / "web.yaml"
    spec.write_text(PLUGGED)
    rules = tmp_path / "rules.yaml"
    result = ninefold("slo", "generate", str(spec), "-o", str(rules), "--period", "1d")
    assert result.returncode == 0, result.stderr
    groups = yaml.safe_load(rules.read_text())["groups"]
    assert [g.get("interval") for g in groups] == ["2m", "2m", "30s"]
    (info,) = [r for g in groups for r in g["rules"] if r.get("record") == "ninefold_slo:info"]
    assert info["labels"]["team_channel"] == "web-oncall"
    # A day at 100 requests a minute, then an hour at 50 a minute of which 1% fail.
    day, hour = 24 * 60, 60
    ok = f"0+100x{day - hour} {100 * (day - hour)}+49.5x{hour}"
    bad = f"0+0x{day - hour} 0+0.5x{hour}"
    share = 50 / ((100 * (day - hour) + 50 * hour) / day)
    test = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'requests_total{code="200"}', "values": ok},
                    {"series": 'requests_total{code="500"}', "values": bad},
                ],
                "promql_expr_test": [
                    {
                        "expr": "abs(ninefold_slo:error_ratio:rate30m - "
                        f"{0.01 * share!r}) < bool 0.0002",
                        "eval_time": f"{day}m",
                        "exp_samples": [
                            {
                                "labels": '{ninefold_service="web", ninefold_slo="availability"}',
                                "value": 1,
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test))
    run = promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_inhibit_rule_loads_in_alertmanager(tmp_path: Path) -> None:
    result = ninefold(
        "slo",
        "generate",
        str(EXAMPLES),
        "-o",
        str(tmp_path / "rules.yaml"),
        "--inhibit-rules",
        str(tmp_path / "inhibit.yaml"),
    )
    assert result.returncode == 0, result.stderr
    fragment = yaml.safe_load((tmp_path / "inhibit.yaml").read_text())
    config = {"route": {"receiver": "default"}, "receivers": [{"name": "default"}], **fragment}
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(config))
    amtool = shutil.which("amtool") or "/usr/bin/amtool"
    checked = subprocess.run(
        [amtool, "check-config", str(tmp_path / "alertmanager.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 inhibit rules" in checked.stdout
    (rule,) = fragment["inhibit_rules"]
    assert rule["equal"] == ["ninefold_service", "ninefold_slo"]
