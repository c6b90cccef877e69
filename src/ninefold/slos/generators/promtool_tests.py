"""`promtool test rules` files that prove an SLO's alerts: synthetic traffic whose error
ratio is chosen from the SLO's own burn factors, so that a fast burn pages, a slow burn opens
a ticket and never pages, and an error rate within budget fires nothing.

Series are built from the selectors of the SLI queries: labels from their matchers (a value
matching each regular expression), and where bad and total events share a metric, a second
series that only the total query counts.

A threshold SLI whose query is one selector (or a sum, min, max or avg of one) gets a gauge
that breaches the threshold throughout (the alerts fire) or meets it throughout (nothing
fires). A composite gets its components' series: each component failing alone at the
composite's fast-burn error ratio (a heavy component pages, a light one may not), all of them
failing, and none; the expected alerts follow from the weighted error ratio. A case whose
weighted ratio lies within 1% of a threshold is left out rather than left to rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import exrex
import promql_parser

from ninefold.slos.core.budget import burn_rate, error_ratio_at
from ninefold.slos.core.model import SAMPLE_STEP, EventsSli, Slo, ThresholdSli
from ninefold.slos.generators.rules import alert_rules
from ninefold.slos.spec.promql import vector_selectors

TRAFFIC_PER_MINUTE = 100.0
MINUTES = 180
EVAL_TIME = "2h"

Labels = dict[str, str]


class CannotSynthesize(Exception):
    """The SLI's queries are not shaped so that matching input series can be derived."""


@dataclass(frozen=True)
class _Selector:
    name: str
    matchers: tuple[tuple[str, str, str], ...]  # label, op (=, !=, =~, !~), value

    def matches(self, labels: Labels) -> bool:
        if labels.get("__name__") != self.name:
            return False
        for label, op, value in self.matchers:
            actual = labels.get(label, "")
            if op == "=" and actual != value:
                return False
            if op == "!=" and actual == value:
                return False
            if op == "=~" and not re.fullmatch(value, actual):
                return False
            if op == "!~" and re.fullmatch(value, actual):
                return False
        return True


_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


def _selector(text: str) -> _Selector:
    found = vector_selectors(text)
    if len(found) != 1:
        raise CannotSynthesize(f"query has {len(found)} series selectors, not one: {text}")
    node = found[0]
    matchers = []
    name = node.name or ""
    for matcher in node.matchers.matchers:
        op = _OPS.get(str(matcher.op))
        if op is None:
            raise CannotSynthesize(f"unknown matcher {matcher}")
        if matcher.name == "__name__" and op == "=":
            name = matcher.value
        else:
            matchers.append((matcher.name, op, matcher.value))
    if not name:
        raise CannotSynthesize(f"selector without a metric name: {text}")
    return _Selector(name, tuple(sorted(matchers)))


def _satisfying(op: str, value: str) -> str:
    if op == "=":
        return value
    if op == "=~":
        return _matching(value)
    return _failing("=~" if op == "!~" else "=", value)


def _matching(pattern: str) -> str:
    """A value the regular expression matches, preferring plain letters and digits
    (`5..` gives "500", not "5" and two spaces)."""
    first = None
    for count, candidate in enumerate(exrex.generate(pattern)):
        first = first if first is not None else str(candidate)
        if str(candidate).isalnum() or count > 5000:
            return str(candidate) if str(candidate).isalnum() else first
    if first is None:
        raise CannotSynthesize(f"the regular expression {pattern!r} matches nothing")
    return first


def _failing(op: str, value: str) -> str:
    """A label value that does not satisfy `op value`."""
    for candidate in ("200", "ok", "0", "ninefold-synthetic"):
        if (op == "=" and candidate != value) or (
            op == "=~" and not re.fullmatch(value, candidate)
        ):
            return candidate
    raise CannotSynthesize(f"no label value found that fails {op}{value!r}")


def _series_for(selector: _Selector, base: Labels | None = None) -> Labels:
    labels: Labels = {"__name__": selector.name, **(base or {})}
    for label, op, value in selector.matchers:
        if label not in labels:
            labels[label] = _satisfying(op, value)
    if not selector.matches(labels):
        raise CannotSynthesize(f"cannot build one series matching {selector}")
    return labels


