"""Composite SLOs (OpenSLO objectives with their own indicators and weights): the weighted
math, the spec, the rules, and the status."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.errors import Invalid
from ninefold.slos.core.model import (
    Alerting,
    AlertTier,
    Component,
    CompositeSli,
    EventsSli,
    Query,
    Rolling,
    Slo,
    composite_objective,
    default_conditions,
    normalised,
)
from ninefold.slos.core.select import select
from ninefold.slos.core.status import composite_status, status
from ninefold.slos.generators.rules import composite_ratio, rule_groups
from ninefold.slos.sources.prometheus import Counts, composite_counts
from ninefold.slos.sources.report import as_json, report_of
from ninefold.slos.spec import loader as specs

DAY = timedelta(days=1)
NOW = datetime(2024, 6, 12, 12, 0, tzinfo=UTC)


# --- the weighted math --------------------------------------------------------------------


def test_weights_are_normalised_to_sum_to_one() -> None:
    assert normalised((3.0, 1.0)) == (0.75, 0.25)
    assert normalised((2.0,)) == (1.0,)
    assert normalised((0.5, 0.5, 1.0)) == (0.25, 0.25, 0.5)


@given(st.lists(st.floats(min_value=1e-6, max_value=1e6), min_size=1, max_size=8))
def test_normalised_weights_keep_their_proportions_and_sum_to_one(weights: list[float]) -> None:
    found = normalised(tuple(weights))
    assert math.fsum(found) == pytest.approx(1.0)
    assert found[0] / found[-1] == pytest.approx(weights[0] / weights[-1])


@pytest.mark.parametrize("weights", [(1.0, 0.0), (1.0, -2.0), (), (math.inf, 1.0), (math.nan,)])
def test_weights_must_be_positive_and_finite(weights: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="positive and finite"):
        normalised(weights)


def part(name: str, objective: float) -> Slo:
    period = 30 * DAY
    return Slo(
        service="checkout",
        name=f"journey.{name}",
        objective=objective,
        window=Rolling(period),
        sli=EventsSli(
            part=Query(f'{name}_total{{outcome="bad"}}', counter=True),
            total=Query(f"{name}_total", counter=True),
        ),
        alerting=Alerting(
            name=f"CheckoutJourney{name}",
            conditions=default_conditions(period),
            page=AlertTier(enabled=False),
            ticket=AlertTier(enabled=False),
        ),
    )


def composite(*parts: tuple[str, float, float]) -> Slo:
    """A composite of (name, objective, weight) components, weights normalised."""
    weights = normalised(tuple(w for _, _, w in parts))
    components = tuple(
        Component(part(name, objective), weight)
        for (name, objective, _), weight in zip(parts, weights, strict=True)
    )
    return Slo(
        service="checkout",
        name="journey",
        objective=composite_objective(components),
        window=Rolling(30 * DAY),
        sli=CompositeSli(components),
        alerting=Alerting(name="CheckoutJourney", conditions=default_conditions(30 * DAY)),
    )


def test_the_objective_and_error_ratio_are_weighted() -> None:
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    assert slo.objective == 0.99225  # 0.75 x 0.99 + 0.25 x 0.999
    assert slo.budget == 0.00775
    assert isinstance(slo.sli, CompositeSli)
    assert slo.sli.error_ratio((0.04, 0.0)) == pytest.approx(0.03)
    assert slo.sli.error_ratio((0.0, 0.04)) == pytest.approx(0.01)


def minutes(count: int) -> np.ndarray:
    return NOW.timestamp() - 60 * np.arange(count - 1, -1, -1, dtype=np.float64)


def counts(bad_per_minute: list[float], traffic: float = 1000.0) -> tuple[np.ndarray, ...]:
    """A day of minutes at `traffic`, with `bad_per_minute` repeated over it."""
    bad = np.resize(np.asarray(bad_per_minute, dtype=float), 1440)
    total = np.full(1440, traffic)
    return minutes(1440), total - bad, total


def test_a_composite_of_one_component_is_that_component() -> None:
    slo = composite(("latency", 0.99, 5))
    component = slo.components[0].slo
    timestamps, good, total = counts([0, 0, 30, 0, 5])
    alone = status(component, timestamps, good, total, NOW)
    found = composite_status(slo, [alone], NOW)
    assert slo.objective == component.objective
    assert found.attainment == pytest.approx(alone.attainment)
    assert found.budget_remaining == pytest.approx(alone.budget_remaining)
    assert found.minutes_to_exhaustion == pytest.approx(alone.minutes_to_exhaustion)
    for window, burn in alone.burn_by_window.items():
        assert found.burn_by_window[window] == pytest.approx(burn)
    assert composite_ratio(slo, "1h") == (
        '1.0 * ninefold_slo:error_ratio:rate1h{ninefold_service="checkout", '
        'ninefold_slo="journey.latency"}'
    )


def test_the_composite_status_weighs_its_components() -> None:
    """Latency (weight 3 of 4, 99%) fails 2% of a day's requests, availability (1 of 4, 99.9%)
    0.05%: attainment 0.75 x 0.98 + 0.25 x 0.9995 = 0.984875 against 0.99225, an error ratio
    of 0.015125 on a budget of 0.00775: burning at 1.9516 (budget remaining -0.9516)."""
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    latency = status(slo.components[0].slo, *counts([20]), NOW)
    availability = status(slo.components[1].slo, *counts([0.5]), NOW)
    found = composite_status(slo, [latency, availability], NOW)
    assert found.attainment == pytest.approx(0.984875)
    assert found.objective == 0.99225
    assert found.budget_remaining == pytest.approx(1 - 0.015125 / 0.00775)
    assert found.burn_by_window[timedelta(hours=1)] == pytest.approx(0.015125 / 0.00775)
    assert found.period_burn == pytest.approx(0.015125 / 0.00775)
    assert found.components == (latency, availability)
    assert found.good_events == found.total_events == 0.0  # events of different SLIs: not added


def test_a_heavy_component_burns_the_composite_faster_than_a_light_one() -> None:
    slo = composite(("latency", 0.99, 3), ("availability", 0.99, 1))
    failing = status(slo.components[0].slo, *counts([200]), NOW)  # 20% errors
    healthy = status(slo.components[1].slo, *counts([0]), NOW)
    heavy = composite_status(slo, [failing, healthy], NOW)
    light = composite_status(slo, [healthy, replace(failing)], NOW)
    # 0.75 x 20% = 15% and 0.25 x 20% = 5% of requests, on a 1% budget.
    assert heavy.burn_by_window[timedelta(hours=1)] == pytest.approx(15.0)
    assert light.burn_by_window[timedelta(hours=1)] == pytest.approx(5.0)


def test_component_statuses_must_match_the_components() -> None:
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    alone = status(slo.components[0].slo, *counts([0]), NOW)
    with pytest.raises(ValueError, match="2 components needs as many statuses, got 1"):
        composite_status(slo, [alone], NOW)


def test_a_report_reads_the_components_counts() -> None:
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    parts = (Counts(*counts([20])), Counts(*counts([0.5])))
    report = report_of(slo, composite_counts(slo.sli, parts), NOW)  # type: ignore[arg-type]
    assert report.status.attainment == pytest.approx(0.984875)
    data = as_json(report)
    assert (data["good_events"], data["bad_events_left"]) == (None, None)
    assert [(c["slo"], c["weight"]) for c in data["components"]] == [
        ("journey.latency", 0.75),
        ("journey.availability", 0.25),
    ]
    assert data["components"][0]["attainment"] == pytest.approx(0.98)
    # Burning at 1.95 over every window: above the factor 1 of the 3-day ticket only.
    assert [a["severity"] for a in data["alerts_holding"]] == ["ticket"]


def test_combined_counts_sum_to_the_composite_error_ratio_over_the_range() -> None:
    """Latency: 1,000 events a minute, 4% bad; availability: 10,000 a minute, 0.1% bad, and
    a threshold-like component with samples only in some minutes."""
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    latency = Counts(*counts([40]))
    availability = Counts(*counts([10], traffic=10_000))
    combined = composite_counts(slo.sli, (latency, availability))  # type: ignore[arg-type]
    error = 1 - combined.good.sum() / combined.total.sum()
    assert error == pytest.approx(0.75 * 0.04 + 0.25 * 0.001)
    assert combined.components == (latency, availability)
    fallback = status(slo, combined.timestamps, combined.good, combined.total, NOW)
    assert fallback.attainment == pytest.approx(1 - error)


def test_an_event_file_cannot_hold_a_composite() -> None:
    slo = composite(("latency", 0.99, 3), ("availability", 0.999, 1))
    with pytest.raises(Invalid, match="is a composite SLO"):
        select([slo], None, events=True)


# --- the spec -----------------------------------------------------------------------------

COMPONENT = """\
    - displayName: {name}
      target: {target}
      compositeWeight: {weight}
      indicator:
        metadata:
          name: {name}
        spec:
          ratioMetric:
            counter: true
            bad:
              metricSource:
                type: Prometheus
                spec:
                  query: {name}_total{{outcome="bad"}}
            total:
              metricSource:
                type: Prometheus
                spec:
                  query: {name}_total
