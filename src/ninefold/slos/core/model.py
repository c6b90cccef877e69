"""The SLO model every spec format normalises into, with its default alert conditions.
Pure: no I/O. The budget and burn-rate arithmetic is `core.budget`'s."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from ninefold.slos.core.budget import burn_factor, error_budget

Severity = Literal["page", "ticket"]
Budgeting = Literal["Occurrences", "Timeslices", "RatioTimeslices"]
ThresholdOp = Literal["lt", "lte", "gt", "gte"]

# OpenSLO's threshold operators as PromQL comparisons.
PROMQL_OPS: dict[ThresholdOp, str] = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

WINDOW_PLACEHOLDER = "{{.window}}"

# How often a threshold SLI is sampled: every minute, the metric meets its threshold or not.
SAMPLE_STEP = timedelta(minutes=1)

# Windows every SLO records its error ratio over: the short and long windows of the default
# alerts, plus the SLO period (added per SLO).
SLI_WINDOWS = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(days=1),
    timedelta(days=3),
)


def prometheus_duration(value: timedelta) -> str:
    """`timedelta(days=30)` -> "30d", `timedelta(minutes=90)` -> "90m": the largest whole unit."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Query:
    """A PromQL query of an SLI: a counter selector (`counter`) or a query over `{{.window}}`."""

    text: str
    counter: bool = False

    def at(self, window: timedelta) -> str:
        span = prometheus_duration(window)
        if self.counter:
            return f"sum(rate({self.text}[{span}]))"
        return self.text.replace(WINDOW_PLACEHOLDER, span)


@dataclass(frozen=True)
class EventsSli:
    """A ratio of event counts: `part` counts bad events, or good ones when `part_is_good`
    (then bad = total - good)."""

    part: Query
    total: Query
    part_is_good: bool = False

    def bad_rate(self, window: timedelta) -> str:
        if self.part_is_good:
            return f"({self.total.at(window)}) - ({self.part.at(window)})"
        return self.part.at(window)

    def total_rate(self, window: timedelta) -> str:
        return self.total.at(window)

    def error_ratio(self, window: timedelta) -> str:
        return f"({self.bad_rate(window)})\n/\n({self.total_rate(window)})"


@dataclass(frozen=True)
class RawSli:
    """A query that returns the ratio itself over `{{.window}}`: the error ratio, or the good
    ratio when `good` is set (OpenSLO's `rawType: success`)."""

    ratio: Query
    good: bool = False

    def error_ratio(self, window: timedelta) -> str:
        query = self.ratio.at(window)
        return f"1 - ({query})" if self.good else query


@dataclass(frozen=True)
class ThresholdSli:
    """A metric that must meet a threshold (OpenSLO's `thresholdMetric` with an objective's
    `op` and `value`): a latency percentile under 300 ms, a queue shorter than 1,000.

    The metric is sampled once a minute (`SAMPLE_STEP`; `{{.window}}` in the query is that
    minute), and a sample is good when `query op value` holds for every series the query
    returns. Each sample is an event for Occurrences budgeting; with Timeslices a slice is good
    when the share of good samples in it reaches the slice target.
    """

    query: Query
    op: ThresholdOp
    value: float

    def sample(self) -> str:
        """1 where the threshold is met, 0 where it is not: one series, whatever the query
        returns (the worst of its series)."""
        query = self.query.at(SAMPLE_STEP)
        return f"min(\n  ({query}) {PROMQL_OPS[self.op]} bool {self.value!r}\n)"

    def met(self, metric: float) -> bool:
        """Whether one value of the metric meets the threshold."""
        return {
            "lt": metric < self.value,
            "lte": metric <= self.value,
            "gt": metric > self.value,
            "gte": metric >= self.value,
        }[self.op]


@dataclass(frozen=True)
class Component:
    """One SLI of a composite SLO, recorded as an SLO of its own (`slo`, whose alerts are off:
    the composite alerts), and its share of the composite: `weight`, normalised so that the
    weights of a composite sum to 1."""

    slo: Slo
    weight: float


