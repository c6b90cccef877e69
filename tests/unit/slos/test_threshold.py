"""OpenSLO thresholdMetric SLIs: a metric that must meet `op value`, sampled once a minute,
from spec to rules, promtool inputs and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from ninefold.slos.core.model import Query, Slo, ThresholdSli, warnings_for
from ninefold.slos.core.status import status
from ninefold.slos.generators.promtool_tests import (
    CannotSynthesize,
    promtool_test_file,
    threshold_series,
)
from ninefold.slos.generators.rules import rule_groups, threshold_ratio
from ninefold.slos.spec import loader as specs

NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)

THRESHOLD_SLO = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: queue-depth
spec:
  thresholdMetric:
    metricSource:
      type: Prometheus
      spec:
        query: {query}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: queue
spec:
  service: worker
  indicatorRef: queue-depth
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: {budgeting}
  objectives:
    - {objective}
"""


def threshold(
    *,
    query: str = 'max(worker_queue_depth{job="worker"})',
    budgeting: str = "Timeslices",
    objective: str = "target: 0.99\n      op: lte\n      value: 1000\n      timeSliceWindow: 5m",
) -> str:
    return THRESHOLD_SLO.format(query=query, budgeting=budgeting, objective=objective)


def load_text(tmp_path: Path, text: str) -> specs.SpecSet:
    path = tmp_path / "slo.yaml"
    path.write_text(dedent(text))
    return specs.load([path])


def problems(result: specs.SpecSet, tmp_path: Path) -> list[str]:
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def test_a_threshold_sli_takes_op_and_value_from_the_objective(tmp_path: Path) -> None:
    result = load_text(tmp_path, threshold())
    assert problems(result, tmp_path) == []
    (slo,) = result.slos
    assert slo.sli == ThresholdSli(Query('max(worker_queue_depth{job="worker"})'), "lte", 1000.0)
    assert (slo.objective, slo.budgeting, slo.timeslice) == (
        0.99,
        "Timeslices",
        timedelta(minutes=5),
    )
    assert slo.slice_target == 0.99  # no timeSliceTarget: the objective


def test_each_objective_is_an_slo_with_its_own_threshold(tmp_path: Path) -> None:
    text = threshold(
        budgeting="Occurrences",
        objective="displayName: fast\n      target: 0.99\n      op: lt\n      value: 0.3\n"
        "    - displayName: slow\n      target: 0.999\n      op: lt\n      value: 1.5",
        query="histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[{{.window}}])))",
    )
    result = load_text(tmp_path, text)
    assert problems(result, tmp_path) == []
    assert [(s.name, s.sli.value, s.objective) for s in result.slos] == [  # type: ignore[union-attr]
        ("queue-fast", 0.3, 0.99),
        ("queue-slow", 1.5, 0.999),
    ]
    assert "[1m]" in result.slos[0].sli.sample()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("op", "metric", "met"),
    [
        ("lt", 299, True),
        ("lt", 300, False),
        ("lte", 300, True),
        ("lte", 301, False),
        ("gt", 301, True),
        ("gt", 300, False),
        ("gte", 300, True),
        ("gte", 299, False),
    ],
)
def test_the_four_operators(op: str, metric: float, met: bool) -> None:
    sli = ThresholdSli(Query("x"), op, 300.0)  # type: ignore[arg-type]
    assert sli.met(metric) is met
    assert " bool 300.0" in sli.sample()