"""

COMPOSITE = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: journey
  labels:
    team: payments
spec:
  service: checkout
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
"""


def spec(*components: str, head: str = COMPOSITE) -> str:
    return head + "".join(components)


def component(name: str, target: float = 0.99, weight: str = "1") -> str:
    return COMPONENT.format(name=name, target=target, weight=weight)


def load_text(tmp_path: Path, text: str) -> specs.SpecSet:
    path = tmp_path / "slo.yaml"
    path.write_text(dedent(text))
    return specs.load([path])


def problems(result: specs.SpecSet, tmp_path: Path) -> list[str]:
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def test_a_composite_spec_becomes_one_slo_with_weighted_components(tmp_path: Path) -> None:
    text = spec(component("latency", 0.99, "3"), component("availability", 0.999, "1"))
    result = load_text(tmp_path, text)
    assert problems(result, tmp_path) == []
    (slo,) = result.slos
    assert (slo.name, slo.objective) == ("journey", 0.99225)
    assert [(c.slo.name, c.weight, c.slo.objective) for c in slo.components] == [
        ("journey.latency", 0.75, 0.99),
        ("journey.availability", 0.25, 0.999),
    ]
    assert [c.slo.line for c in slo.components] == [14, 33]
    assert slo.alerting.page.enabled
    assert slo.alerting.ticket.enabled
    for part in slo.components:
        assert not part.slo.alerting.page.enabled
        assert not part.slo.alerting.ticket.enabled
        assert part.slo.labels == slo.labels == (("team", "payments"),)
        assert part.slo.alerting.conditions == slo.alerting.conditions