def _other_than(part: _Selector, total: _Selector, part_labels: Labels) -> Labels:
    """A series the total query counts and the part query does not."""
    for label, op, value in part.matchers:
        candidate = {**part_labels, label: _failing(op if op in ("=", "=~") else "=", value)}
        if op in ("!=", "!~"):
            candidate[label] = value if op == "!=" else _matching(value)
        if total.matches(candidate) and not part.matches(candidate):
            return candidate
    raise CannotSynthesize(
        "cannot build a series that the total query counts but the part does not"
    )


def input_series(slo: Slo, error_ratio: float) -> list[tuple[Labels, float]]:
    """Counter series and their increase per minute that give `error_ratio`."""
    if not isinstance(slo.sli, EventsSli):
        raise CannotSynthesize("raw SLIs give the ratio directly; write their test by hand")
    five = timedelta(minutes=5)
    part = _selector(slo.sli.part.at(five))
    total = _selector(slo.sli.total.at(five))
    part_share = 1 - error_ratio if slo.sli.part_is_good else error_ratio
    part_labels = _series_for(part)
    if total.matches(part_labels):
        other = _other_than(part, total, part_labels)
        return [
            (part_labels, TRAFFIC_PER_MINUTE * part_share),
            (other, TRAFFIC_PER_MINUTE * (1 - part_share)),
        ]
    return [
        (part_labels, TRAFFIC_PER_MINUTE * part_share),
        (_series_for(total), TRAFFIC_PER_MINUTE),
    ]


def _series_text(labels: Labels) -> str:
    name = labels["__name__"]
    rest = ", ".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in sorted(labels.items())
        if k != "__name__"
    )
    return f"{name}{{{rest}}}"


def scenarios(slo: Slo) -> list[tuple[str, float]]:
    """(name, burn rate) of each case the test proves, chosen from the SLO's factors."""
    pages = [cond.factor for cond in slo.alerting.conditions if cond.severity == "page"]
    tickets = [cond.factor for cond in slo.alerting.conditions if cond.severity == "ticket"]
    every = pages + tickets
    cases = []
    if pages and slo.alerting.page.enabled:
        cases.append(("a fast burn pages", min(burn_rate(1.0, slo.budget), max(pages) * 1.25)))
    if tickets and slo.alerting.ticket.enabled:
        low = min(tickets)
        high = min(pages) if pages and slo.alerting.page.enabled else low * 4
        if low < high:
            cases.append(("a slow burn opens a ticket and does not page", (low + high) / 2))
    if every:
        cases.append(("an error rate within budget fires nothing", min(every) / 2))
    return cases


Series = list[tuple[Labels, str]]  # input series and their values in promtool's notation

# A case is left out when its error ratio is within this share of an alert's threshold.
MARGIN = 0.01


@dataclass(frozen=True)
class Case:
    name: str
    error_ratio: float  # the SLO's error ratio in every window, steady over the test
    series: Series
    exact: bool = False  # expectations strictly from `>`, as the ratio is chosen from factors


def _counter_series(slo: Slo, error_ratio: float) -> Series:
    return [
        (labels, f"0+{per_minute:g}x{MINUTES}")
        for labels, per_minute in input_series(slo, error_ratio)
    ]


_SAME_VALUE = {"sum", "min", "max", "avg"}  # of one series: its value


def threshold_series(slo: Slo, breached: bool) -> Series:
    """A gauge the threshold query reads, breaching the threshold throughout or meeting it.

    Example: `histogram_quantile(...)` cannot be fed a chosen value and is refused; for
    `max(queue_depth{job="worker"})` with `lte 1000`, the gauge is 1500 (breached) or 500.
    """
    sli = slo.sli
    if not isinstance(sli, ThresholdSli):
        raise CannotSynthesize("not a threshold SLI")
    text = sli.query.at(SAMPLE_STEP)
    node = promql_parser.parse(text)
    while isinstance(node, promql_parser.ParenExpr) or (
        isinstance(node, promql_parser.AggregateExpr) and str(node.op) in _SAME_VALUE
    ):
        node = node.expr
    if not isinstance(node, promql_parser.VectorSelector):
        raise CannotSynthesize(
            "a threshold query that is not one series selector (or a sum, min, max or avg of "
            f"one) cannot be given chosen values; write its test by hand: {text}"
        )
    step = abs(sli.value) / 2 or 1.0
    low, high = sli.value - step, sli.value + step
    good, bad = (low, high) if sli.op in ("lt", "lte") else (high, low)
    assert sli.met(good)  # noqa: S101 (op decides which side is good)
    assert not sli.met(bad)  # noqa: S101
    value = bad if breached else good
    return [(_series_for(_selector(text)), f"{value!r}+0x{MINUTES}")]