@dataclass(frozen=True)
class CompositeSli:
    """OpenSLO's composite SLO: objectives that each carry their own indicator and a
    `compositeWeight`. The composite's error ratio over any window is the weighted sum of its
    components' error ratios, and its objective the weighted sum of their objectives, so its
    budget is the weighted sum of theirs.

    Example: latency (weight 3, 99%) and availability (weight 1, 99.9%) weigh 0.75 and 0.25;
    the composite's objective is 0.75 x 0.99 + 0.25 x 0.999 = 99.225%, and a 4% latency error
    ratio alone makes a composite error ratio of 3%, burning its 0.775% budget at 3.87.
    """

    components: tuple[Component, ...]

    def error_ratio(self, ratios: tuple[float, ...]) -> float:
        """The composite's error ratio from its components' (in component order)."""
        return sum(c.weight * r for c, r in zip(self.components, ratios, strict=True))


def normalised(weights: tuple[float, ...]) -> tuple[float, ...]:
    """Weights scaled to sum to 1: (3, 1) -> (0.75, 0.25). Every weight must be positive."""
    if not weights or any(not w > 0 or w == float("inf") for w in weights):
        raise ValueError(f"weights must be positive and finite, not {weights}")
    total = math.fsum(weights)
    return tuple(w / total for w in weights)


def composite_objective(components: tuple[Component, ...]) -> float:
    """The weighted objective of a composite: 0.75 x 0.99 + 0.25 x 0.999 = 0.99225."""
    return round(math.fsum(c.weight * c.slo.objective for c in components), 12)


Sli = EventsSli | RawSli | ThresholdSli | CompositeSli


@dataclass(frozen=True)
class Rolling:
    duration: timedelta

    @property
    def nominal(self) -> timedelta:
        return self.duration


CALENDAR_UNITS = {"week": 7, "month": 30, "quarter": 90, "year": 365}


@dataclass(frozen=True)
class Calendar:
    """A window aligned to the calendar in a time zone. Prometheus rules cannot align to
    calendar months, so rules use the unit's nominal length (`nominal`); the status reports
    compute the exact calendar window."""

    unit: Literal["week", "month", "quarter", "year"]
    time_zone: str = "UTC"

    @property
    def nominal(self) -> timedelta:
        return timedelta(days=CALENDAR_UNITS[self.unit])


Window = Rolling | Calendar


@dataclass(frozen=True)
class BurnCondition:
    """Alert when the burn rate exceeds `factor` over both the long and the short window.

    The short window makes the alert reset soon after the errors stop (the long window alone
    would keep it firing for as long as the bad minutes stay in it).
    """

    severity: Severity
    long: timedelta
    short: timedelta
    factor: float


# The SRE workbook's multiwindow, multi-burn-rate alerts, as shares of the budget spent in
# the long window: page when 2% of the budget goes in 1 hour or 5% in 6 hours, ticket when
# 10% goes in a day or in 3 days.
WORKBOOK_CONDITIONS: tuple[tuple[Severity, timedelta, timedelta, float], ...] = (
    ("page", timedelta(hours=1), timedelta(minutes=5), 0.02),
    ("page", timedelta(hours=6), timedelta(minutes=30), 0.05),
    ("ticket", timedelta(days=1), timedelta(hours=2), 0.10),
    ("ticket", timedelta(days=3), timedelta(hours=6), 0.10),
)


def default_conditions(period: timedelta) -> tuple[BurnCondition, ...]:
    return tuple(
        BurnCondition(severity, long, short, burn_factor(share, period, long))
        for severity, long, short, share in WORKBOOK_CONDITIONS
    )


@dataclass(frozen=True)
class AlertTier:
    enabled: bool = True
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RuleOptions:
    """How an SLO's rules are written beyond what the SLO itself says, as Sloth's SLO plugins
    set them (`slos.spec.sloth_plugins`): extra labels on the SLO's info series, evaluation
    intervals of its rule groups (None: Prometheus' global one), and error ratios corrected
    by the window's share of the period's traffic (Sloth's denominator-corrected rules)."""

    info_labels: tuple[tuple[str, str], ...] = ()
    sli_interval: timedelta | None = None
    meta_interval: timedelta | None = None
    alert_interval: timedelta | None = None
    traffic_corrected: bool = False


