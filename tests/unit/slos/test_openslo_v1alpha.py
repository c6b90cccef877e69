"""OpenSLO v1alpha specs, read as Sloth reads them: an SLO per objective named
`<name>-<index>`, the good/total ratio as its SLI, the period in days, no page or ticket
alerts; and every bad input reported as file:line: field: message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ninefold.slos.core.model import EventsSli, Rolling
from ninefold.slos.spec import loader as specs

ROOT = Path(__file__).parent.parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "openslo-v1alpha" / "checkout.yaml"

# Line numbers matter: the expected problems below point into this text.
SPEC = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: payments
spec:
  service: payments
  budgetingMethod: Occurrences
  timeWindows:
    - count: 30
      unit: Day
      isRolling: true
  objectives:
    - displayName: Charges
      target: 0.999
      ratioMetrics:
        good:
          source: prometheus
          queryType: promql
          query: sum(rate(charges_total{outcome="ok"}[{{.window}}]))
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(charges_total[{{.window}}]))
"""

SECOND_WINDOW = "      isRolling: true\n    - count: 7\n      unit: Day\n"


def load_text(tmp_path: Path, text: str, period: timedelta = timedelta(days=30)) -> specs.SpecSet:
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    return specs.load([path], period=period)


def problems(result: specs.SpecSet, tmp_path: Path) -> list[str]:
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def replaced(old: str, new: str) -> str:
    assert old in SPEC, old
    return SPEC.replace(old, new, 1)


def test_each_objective_of_the_fixture_becomes_an_slo_named_as_sloth_names_it() -> None:
    result = specs.load([FIXTURE])
    assert result.problems == []
    first, second = result.slos
    assert (first.service, first.name, first.objective) == (
        "checkout",
        "checkout-requests-0",
        0.999,
    )
    assert (second.service, second.name, second.objective) == (
        "checkout",
        "checkout-requests-1",
        0.99,
    )
    assert first.window == second.window == Rolling(timedelta(days=28))
    assert first.description == "Checkout requests that succeed, and that succeed fast."
    assert first.budgeting == "Occurrences"
    assert first.labels == ()
    assert first.file.endswith("tests/fixtures/openslo-v1alpha/checkout.yaml")
    assert (first.line, second.line) == (25, 37)


def test_the_sli_is_good_over_total_and_the_error_ratio_their_complement() -> None:
    first, _ = specs.load([FIXTURE]).slos
    assert isinstance(first.sli, EventsSli)
    assert first.sli.part_is_good
    assert first.sli.error_ratio(timedelta(hours=1)) == (
        '((sum(rate(http_requests_total{job="checkout"}[1h])))'
        ' - (sum(rate(http_requests_total{job="checkout",code!~"5.."}[1h]))))'
        '\n/\n(sum(rate(http_requests_total{job="checkout"}[1h])))'
    )


def test_like_sloth_no_page_or_ticket_alerts_but_the_period_scales_the_factors() -> None:
    first, _ = specs.load([FIXTURE]).slos
    assert first.alerting.name == "CheckoutCheckoutRequests0ErrorBudgetBurn"
    assert not first.alerting.page.enabled
    assert not first.alerting.ticket.enabled
    assert [c.factor for c in first.alerting.conditions] == [13.44, 5.6, 2.8, 0.933333]


def test_sloths_own_example_shape_reads_without_budgeting_rolling_or_a_window(
    tmp_path: Path,
) -> None:
    """Sloth's OpenSLO example names no budgetingMethod and no isRolling; without any time
    window Sloth takes its default period, and so does `--period`."""
    text = replaced("  budgetingMethod: Occurrences\n", "").replace("      isRolling: true\n", "")
    (slo,) = load_text(tmp_path, text).slos
    assert slo.window == Rolling(timedelta(days=30))
    start = text.index("  timeWindows:")
    no_window = text[:start] + text[text.index("  objectives:") :]
    (slo,) = load_text(tmp_path, no_window, period=timedelta(days=28)).slos
    assert slo.window == Rolling(timedelta(days=28))
    assert slo.budgeting == "Occurrences"