def _sli_series(slo: Slo, error_ratio: float) -> Series:
    """The SLI's input series at `error_ratio`: threshold SLIs can only fail (1) or not (0)."""
    if isinstance(slo.sli, ThresholdSli):
        return threshold_series(slo, error_ratio > 0)
    return _counter_series(slo, error_ratio)


def _single_cases(slo: Slo) -> list[Case]:
    if isinstance(slo.sli, ThresholdSli):
        return [
            Case("a breached threshold pages", 1.0, threshold_series(slo, True)),
            Case("a met threshold fires nothing", 0.0, threshold_series(slo, False)),
        ]
    comparison = counted_comparison(slo)
    if comparison is not None:
        return _counted_cases(slo, comparison)
    cases = []
    for name, burn in scenarios(slo):
        ratio = min(1.0, error_ratio_at(burn, slo.budget))
        cases.append(Case(name, ratio, _counter_series(slo, ratio), exact=True))
    return cases


# Series of a counted-gauge SLI in a test: few, since its subqueries (`count(...)[3d:]`)
# read every series at every step and promtool stops a query at 50 million samples.
COUNTED_SERIES = 10
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Comparison:
    """`selector op number` in an SLI that counts the series meeting it (Sloth's home-wifi
    example: `count(client_satisfaction < 0.75)` of `count(client_satisfaction)`)."""

    selector: _Selector
    op: str
    number: float

    def value(self, meeting: bool) -> float:
        step = max(abs(self.number), 1.0) / 2
        above, below = self.number + step, self.number - step
        meets = {"<": below, "<=": below, ">": above, ">=": above, "==": self.number}
        misses = {"<": above, "<=": above, ">": below, ">=": below, "==": above}
        if self.op == "!=":
            return above if meeting else self.number
        return meets[self.op] if meeting else misses[self.op]


def counted_comparison(slo: Slo) -> Comparison | None:
    """The comparison of an events SLI whose part counts the series of its total's selector
    that meet `op number`; None for any other SLI."""
    sli = slo.sli
    if not isinstance(sli, EventsSli):
        return None
    five = timedelta(minutes=5)
    part_text, total_text = sli.part.at(five), sli.total.at(five)
    found: list[Comparison] = []

    def visit(node: object) -> bool:
        if not isinstance(node, promql_parser.BinaryExpr) or str(node.op) not in _FLIPPED:
            return True
        if node.modifier is not None and node.modifier.return_bool:
            return True
        lhs, rhs, op = node.lhs, node.rhs, str(node.op)
        if isinstance(lhs, promql_parser.NumberLiteral):
            lhs, rhs, op = rhs, lhs, _FLIPPED[op]
        if isinstance(rhs, promql_parser.NumberLiteral) and not isinstance(
            lhs, promql_parser.NumberLiteral
        ):
            found.append(Comparison(_selector(str(lhs)), op, float(rhs.val)))
        return True

    try:
        promql_parser.walk(promql_parser.parse(part_text), visit)
        total = _selector(total_text)
    except CannotSynthesize:
        return None
    if len(found) != 1 or found[0].selector != total:
        return None
    return found[0]


def _counted_cases(slo: Slo, comparison: Comparison) -> list[Case]:
    """COUNTED_SERIES gauges, as many meeting the comparison as give each case's error
    ratio; a case whose ratio that many series cannot come near enough to keep its outcome
    is left out."""
    assert isinstance(slo.sli, EventsSli)  # noqa: S101 (counted_comparison checked it)
    part_is_good = slo.sli.part_is_good
    cases = []
    for name, burn in scenarios(slo):
        wanted = min(1.0, error_ratio_at(burn, slo.budget))
        failing = round(wanted * COUNTED_SERIES)
        ratio = failing / COUNTED_SERIES
        intended = _firing(slo, Case(name, wanted, [], exact=True), ["page", "ticket"])
        if _firing(slo, Case(name, ratio, []), ["page", "ticket"]) != intended:
            continue
        series: Series = []
        for index in range(COUNTED_SERIES):
            bad = index < failing
            value = comparison.value(meeting=bad != part_is_good)
            labels = _series_for(comparison.selector, {"ninefold_test_series": str(index)})
            series.append((labels, f"{value!r}+0x{MINUTES}"))
        cases.append(Case(name, ratio, series))
    return cases


