"""OpenSLO v1alpha (`apiVersion: openslo/v1alpha`), read as Sloth reads it, so that Sloth
users' v1alpha files work unchanged. Kinds: SLO, and Service (accepted, and it only names a
service).

What Sloth does with a v1alpha SLO, and so do we (`specs._from_openslo_v1alpha`):

- every objective becomes an SLO named `<metadata.name>-<index>` (0, 1, ... in the order
  written), whatever its `displayName`;
- its SLI is the objective's `ratioMetrics`: good and total PromQL queries over `{{.window}}`
  (`incremental`, or `counter` in some v1alpha tooling, is accepted and, as in Sloth, changes
  nothing);
- the period is the one time window, in days (`count: 28, unit: Day`); without one, the
  `--period` flag (30 days by default);
- no page or ticket alerts: v1alpha has no alerting fields and Sloth disables both.

Stricter than Sloth, with the reason in the message: calendar windows and queries that are
not valid PromQL are errors here. Budgeting other than Occurrences is read as Occurrences, as
Sloth reads it, with a warning.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ninefold.slos.core.model import Query
from ninefold.slos.spec.promql import query_error
from ninefold.spec import Spec, TimeZone

API_VERSION = "openslo/v1alpha"
SOURCES = ("prometheus", "sloth")  # Sloth accepts both names for a Prometheus query


class Metadata(Spec):
    name: str = Field(min_length=1, max_length=100)
    displayName: str = ""


class MetricSource(Spec):
    """One query of a ratio: `{source: prometheus, queryType: promql, query: ...}`."""

    source: str
    queryType: str
    query: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source")
    @classmethod
    def _prometheus(cls, value: str) -> str:
        if value.lower() not in SOURCES:
            raise ValueError(f"source {value!r} is not supported; use prometheus")
        return value

    @field_validator("queryType")
    @classmethod
    def _promql(cls, value: str) -> str:
        if value.lower() != "promql":
            raise ValueError(f"queryType {value!r} is not supported; use promql")
        return value

    @field_validator("query")
    @classmethod
    def _valid_query(cls, value: str) -> str:
        text = value.strip()
        if not text:
            raise ValueError("query is empty")
        if "[" not in text and "{{" not in text:
            raise ValueError(
                "query has no range: write it over {{.window}}, which is replaced by each "
                "window, e.g. sum(rate(http_requests_total[{{.window}}]))"
            )
        error = query_error(Query(text))
        if error:
            raise ValueError(error)
        return value


class RatioMetrics(Spec):
    good: MetricSource
    total: MetricSource
    incremental: bool = False
    counter: bool = False


class Objective(Spec):
    displayName: str = ""
    target: float
    value: float | None = None
    op: Literal["lte", "gte", "lt", "gt"] | None = None
    timeSliceTarget: float | None = Field(default=None, gt=0, le=1)
    ratioMetrics: RatioMetrics | None = None

    @field_validator("target")
    @classmethod
    def _ratio(cls, value: float) -> float:
        if not 0 < value < 1:
            raise ValueError(
                f"target is a ratio strictly between 0 and 1 (0.999 for 99.9%), not {value:g}"
            )
        return value

    @model_validator(mode="after")
    def _ratio_sli(self) -> Objective:
        if self.ratioMetrics is None:
            raise ValueError(
                "no ratioMetrics: each objective needs good and total queries "
                "(Sloth reads no other SLI)"
            )
        return self


class CalendarSpec(Spec):
    startTime: str
    timeZone: TimeZone


class TimeWindow(Spec):
    """`{count: 30, unit: Day, isRolling: true}`: the SLO period, rolling, in days."""

    count: int = Field(gt=0)
    unit: str
    isRolling: bool = True
    calendar: CalendarSpec | None = None

    @field_validator("unit")
    @classmethod
    def _days(cls, value: str) -> str:
        if value.lower() != "day":
            raise ValueError(
                f"unit {value!r} is not supported; Sloth reads periods in days: "
                "unit: Day with a count, e.g. 30"
            )
        return value

    @field_validator("isRolling")
    @classmethod
    def _rolling(cls, value: bool) -> bool:
        if not value:
            raise ValueError(
                "calendar-aligned windows are not supported in openslo/v1alpha; use "
                "isRolling: true, or openslo/v1 for a calendar month, quarter or year"
            )
        return value

    @field_validator("calendar")
    @classmethod
    def _no_calendar(cls, value: CalendarSpec | None) -> CalendarSpec | None:
        if value is None:
            return value
        raise ValueError(
            "calendar-aligned windows are not supported in openslo/v1alpha; remove calendar "
            "for a rolling window, or use openslo/v1 for a calendar month, quarter or year"
        )


class SloSpec(Spec):
    description: str = ""
    service: str = Field(min_length=1)
    indicator: dict[str, Any] | None = None
    timeWindows: list[TimeWindow] = Field(default_factory=list)
    budgetingMethod: str = "Occurrences"
    objectives: list[Objective]

    @field_validator("timeWindows")
    @classmethod
    def _one_window(cls, value: list[TimeWindow]) -> list[TimeWindow]:
        if len(value) > 1:
            raise ValueError(
                f"{len(value)} time windows: Sloth reads exactly one (or none, for --period)"
            )
        return value

    @field_validator("objectives")
    @classmethod
    def _ratio_objectives(cls, value: list[Objective]) -> list[Objective]:
        if not value:
            raise ValueError("no objectives: each objective becomes an SLO")
        return value


class Document(Spec):
    apiVersion: Literal["openslo/v1alpha"]
    metadata: Metadata


class SloDoc(Document):
    kind: Literal["SLO"]
    spec: SloSpec


class ServiceSpec(Spec):
    description: str = ""


class ServiceDoc(Document):
    kind: Literal["Service"]
    spec: ServiceSpec = ServiceSpec()


KINDS: dict[str, type[Document]] = {"SLO": SloDoc, "Service": ServiceDoc}