def test_a_weight_left_out_counts_as_one(tmp_path: Path) -> None:
    text = spec(component("latency"), component("availability")).replace(
        "      compositeWeight: 1\n", ""
    )
    (slo,) = load_text(tmp_path, text).slos
    assert [c.weight for c in slo.components] == [0.5, 0.5]


def test_components_may_refer_to_slis_by_name(tmp_path: Path) -> None:
    sli = (
        "apiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: fast\nspec:\n  ratioMetric:\n"
        "    counter: true\n    good:\n      metricSource:\n        spec:\n"
        '          query: latency_bucket{le="0.3"}\n    total:\n      metricSource:\n'
        "        spec:\n          query: latency_count\n---\n"
    )
    text = sli + spec(
        component("availability", 0.999, "1"),
        "    - target: 0.99\n      compositeWeight: 4\n      indicatorRef: fast\n",
    )
    (slo,) = load_text(tmp_path, text).slos
    assert [(c.slo.name, c.weight) for c in slo.components] == [
        ("journey.availability", 0.2),
        ("journey.fast", 0.8),
    ]


@pytest.mark.parametrize(
    ("weight", "line"),
    [("0", 35), ("-2", 35), (".inf", 35)],
)
def test_weights_that_are_not_positive_are_reported_at_their_line(
    tmp_path: Path, weight: str, line: int
) -> None:
    text = spec(component("latency"), component("availability", weight=weight))
    found = problems(load_text(tmp_path, text), tmp_path)
    shown = {"0": "0", "-2": "-2", ".inf": "inf"}[weight]
    assert found == [
        f"slo.yaml:{line}: spec.objectives[1].compositeWeight: must be a number greater "
        f"than 0, not {shown}: the weights of a composite are its components' shares "
        "(normalised to sum to 1)"
    ]


def test_a_composite_with_an_slo_level_indicator_is_refused(tmp_path: Path) -> None:
    head = COMPOSITE.replace("  timeWindow:", "  indicatorRef: requests\n  timeWindow:")
    found = problems(load_text(tmp_path, spec(component("latency"), head=head)), tmp_path)
    assert found == [
        "slo.yaml:9: spec.indicatorRef: a composite SLO (objectives with their own indicator or "
        "indicatorRef) takes every indicator from its objectives: move this one into an objective"
    ]


def test_objectives_without_an_indicator_cannot_mix_with_components(tmp_path: Path) -> None:
    text = spec(component("latency"), "    - target: 0.999\n")
    found = problems(load_text(tmp_path, text), tmp_path)
    assert found == [
        "slo.yaml:33: spec.objectives[1]: every objective of a composite SLO needs its own "
        "indicator or indicatorRef (and a compositeWeight); this one has none"
    ]


def test_a_component_measuring_the_same_sli_twice_is_refused(tmp_path: Path) -> None:
    found = problems(
        load_text(tmp_path, spec(component("latency"), component("latency"))), tmp_path
    )
    assert found == [
        "slo.yaml:33: spec.objectives[1]: objectives 0 and 1 both measure SLI 'latency'; a "
        "composite combines different SLIs"
    ]