def _composite_cases(slo: Slo) -> list[Case]:
    """Each component failing alone, all failing, none. A failing events component runs at the
    composite's fast-burn error ratio (1.25 times the highest page factor, in the composite's
    budget); a failing threshold component breaches throughout."""
    pages = [c.factor for c in slo.alerting.conditions if c.severity == "page"]
    fast = min(1.0, error_ratio_at(max([*pages, 1.0]) * 1.25, slo.budget))
    parts = slo.components
    ratios = [1.0 if isinstance(p.slo.sli, ThresholdSli) else fast for p in parts]
    inputs = [
        (_sli_series(p.slo, r), _sli_series(p.slo, 0.0)) for p, r in zip(parts, ratios, strict=True)
    ]
    _check_disjoint(slo, [bad for bad, _ in inputs])

    def case(name: str, failing: set[int]) -> Case:
        series = [s for i, (bad, ok) in enumerate(inputs) for s in (bad if i in failing else ok)]
        ratio = sum(p.weight * ratios[i] for i, p in enumerate(parts) if i in failing)
        return Case(name, ratio, series)

    cases = [case("every component healthy fires nothing", set())]
    for index, part in enumerate(parts):
        cases.append(
            case(
                f"{part.slo.name} (weight {part.weight:.3g}) failing alone at error ratio "
                f"{ratios[index]:g}",
                {index},
            )
        )
    if len(parts) > 1:
        cases.append(case("every component failing", set(range(len(parts)))))
    return cases


def _check_disjoint(slo: Slo, inputs: list[Series]) -> None:
    """Components must not read each other's series, or one's failure would show in another."""
    seen: dict[str, str] = {}
    selectors = [_selectors_of(part.slo) for part in slo.components]
    for index, series in enumerate(inputs):
        for labels, _ in series:
            text = _series_text(labels)
            readers = [
                slo.components[other].slo.name
                for other, found in enumerate(selectors)
                if other != index and any(sel.matches(labels) for sel in found)
            ]
            if text in seen or readers:
                raise CannotSynthesize(
                    f"components share the input series {text}; write the test by hand"
                )
            seen[text] = slo.components[index].slo.name


def _selectors_of(slo: Slo) -> list[_Selector]:
    five = timedelta(minutes=5)
    if isinstance(slo.sli, EventsSli):
        return [_selector(slo.sli.part.at(five)), _selector(slo.sli.total.at(five))]
    if isinstance(slo.sli, ThresholdSli):
        return [_selector(slo.sli.query.at(SAMPLE_STEP))]
    raise CannotSynthesize("raw SLIs give the ratio directly; write their test by hand")


def _firing(slo: Slo, case: Case, severities: list[str]) -> list[str] | None:
    """The severities whose alert the case fires; None when a threshold is too close to call."""
    firing = []
    for severity in severities:
        conditions = [c for c in slo.alerting.conditions if c.severity == severity]
        thresholds = [error_ratio_at(c.factor, slo.budget) for c in conditions]
        if not case.exact and any(abs(case.error_ratio - t) <= MARGIN * t for t in thresholds):
            return None
        if any(case.error_ratio > t for t in thresholds):
            firing.append(severity)
    return firing


def promtool_test_file(
    slo: Slo, rule_file: str, runbook_url: str = "", dashboard_url: str = ""
) -> dict[str, Any]:
    rules = {
        r["labels"].get("ninefold_severity"): r
        for r in alert_rules(slo, runbook_url, dashboard_url)
        if r["alert"] == slo.alerting.name
    }
    cases = _composite_cases(slo) if slo.components else _single_cases(slo)
    tests = []
    for case in cases:
        firing = _firing(slo, case, sorted(rules))
        if firing is None:
            continue
        expected = [
            {
                "exp_labels": {**rules[severity]["labels"]},
                "exp_annotations": {**rules[severity]["annotations"]},
            }
            for severity in firing
        ]
        burn = burn_rate(case.error_ratio, slo.budget)
        tests.append(
            {
                "name": f"{slo.service}/{slo.name}: {case.name} (burn rate {burn:.6g})",
                "interval": "1m",
                "input_series": [
                    {"series": _series_text(labels), "values": values}
                    for labels, values in case.series
                ],
                "alert_rule_test": [
                    {
                        "eval_time": EVAL_TIME,
                        "alertname": slo.alerting.name,
                        "exp_alerts": expected,
                    },
                    {
                        "eval_time": EVAL_TIME,
                        "alertname": f"{slo.alerting.name}SLIMissing",
                        "exp_alerts": [],
                    },
                ],
            }
        )
    if not tests:
        raise CannotSynthesize("every case lies too close to an alert threshold to call")
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}
