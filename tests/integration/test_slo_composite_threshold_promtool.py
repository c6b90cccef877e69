"""Composite and threshold SLOs against Debian's promtool: the generated rules load, the
generated tests pass, and hand-written tests with hand-computed numbers hold.

The composite (tests/fixtures/openslo-v1/composite.yaml) weighs `requests` 3 and `fast` 1:
0.75 and 0.25, both at 99%, so its budget is 1% and the workbook's thresholds are
14.4 x 1% = 14.4% (1h and 5m) and 6% (6h and 30m) for a page, 3% (1d and 2h) and 1% (3d and
6h) for a ticket. Each component failing 20% of its requests gives a composite error ratio of
0.75 x 20% = 15% (requests: above 14.4%, pages) or 0.25 x 20% = 5% (fast: below 6%, no page,
above 3%, a ticket).

The threshold SLO (threshold.yaml) wants the queue at or below 1,000 in 99% of its per-minute
samples: a budget of 1%. Evaluated at minute 120, a breach over the last 10 minutes is 10 of
the 61 samples of the last hour (16.4%, above 14.4%) and all of the last 5 minutes: it pages.
Over the last 5 minutes only it is 5 of 61 (8.2%) and 5 of 121 over 6 hours (4.1%, below 6%):
no page, but above 3% over a day and 2 hours: a ticket. (Prometheus 3's ranges leave out
their first instant: 10 of 60, 5 of 60 and 5 of 120, with the same outcome.)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.test_slo_rules_promtool import ROOT, ninefold, promtool

FIXTURES = ROOT / "tests" / "fixtures" / "openslo-v1"

PAGE = "The 99% objective of {name} over 30d is burning its error budget faster than 14.4x over 1h and 5m; 6x over 6h and 30m."
TICKET = "The 99% objective of {name} over 30d is burning its error budget faster than 3x over 1d and 2h; 1x over 3d and 6h."


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("composite-threshold")
    result = ninefold(
        "slo", "generate", str(FIXTURES), "-o", str(out / "rules"), "--tests", str(out / "tests")
    )
    assert result.returncode == 0, result.stderr
    return out


def alert(service: str, slo: str, severity: str) -> dict[str, Any]:
    name = f"{service}/{slo}"
    return {
        "exp_labels": {
            "ninefold_service": service,
            "ninefold_slo": slo,
            "ninefold_severity": severity,
        },
        "exp_annotations": {
            "summary": f"{name} is burning its error budget too fast ({severity})",
            "description": (PAGE if severity == "page" else TICKET).format(name=name),
        },
    }


def case(
    name: str, alertname: str, series: dict[str, str], firing: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": name,
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in series.items()],
        "alert_rule_test": [{"eval_time": "2h", "alertname": alertname, "exp_alerts": firing}],
    }


def requests(error_percent: int) -> dict[str, str]:
    return {
        'http_requests_total{job="checkout", code="500"}': f"0+{error_percent}x180",
        'http_requests_total{job="checkout", code="200"}': f"0+{100 - error_percent}x180",
    }


def latency(slow_percent: int) -> dict[str, str]:
    return {
        'http_request_duration_seconds_bucket{job="checkout", le="0.3"}': (
            f"0+{100 - slow_percent}x180"
        ),
        'http_request_duration_seconds_count{job="checkout"}': "0+100x180",
    }


JOURNEY = "CheckoutJourneyErrorBudgetBurn"
QUEUE = "WorkerQueueErrorBudgetBurn"


def hand_written_tests() -> dict[str, Any]:
    page, ticket = alert("checkout", "journey", "page"), alert("checkout", "journey", "ticket")
    return {
        "rule_files": ["rules/checkout.yaml", "rules/worker.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            case(
                "the heavy component failing 20% pages: 0.75 x 20% = 15% > 14.4%",
                JOURNEY,
                {**requests(20), **latency(0)},
                [page, ticket],
            ),
            case(
                "the light component failing 20% does not page: 0.25 x 20% = 5% < 6%, > 3%",
                JOURNEY,
                {**requests(0), **latency(20)},
                [ticket],
            ),
            case(
                "both failing 20% page: 20%",
                JOURNEY,
                {**requests(20), **latency(20)},
                [page, ticket],
            ),
            case("both healthy: nothing", JOURNEY, {**requests(0), **latency(0)}, []),
            case(
                "a 10-minute queue breach pages",
                QUEUE,
                {'worker_queue_depth{job="worker"}': "500x110 1500x69"},
                [alert("worker", "queue", "page"), alert("worker", "queue", "ticket")],
            ),
            case(
                "a 5-minute queue breach opens a ticket and does not page",
                QUEUE,
                {'worker_queue_depth{job="worker"}': "500x115 1500x64"},
                [alert("worker", "queue", "ticket")],
            ),
        ],
    }


def test_the_rules_load_in_prometheus(generated: Path) -> None:
    files = sorted((generated / "rules").glob("*.yaml"))
    assert [f.name for f in files] == ["checkout.yaml", "worker.yaml"]
    result = promtool("check", "rules", *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_tests_pass(generated: Path) -> None:
    tests = sorted(t.name for t in (generated / "tests").glob("*.test.yaml"))
    assert tests == ["checkout-journey.test.yaml", "worker-queue.test.yaml"]
    result = promtool("test", "rules", *tests, cwd=generated / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == 2


def test_the_generated_composite_test_pages_on_the_heavy_component_only(generated: Path) -> None:
    document = yaml.safe_load((generated / "tests" / "checkout-journey.test.yaml").read_text())
    fired = {
        t["name"].split(": ", 1)[1]: sorted(
            a["exp_labels"]["ninefold_severity"] for a in t["alert_rule_test"][0]["exp_alerts"]
        )
        for t in document["tests"]
    }
    assert fired == {
        "every component healthy fires nothing (burn rate 0)": [],
        # 1.25 x 14.4 x 1% = 18% errors; 0.75 x 18% = 13.5% > 6%, 0.25 x 18% = 4.5% < 6%.
        "journey.requests (weight 0.75) failing alone at error ratio 0.18 (burn rate 13.5)": [
            "page",
            "ticket",
        ],
        "journey.fast (weight 0.25) failing alone at error ratio 0.18 (burn rate 4.5)": ["ticket"],
        "every component failing (burn rate 18)": ["page", "ticket"],
    }


def test_the_generated_threshold_test_pages_on_a_breach(generated: Path) -> None:
    document = yaml.safe_load((generated / "tests" / "worker-queue.test.yaml").read_text())
    breach, quiet = document["tests"]
    assert breach["name"] == "worker/queue: a breached threshold pages (burn rate 100)"
    assert breach["input_series"] == [
        {"series": 'worker_queue_depth{job="worker"}', "values": "1500.0+0x180"}
    ]
    assert [
        a["exp_labels"]["ninefold_severity"] for a in breach["alert_rule_test"][0]["exp_alerts"]
    ] == [
        "page",
        "ticket",
    ]
    assert quiet["alert_rule_test"][0]["exp_alerts"] == []


def test_hand_computed_cases_hold(generated: Path) -> None:
    (generated / "hand.test.yaml").write_text(yaml.safe_dump(hand_written_tests(), sort_keys=False))
    result = promtool("test", "rules", "hand.test.yaml", cwd=generated)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hand_computed_cases_fail_on_equal_weights(generated: Path, tmp_path: Path) -> None:
    """A test that cannot fail proves nothing: with equal weights, the light component's 20%
    becomes a composite error ratio of 10%, above the 6% of the 6-hour page, which fires."""
    shutil.copytree(generated / "rules", tmp_path / "rules")
    rules = tmp_path / "rules" / "checkout.yaml"
    text = rules.read_text()
    assert text.count("0.75 * ") == text.count("0.25 * ") == 8  # 7 windows and the period
    rules.write_text(text.replace("0.75 * ", "0.5 * ").replace("0.25 * ", "0.5 * "))
    (tmp_path / "hand.test.yaml").write_text(yaml.safe_dump(hand_written_tests(), sort_keys=False))
    result = promtool("test", "rules", "hand.test.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "the light component failing 20% does not page" in result.stdout + result.stderr


def test_ninefold_check_reports_bad_composites_where_they_are(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "slos").mkdir(parents=True)
    (config / "services.yaml").write_text(
        "teams:\n  - name: core\nservices:\n  - name: checkout\n    tier: 0\n    owner: core\n"
    )
    composite = (FIXTURES / "composite.yaml").read_text()
    (config / "slos" / "weights.yaml").write_text(
        composite.replace("compositeWeight: 1\n", "compositeWeight: 0\n")
    )
    (config / "slos" / "mixed.yaml").write_text(
        composite.replace("name: journey\n", "name: mixed\n")
        .replace("name: fast\n", "name: fast-2\n")
        .replace("  service: checkout\n", "  service: checkout\n  indicatorRef: fast-2\n")
    )
    result = ninefold("check", str(config))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{config}/slos/mixed.yaml:31: spec.indicatorRef: a composite SLO (objectives with "
        "their own indicator or indicatorRef) takes every indicator from its objectives: move "
        "this one into an objective",
        f"{config}/slos/weights.yaml:57: spec.objectives[1].compositeWeight: must be a number "
        "greater than 0, not 0: the weights of a composite are its components' shares "
        "(normalised to sum to 1)",
        "2 errors",
    ]