def test_the_sample_is_one_series_the_worst_of_the_query() -> None:
    sli = ThresholdSli(Query("latency_p99{job='api'}"), "lte", 0.3)
    assert sli.sample() == "min(\n  (latency_p99{job='api'}) <= bool 0.3\n)"


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        pytest.param(
            "target: 0.99\n      op: eq\n      value: 3\n      timeSliceWindow: 5m",
            "slo.yaml:25: spec.objectives[0].op: Input should be 'lt', 'lte', 'gt' or 'gte'",
            id="unknown op",
        ),
        pytest.param(
            "target: 0.99\n      timeSliceWindow: 5m",
            "slo.yaml:24: spec.objectives[0]: a thresholdMetric SLI needs op (lt, lte, gt or "
            "gte) and value on each objective",
            id="no op and value",
        ),
        pytest.param(
            "target: 0.99\n      op: lte\n      value: .nan\n      timeSliceWindow: 5m",
            "slo.yaml:26: spec.objectives[0].value: Input should be a finite number",
            id="value not a number",
        ),
        pytest.param(
            "target: 0.99\n      op: lte\n      value: 1000",
            "slo.yaml:24: spec.objectives[0]: budgetingMethod Timeslices needs timeSliceWindow",
            id="time slices without a slice length",
        ),
    ],
)
def test_bad_thresholds_are_reported_where_they_are(
    tmp_path: Path, objective: str, expected: str
) -> None:
    result = load_text(tmp_path, threshold(objective=objective))
    found = problems(result, tmp_path)
    assert any(p.startswith(expected) for p in found), found
    assert result.slos == []


def test_op_and_value_on_a_ratio_sli_are_an_error_not_ignored(tmp_path: Path) -> None:
    from tests.unit.slos.test_specs import openslo

    result = load_text(tmp_path, openslo(objective="target: 0.99\n      op: lt\n      value: 1"))
    assert problems(result, tmp_path) == [
        "slo.yaml:29: spec.objectives[0].op: op and value are the threshold of a "
        "thresholdMetric SLI; a ratioMetric SLI has none (its target is the share of good events)"
    ]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("worker_queue_depth[5m]", "must return an instant vector"),
        ("scalar(worker_queue_depth)", "must return an instant vector"),
        ("max(worker_queue_depth", "invalid PromQL"),
        ("rate(x[{{.range}}])", "unknown template placeholder"),
    ],
)
def test_queries_that_cannot_be_compared_with_a_threshold(
    tmp_path: Path, query: str, words: str
) -> None:
    result = load_text(tmp_path, threshold(query=query))
    assert [p.field for p in result.errors] == ["query"]
    assert words in result.errors[0].message


def test_a_gauge_without_a_range_is_fine(tmp_path: Path) -> None:
    assert load_text(tmp_path, threshold(query="worker_queue_depth")).problems == []


def test_threshold_slices_are_measured_so_no_occurrences_warning(tmp_path: Path) -> None:
    (slo,) = load_text(tmp_path, threshold()).slos
    assert not any("occurrences" in w for w in warnings_for(slo))


def threshold_slo(tmp_path: Path, budgeting: str, objective: str) -> Slo:
    (slo,) = load_text(tmp_path, threshold(budgeting=budgeting, objective=objective)).slos
    return slo


def test_occurrences_count_each_sample_as_an_event(tmp_path: Path) -> None:
    slo = threshold_slo(tmp_path, "Occurrences", "target: 0.99\n      op: lte\n      value: 1000")
    assert threshold_ratio(slo, timedelta(hours=1)) == (
        "1 - avg_over_time(ninefold_slo:threshold_met:bool"
        '{ninefold_service="worker", ninefold_slo="queue"}[1h])'
    )


def test_timeslices_count_slices_that_reach_the_slice_target(tmp_path: Path) -> None:
    slo = threshold_slo(
        tmp_path,
        "Timeslices",
        "target: 0.99\n      op: lte\n      value: 1000\n      timeSliceWindow: 5m\n"
        "      timeSliceTarget: 0.8",
    )
    met = 'ninefold_slo:threshold_met:bool{ninefold_service="worker", ninefold_slo="queue"}'
    assert threshold_ratio(slo, timedelta(days=30)) == (
        f"1 - avg_over_time(\n  (avg_over_time({met}[5m]) >= bool 0.8)[30d:5m]\n)"
    )


def test_ratio_timeslices_average_the_share_of_good_samples(tmp_path: Path) -> None:
    slo = threshold_slo(
        tmp_path,
        "RatioTimeslices",
        "target: 0.99\n      op: lte\n      value: 1000\n      timeSliceWindow: 10m",
    )
    assert threshold_ratio(slo, timedelta(hours=6)).endswith("[10m])[6h:10m]\n)")
    assert ">= bool" not in threshold_ratio(slo, timedelta(hours=6))


