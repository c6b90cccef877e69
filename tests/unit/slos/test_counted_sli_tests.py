"""Generated promtool tests for SLIs that count series meeting a comparison (Sloth's
home-wifi example: `count(satisfaction < 0.75)` of `count(satisfaction)`): which series the
test feeds, and which cases it can keep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ninefold.slos.core.model import (
    Alerting,
    EventsSli,
    Query,
    Rolling,
    Slo,
    default_conditions,
)
from ninefold.slos.generators.promtool_tests import (
    COUNTED_SERIES,
    _counted_cases,
    counted_comparison,
)

PERIOD = timedelta(days=30)


def slo(part: str, total: str, objective: float = 0.95) -> Slo:
    return Slo(
        service="home",
        name="wifi",
        objective=objective,
        window=Rolling(PERIOD),
        sli=EventsSli(part=Query(part), total=Query(total)),
        alerting=Alerting(name="WifiBad", conditions=default_conditions(PERIOD)),
    )


SATISFACTION = (
    "sum_over_time((count(sat{{site='home'}} {op} 0.75))[{{{{.window}}}}:]) or on() vector(0)"
)
TOTAL = "sum_over_time((count(sat{site='home'}))[{{.window}}:])"


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_the_series_fed_meet_or_miss_the_comparison_as_asked(op: str) -> None:
    comparison = counted_comparison(slo(SATISFACTION.format(op=op), TOTAL))
    assert comparison is not None
    assert (comparison.selector.name, comparison.op, comparison.number) == ("sat", op, 0.75)
    check = {
        "<": float.__lt__,
        "<=": float.__le__,
        ">": float.__gt__,
        ">=": float.__ge__,
        "==": float.__eq__,
        "!=": float.__ne__,
    }[op]
    assert check(comparison.value(meeting=True), 0.75)
    assert not check(comparison.value(meeting=False), 0.75)


def test_a_number_on_the_left_reads_the_other_way() -> None:
    comparison = counted_comparison(slo("count(0.75 > sat)", "count(sat)"))
    assert comparison is not None
    assert (comparison.op, comparison.number) == ("<", 0.75)


@pytest.mark.parametrize(
    ("part", "total"),
    [
        ("sum(rate(errors_total[{{.window}}]))", "sum(rate(requests_total[{{.window}}]))"),
        ("count(sat > bool 0.75)", "count(sat)"),
        ("count(other < 0.75)", "count(sat)"),
    ],
    ids=["counters", "a bool comparison", "another series"],
)
def test_other_slis_are_not_counted_comparisons(part: str, total: str) -> None:
    assert counted_comparison(slo(part, total)) is None


def test_cases_keep_the_outcome_their_name_promises_or_are_left_out() -> None:
    relaxed = slo(SATISFACTION.format(op="<"), TOTAL, objective=0.95)
    cases = _counted_cases(relaxed, counted_comparison(relaxed))  # type: ignore[arg-type]
    # 5% budget: 90% failing pages, 20% opens a ticket, none failing fires nothing.
    assert [(c.name, c.error_ratio) for c in cases] == [
        ("a fast burn pages", 0.9),
        ("a slow burn opens a ticket and does not page", 0.2),
        ("an error rate within budget fires nothing", 0.0),
    ]
    assert all(len(c.series) == COUNTED_SERIES for c in cases)
    failing = [values for _, values in cases[1].series].count("0.25+0x180")
    assert failing == 2
    # A 0.1% budget: one series in ten is already a 100x burn, so only the quiet case holds.
    strict = slo(SATISFACTION.format(op="<"), TOTAL, objective=0.999)
    kept = _counted_cases(strict, counted_comparison(strict))  # type: ignore[arg-type]
    assert [c.name for c in kept] == ["an error rate within budget fires nothing"]