def test_a_single_objective_still_gets_its_index(tmp_path: Path) -> None:
    (slo,) = load_text(tmp_path, SPEC).slos
    assert slo.name == "payments-0"
    assert slo.line == 13


def test_sloth_source_name_and_incremental_are_accepted(tmp_path: Path) -> None:
    text = replaced("        good:\n", "        incremental: true\n        good:\n").replace(
        "source: prometheus", "source: sloth"
    )
    result = load_text(tmp_path, text)
    assert result.problems == []
    assert [s.name for s in result.slos] == ["payments-0"]


def test_a_threshold_indicator_is_ignored_with_a_warning(tmp_path: Path) -> None:
    text = replaced(
        "  budgetingMethod: Occurrences\n",
        "  budgetingMethod: Occurrences\n  indicator:\n    thresholdMetric:\n"
        "      source: datadog\n      queryType: query\n      query: avg:latency{*}\n",
    )
    result = load_text(tmp_path, text)
    assert problems(result, tmp_path) == [
        "slo.yaml:8: spec.indicator: warning: ignored, as Sloth ignores it: each objective's "
        "ratioMetrics is its SLI"
    ]
    assert len(result.slos) == 1


def test_timeslices_budgeting_is_read_as_occurrences_with_a_warning(tmp_path: Path) -> None:
    """Sloth never looks at budgetingMethod, so a Sloth user's file loads unchanged."""
    text = replaced("budgetingMethod: Occurrences", "budgetingMethod: Timeslices")
    result = load_text(tmp_path, text)
    assert problems(result, tmp_path) == [
        "slo.yaml:7: spec.budgetingMethod: warning: Timeslices is read as Occurrences (good "
        "events / total events), as Sloth reads it; for time slices use openslo/v1"
    ]
    (slo, *_) = result.slos
    assert slo.budgeting == "Occurrences"