def test_an_unknown_component_reference(tmp_path: Path) -> None:
    text = spec("    - target: 0.99\n      indicatorRef: nowhere\n")
    assert problems(load_text(tmp_path, text), tmp_path) == [
        "slo.yaml:15: spec.objectives[0].indicatorRef: no SLI named 'nowhere'"
    ]


def test_both_indicator_and_reference_on_one_objective(tmp_path: Path) -> None:
    text = spec(
        component("latency").replace("      indicator:", "      indicatorRef: x\n      indicator:")
    )
    found = problems(load_text(tmp_path, text), tmp_path)
    assert found == [
        "slo.yaml:14: spec.objectives[0]: an objective has one of indicator or indicatorRef, "
        "not both"
    ]


def test_a_weight_on_a_plain_slo_is_an_error_not_ignored(tmp_path: Path) -> None:
    from tests.unit.slos.test_specs import openslo

    found = problems(
        load_text(tmp_path, openslo(objective="target: 0.99\n      compositeWeight: 2")),
        tmp_path,
    )
    assert found == [
        "slo.yaml:29: spec.objectives[0].compositeWeight: only the objectives of a composite "
        "SLO have weights: give each objective its own indicator or indicatorRef (and no "
        "SLO-level indicator), or remove it"
    ]


def test_a_bad_component_query_is_reported_at_the_component(tmp_path: Path) -> None:
    text = spec(
        component("latency"),
        component("availability").replace("availability_total\n", "availability_total[\n"),
    )
    found = problems(load_text(tmp_path, text), tmp_path)
    assert len(found) == 1
    assert found[0].startswith("slo.yaml:33: query: invalid PromQL")


# --- the rules ----------------------------------------------------------------------------


def test_components_are_recorded_then_the_composite_which_alone_alerts(tmp_path: Path) -> None:
    text = spec(component("latency", 0.99, "3"), component("availability", 0.999, "1"))
    (slo,) = load_text(tmp_path, text).slos
    sli, meta, alerts = rule_groups(slo)
    assert sli["name"] == "ninefold-slo-sli-checkout-journey"
    order = []
    for rule in sli["rules"]:
        name = rule["labels"]["ninefold_slo"]
        if not order or order[-1] != name:
            order.append(name)
    assert order == ["journey.latency", "journey.availability", "journey"]
    one_hour = next(
        r
        for r in sli["rules"]
        if r["labels"]["ninefold_slo"] == "journey"
        and r["record"] == "ninefold_slo:error_ratio:rate1h"
    )
    assert one_hour["expr"] == (
        '0.75 * ninefold_slo:error_ratio:rate1h{ninefold_service="checkout", '
        'ninefold_slo="journey.latency"}\n+ on(ninefold_service)\n'
        '0.25 * ninefold_slo:error_ratio:rate1h{ninefold_service="checkout", '
        'ninefold_slo="journey.availability"}'
    )
    assert one_hour["labels"] == {
        "team": "payments",
        "ninefold_service": "checkout",
        "ninefold_slo": "journey",
    }
    budgets = {
        r["labels"]["ninefold_slo"]: r["expr"]
        for r in meta["rules"]
        if r["record"] == "ninefold_slo:error_budget:ratio"
    }
    assert budgets == {
        "journey.latency": "vector(0.01)",
        "journey.availability": "vector(0.001)",
        "journey": "vector(0.00775)",
    }
    assert {r["labels"]["ninefold_slo"] for r in alerts["rules"]} == {"journey"}
    page = next(r for r in alerts["rules"] if r["labels"].get("ninefold_severity") == "page")
    assert "> (14.4 * 0.00775)" in page["expr"]


def test_a_component_name_taken_by_another_slo_is_a_duplicate(tmp_path: Path) -> None:
    plain = (
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: journey.latency\nspec:\n"
        "  service: checkout\n  indicatorRef: latency\n  timeWindow:\n    - duration: 30d\n"
        "  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n---\n"
        "apiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: latency\nspec:\n"
        "  ratioMetric:\n    counter: true\n    bad:\n      metricSource:\n        spec:\n"
        "          query: slow_total\n    total:\n      metricSource:\n        spec:\n"
        "          query: all_total\n---\n"
    )
    result = load_text(tmp_path, plain + spec(component("latency")))
    assert problems(result, tmp_path) == [
        "slo.yaml:43: name: duplicate SLO 'journey.latency' of service 'checkout'; first "
        "defined at slo.yaml:1"
    ]
    assert [s.name for s in result.slos] == ["journey.latency"]