@dataclass(frozen=True)
class Alerting:
    name: str
    conditions: tuple[BurnCondition, ...]
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    page: AlertTier = AlertTier()
    ticket: AlertTier = AlertTier()

    def tier(self, severity: Severity) -> AlertTier:
        return self.page if severity == "page" else self.ticket


@dataclass(frozen=True)
class Slo:
    service: str
    name: str
    objective: float
    window: Window
    sli: Sli
    alerting: Alerting
    description: str = ""
    budgeting: Budgeting = "Occurrences"
    timeslice: timedelta | None = None
    timeslice_target: float | None = None
    labels: tuple[tuple[str, str], ...] = ()
    # How an event file of this SLO reads (`--events`): option name (`status-column`) and value,
    # from the spec's `ninefold.dev/events-*` annotations; the command line overrides them.
    event_columns: tuple[tuple[str, str], ...] = ()
    file: str = ""
    line: int = 0
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # The name and namespace of the PrometheusRule its rules go into, when its spec was a
    # Kubernetes object (Sloth's PrometheusServiceLevel); None: named after the service.
    rule_object: tuple[str, str] | None = None
    rule_options: RuleOptions = RuleOptions()

    @property
    def budget(self) -> float:
        """The error budget as a ratio: 0.001 for a 99.9% objective."""
        return error_budget(self.objective)

    @property
    def period(self) -> timedelta:
        return self.window.nominal

    @property
    def slice_target(self) -> float:
        """The share a time slice must reach to be good: OpenSLO's timeSliceTarget, or the
        objective when the spec gives none."""
        return self.timeslice_target if self.timeslice_target is not None else self.objective

    @property
    def components(self) -> tuple[Component, ...]:
        """The components of a composite SLO; none for any other."""
        return self.sli.components if isinstance(self.sli, CompositeSli) else ()


def warnings_for(slo: Slo) -> list[str]:
    """Settings that are valid but cannot work as the author expects."""
    found = []
    for component in slo.components:
        found += [
            f"component {component.slo.name}: {warning}"
            for warning in (*_sli_warnings(component.slo), *_slice_warnings(component.slo))
        ]
    found += _sli_warnings(slo)
    for condition in slo.alerting.conditions:
        where = f"{condition.severity} alert over {prometheus_duration(condition.long)}"
        if condition.factor * slo.budget >= 1:
            found.append(
                f"{where}: burn factor {condition.factor:g} x budget {slo.budget:g} >= 1, "
                "so the error ratio can never exceed it and the alert never fires"
            )
        for window in (condition.long, condition.short):
            if window > slo.period:
                found.append(
                    f"{where}: window {prometheus_duration(window)} is longer than the SLO "
                    f"period {prometheus_duration(slo.period)}"
                )
    found += _slice_warnings(slo)
    return found


def _sli_warnings(slo: Slo) -> list[str]:
    """Threshold SLIs are measured in time slices; the rules of ratio SLIs in occurrences."""
    if slo.budgeting == "Occurrences" or isinstance(slo.sli, ThresholdSli | CompositeSli):
        return []
    return [
        f"budgetingMethod {slo.budgeting}: the generated Prometheus rules measure "
        "occurrences (bad events / all events), not time slices"
    ]


def _slice_warnings(slo: Slo) -> list[str]:
    found = []
    for condition in slo.alerting.conditions:
        where = f"{condition.severity} alert over {prometheus_duration(condition.long)}"
        if slo.timeslice is not None and slo.timeslice > condition.short:
            found.append(
                f"{where}: time slice {prometheus_duration(slo.timeslice)} is longer than the "
                f"short window {prometheus_duration(condition.short)}, which then never holds "
                "a whole slice"
            )
    return found