def test_a_service_document_is_accepted_and_makes_no_slo(tmp_path: Path) -> None:
    service = (
        "apiVersion: openslo/v1alpha\nkind: Service\nmetadata:\n  name: payments\n"
        "spec:\n  description: Takes the money.\n---\n"
    )
    result = load_text(tmp_path, service + SPEC)
    assert result.problems == []
    assert [s.name for s in result.slos] == ["payments-0"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            replaced("      target: 0.999\n", "      target: 0.999\n      colour: blue\n"),
            ["slo.yaml:15: spec.objectives[0].colour: unknown key"],
            id="unknown key",
        ),
        pytest.param(
            replaced("    - count: 30\n", "    - count: 30\n      start: now\n"),
            ["slo.yaml:10: spec.timeWindows[0].start: unknown key"],
            id="unknown key in a time window",
        ),
        pytest.param(
            replaced("target: 0.999", "target: 99.9"),
            [
                "slo.yaml:14: spec.objectives[0].target: target is a ratio strictly between "
                "0 and 1 (0.999 for 99.9%), not 99.9"
            ],
            id="target in percent",
        ),
        pytest.param(
            replaced("target: 0.999", "target: 0"),
            [
                "slo.yaml:14: spec.objectives[0].target: target is a ratio strictly between "
                "0 and 1 (0.999 for 99.9%), not 0"
            ],
            id="target at 0",
        ),
        pytest.param(
            replaced("      target: 0.999\n", ""),
            ["slo.yaml:13: spec.objectives[0].target: Field required"],
            id="no target",
        ),
        pytest.param(
            replaced(
                'sum(rate(charges_total{outcome="ok"}[{{.window}}]))',
                'sum(rate(charges_total{outcome="ok"}[{{.window}}])',
            ),
            [
                "slo.yaml:19: spec.objectives[0].ratioMetrics.good.query: invalid PromQL: "
                "unclosed left parenthesis in "
                "'sum(rate(charges_total{outcome=\"ok\"}[5m])'"
            ],
            id="invalid PromQL",
        ),
        pytest.param(
            replaced("sum(rate(charges_total[{{.window}}]))", "charges_total"),
            [
                "slo.yaml:23: spec.objectives[0].ratioMetrics.total.query: query has no range: "
                "write it over {{.window}}, which is replaced by each window, "
                "e.g. sum(rate(http_requests_total[{{.window}}]))"
            ],
            id="query without a range",
        ),
        pytest.param(
            replaced("[{{.window}}]))\n        total", "[{{.windows}}]))\n        total"),
            [
                "slo.yaml:19: spec.objectives[0].ratioMetrics.good.query: unknown template "
                "placeholder; only {{.window}} is replaced"
            ],
            id="unknown placeholder",
        ),
        pytest.param(
            replaced("      isRolling: true\n", SECOND_WINDOW),
            [
                "slo.yaml:8: spec.timeWindows: 2 time windows: Sloth reads exactly one "
                "(or none, for --period)"
            ],
            id="two time windows",
        ),
        pytest.param(
            replaced("unit: Day", "unit: Week"),
            [
                "slo.yaml:10: spec.timeWindows[0].unit: unit 'Week' is not supported; Sloth "
                "reads periods in days: unit: Day with a count, e.g. 30"
            ],
            id="weeks",
        ),
        pytest.param(
            replaced("isRolling: true", "isRolling: false"),
            [
                "slo.yaml:11: spec.timeWindows[0].isRolling: calendar-aligned windows are not "
                "supported in openslo/v1alpha; use isRolling: true, or openslo/v1 for a "
                "calendar month, quarter or year"
            ],
            id="calendar window",
        ),
        pytest.param(
            replaced("count: 30", "count: 0"),
            ["slo.yaml:9: spec.timeWindows[0].count: Input should be greater than 0"],
            id="empty window",
        ),
        pytest.param(
            replaced("source: prometheus", "source: datadog"),
            [
                "slo.yaml:17: spec.objectives[0].ratioMetrics.good.source: source 'datadog' "
                "is not supported; use prometheus"
            ],
            id="another source",
        ),
        pytest.param(
            replaced("queryType: promql", "queryType: metricsql"),
            [
                "slo.yaml:18: spec.objectives[0].ratioMetrics.good.queryType: queryType "
                "'metricsql' is not supported; use promql"
            ],
            id="another query type",
        ),
        pytest.param(
            SPEC[: SPEC.index("      ratioMetrics:")],
            [
                "slo.yaml:13: spec.objectives[0]: no ratioMetrics: each objective needs good "
                "and total queries (Sloth reads no other SLI)"
            ],
            id="no ratioMetrics",
        ),
        pytest.param(
            SPEC[: SPEC.index("  objectives:")] + "  objectives: []\n",
            ["slo.yaml:12: spec.objectives: no objectives: each objective becomes an SLO"],
            id="no objectives",
        ),
        pytest.param(
            replaced("kind: SLO", "kind: SLI"),
            ["slo.yaml:2: kind: unknown OpenSLO v1alpha kind 'SLI'; one of SLO, Service"],
            id="a v1 kind",
        ),
    ],
)
def test_bad_specs_are_reported_where_they_are(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    result = load_text(tmp_path, text)
    assert problems(result, tmp_path) == expected
    assert result.slos == []


def test_two_specs_naming_the_same_slo_point_at_the_first(tmp_path: Path) -> None:
    result = load_text(tmp_path, SPEC + "---\n" + SPEC)
    assert problems(result, tmp_path) == [
        "slo.yaml:37: name: duplicate SLO 'payments-0' of service 'payments'; "
        "first defined at slo.yaml:13"
    ]


def test_an_unknown_header_names_v1alpha_among_the_formats(tmp_path: Path) -> None:
    result = load_text(tmp_path, "apiVersion: openslo/v2\nkind: SLO\n")
    assert problems(result, tmp_path) == [
        "slo.yaml:1: apiVersion: not an SLO spec: expected apiVersion: openslo/v1, "
        "openslo/v1alpha or sloth.slok.dev/v1, or version: prometheus/v1"
    ]
