"""OpenSLO v1 (`apiVersion: openslo/v1`): the schemas of its kinds and their conversion into
the SLO model. Kinds: SLO, SLI, AlertPolicy, AlertCondition, Service, DataSource."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ninefold.slos.spec.durations import calendar_unit, parse_duration
from ninefold.spec import Spec, TimeZone

API_VERSION = "openslo/v1"
DurationText = Annotated[str, Field(pattern=r"^\d+[smhdwMQY]$")]


def _check_duration(value: str) -> str:
    if calendar_unit(value) is None:
        parse_duration(value)
    return value


class Metadata(Spec):
    name: str = Field(min_length=1, max_length=100)
    displayName: str = ""
    labels: dict[str, str | list[str]] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class MetricSource(Spec):
    type: str = "Prometheus"
    metricSourceRef: str | None = None
    spec: dict[str, Any]

    @model_validator(mode="after")
    def _prometheus_query(self) -> MetricSource:
        if self.type.lower() != "prometheus":
            raise ValueError(f"metric source type {self.type!r} is not supported; use Prometheus")
        if not isinstance(self.spec.get("query"), str) or not self.spec["query"].strip():
            raise ValueError("a Prometheus metric source needs spec.query")
        return self

    @property
    def query(self) -> str:
        return str(self.spec["query"]).strip()


class MetricRef(Spec):
    metricSource: MetricSource


class RatioMetric(Spec):
    counter: bool = False
    good: MetricRef | None = None
    bad: MetricRef | None = None
    total: MetricRef | None = None
    raw: MetricRef | None = None
    rawType: Literal["success", "failure"] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> RatioMetric:
        if self.raw is not None:
            if self.good or self.bad or self.total:
                raise ValueError("raw excludes good, bad and total")
            if self.rawType is None:
                raise ValueError("raw needs rawType: success or failure")
            return self
        if self.total is None or (self.good is None) == (self.bad is None):
            raise ValueError("ratioMetric needs total with exactly one of good or bad, or raw")
        return self


class ThresholdMetric(Spec):
    metricSource: MetricSource


class SliSpec(Spec):
    description: str = ""
    ratioMetric: RatioMetric | None = None
    thresholdMetric: ThresholdMetric | None = None

    @model_validator(mode="after")
    def _one_metric(self) -> SliSpec:
        if (self.ratioMetric is None) == (self.thresholdMetric is None):
            raise ValueError("an SLI has exactly one of ratioMetric or thresholdMetric")
        return self


class InlineSli(Spec):
    metadata: Metadata
    spec: SliSpec


class CalendarSpec(Spec):
    startTime: str
    timeZone: TimeZone = "UTC"


class TimeWindow(Spec):
    duration: DurationText
    isRolling: bool = True
    calendar: CalendarSpec | None = None

    @model_validator(mode="after")
    def _valid(self) -> TimeWindow:
        _check_duration(self.duration)
        if not self.isRolling and calendar_unit(self.duration) is None:
            raise ValueError("a calendar-aligned window is 1w, 1M, 1Q or 1Y")
        if self.isRolling and calendar_unit(self.duration) not in (None, "week"):
            raise ValueError(f"a rolling window cannot be {self.duration}; use days, e.g. 30d")
        return self


class Objective(Spec):
    displayName: str = ""
    # A thresholdMetric SLI is good while `metric op value` holds.
    op: Literal["lt", "lte", "gt", "gte"] | None = None
    value: float | None = Field(default=None, allow_inf_nan=False)
    target: float | None = Field(default=None, gt=0, lt=1)
    targetPercent: float | None = Field(default=None, gt=0, lt=100)
    timeSliceTarget: float | None = Field(default=None, gt=0, le=1)
    timeSliceWindow: DurationText | None = None
    # A composite SLO: each objective has its own indicator, weighed by compositeWeight.
    indicator: InlineSli | None = None
    indicatorRef: str | None = None
    compositeWeight: float | None = None

    @field_validator("compositeWeight")
    @classmethod
    def _positive_weight(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < float("inf"):
            raise ValueError(
                f"must be a number greater than 0, not {value:g}: the weights of a composite "
                "are its components' shares (normalised to sum to 1)"
            )
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Objective:
        if (self.target is None) == (self.targetPercent is None):
            raise ValueError("an objective has exactly one of target or targetPercent")
        if self.timeSliceWindow is not None:
            _check_duration(self.timeSliceWindow)
        if self.indicator is not None and self.indicatorRef is not None:
            raise ValueError("an objective has one of indicator or indicatorRef, not both")
        return self

    @property
    def composite(self) -> bool:
        """Whether the objective carries its own indicator (a component of a composite)."""
        return self.indicator is not None or self.indicatorRef is not None

    @property
    def ratio(self) -> float:
        if self.target is not None:
            return self.target
        assert self.targetPercent is not None  # noqa: S101 (guaranteed by _one_target)
        return round(self.targetPercent / 100, 12)


class SloSpec(Spec):
    description: str = ""
    service: str = Field(min_length=1)
    indicator: InlineSli | None = None
    indicatorRef: str | None = None
    timeWindow: list[TimeWindow] = Field(min_length=1, max_length=1)
    budgetingMethod: Literal["Occurrences", "Timeslices", "RatioTimeslices"]
    objectives: list[Objective] = Field(min_length=1)
    alertPolicies: list[str | AlertPolicyInline] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_indicator(self) -> SloSpec:
        # A composite (objectives with their own indicators) is checked where its parts are
        # resolved, with the line of each part.
        composite = any(o.composite for o in self.objectives)
        if not composite and (self.indicator is None) == (self.indicatorRef is None):
            raise ValueError("an SLO has exactly one of indicator or indicatorRef")
        return self


class BurnRateCondition(Spec):
    kind: Literal["burnrate"]
    op: Literal["gt", "gte"] = "gte"
    threshold: float = Field(gt=0)
    lookbackWindow: DurationText
    alertAfter: DurationText

    @model_validator(mode="after")
    def _durations(self) -> BurnRateCondition:
        parse_duration(self.lookbackWindow)
        parse_duration(self.alertAfter)
        return self


class AlertConditionSpec(Spec):
    description: str = ""
    severity: str = Field(min_length=1)
    condition: BurnRateCondition


class InlineCondition(Spec):
    kind: Literal["AlertCondition"]
    metadata: Metadata
    spec: AlertConditionSpec


class ConditionRef(Spec):
    conditionRef: str


class AlertPolicySpec(Spec):
    description: str = ""
    alertWhenNoData: bool = False
    alertWhenResolved: bool = True
    alertWhenBreaching: bool = True
    conditions: list[InlineCondition | ConditionRef] = Field(min_length=1)
    notificationTargets: list[Any] = Field(default_factory=list)


class AlertPolicyInline(Spec):
    kind: Literal["AlertPolicy"]
    metadata: Metadata
    spec: AlertPolicySpec


class Document(Spec):
    apiVersion: Literal["openslo/v1"]
    metadata: Metadata


class SloDoc(Document):
    kind: Literal["SLO"]
    spec: SloSpec


class SliDoc(Document):
    kind: Literal["SLI"]
    spec: SliSpec


class AlertPolicyDoc(Document):
    kind: Literal["AlertPolicy"]
    spec: AlertPolicySpec


class AlertConditionDoc(Document):
    kind: Literal["AlertCondition"]
    spec: AlertConditionSpec


class ServiceSpec(Spec):
    description: str = ""


class ServiceDoc(Document):
    kind: Literal["Service"]
    spec: ServiceSpec = ServiceSpec()


class DataSourceDoc(Document):
    kind: Literal["DataSource"]
    spec: dict[str, Any]


KINDS: dict[str, type[Document]] = {
    "SLO": SloDoc,
    "SLI": SliDoc,
    "AlertPolicy": AlertPolicyDoc,
    "AlertCondition": AlertConditionDoc,
    "Service": ServiceDoc,
    "DataSource": DataSourceDoc,
}


SloSpec.model_rebuild()