def test_the_rules_record_the_sample_then_every_window(tmp_path: Path) -> None:
    slo = threshold_slo(tmp_path, "Occurrences", "target: 0.99\n      op: lte\n      value: 1000")
    sli, _, alerts = rule_groups(slo)
    records = [r["record"] for r in sli["rules"]]
    assert records[0] == "ninefold_slo:threshold_met:bool"
    assert records[1:] == [
        f"ninefold_slo:error_ratio:rate{w}"
        for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
    ]
    assert "ninefold_slo:bad_events:rate5m" not in records
    assert [r["alert"] for r in alerts["rules"]][-1] == "WorkerQueueErrorBudgetBurnSLIMissing"


@pytest.mark.parametrize(
    ("op", "value", "breached", "good"),
    [("lte", 1000.0, 1500.0, 500.0), ("gt", 0.0, -1.0, 1.0), ("gte", -4.0, -6.0, -2.0)],
)
def test_the_generated_gauge_breaches_or_meets_the_threshold(
    tmp_path: Path, op: str, value: float, breached: float, good: float
) -> None:
    slo = threshold_slo(
        tmp_path, "Occurrences", f"target: 0.99\n      op: {op}\n      value: {value}"
    )
    ((labels, bad_values),) = threshold_series(slo, breached=True)
    ((_, good_values),) = threshold_series(slo, breached=False)
    assert labels == {"__name__": "worker_queue_depth", "job": "worker"}
    assert (bad_values, good_values) == (f"{breached!r}+0x180", f"{good!r}+0x180")


def test_a_breach_pages_and_tickets_in_the_generated_test(tmp_path: Path) -> None:
    slo = threshold_slo(tmp_path, "Occurrences", "target: 0.99\n      op: lte\n      value: 1000")
    tests = promtool_test_file(slo, "rules.yaml")["tests"]
    breach, quiet = tests
    assert breach["name"] == "worker/queue: a breached threshold pages (burn rate 100)"
    fired = [
        a["exp_labels"]["ninefold_severity"] for a in breach["alert_rule_test"][0]["exp_alerts"]
    ]
    assert fired == ["page", "ticket"]
    assert quiet["alert_rule_test"][0]["exp_alerts"] == []


def test_a_query_that_cannot_be_fed_chosen_values_gets_no_generated_test(tmp_path: Path) -> None:
    query = "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))"
    (slo,) = load_text(
        tmp_path,
        threshold(
            query=query,
            budgeting="Occurrences",
            objective="target: 0.99\n      op: lt\n      value: 0.3",
        ),
    ).slos
    with pytest.raises(CannotSynthesize, match="not one series selector"):
        promtool_test_file(slo, "rules.yaml")


def test_status_counts_good_samples_and_slices(tmp_path: Path) -> None:
    """Twenty minutes of samples, 1 = threshold met: 5-minute slices with a slice target of 0.8
    are good with 4 or 5 good samples. Slices: [1,1,1,1,0] good, [1,0,0,1,1] bad,
    [1,1,1,1,1] good, [0,0,0,0,0] bad -> 2 of 4 slices; as occurrences 12 of 20 samples."""
    met = np.array([1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    timestamps = NOW.timestamp() - 60 * np.arange(19, -1, -1)
    sliced = threshold_slo(
        tmp_path,
        "Timeslices",
        "target: 0.5\n      op: lte\n      value: 1000\n      timeSliceWindow: 5m\n"
        "      timeSliceTarget: 0.8",
    )
    found = status(sliced, timestamps, met, np.ones_like(met), NOW)
    assert (found.slices_with_data, found.good_slices, found.bad_slices) == (4, 2.0, 2.0)
    assert found.attainment == 0.5
    events = threshold_slo(tmp_path, "Occurrences", "target: 0.5\n      op: lte\n      value: 1")
    assert status(events, timestamps, met, np.ones_like(met), NOW).attainment == 12 / 20


def test_an_event_file_cannot_hold_a_threshold_metric(tmp_path: Path) -> None:
    from ninefold.errors import Invalid
    from ninefold.slos.core.select import select

    slo = threshold_slo(tmp_path, "Occurrences", "target: 0.99\n      op: lte\n      value: 1000")
    with pytest.raises(Invalid, match="is a threshold SLO"):
        select([slo], None, events=True)
    assert select([slo], None, events=False) == [slo]
