"""Resources as the `resources:` section declares them, and the forecasts the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from ninefold.slos.spec.durations import Spelled, parse_duration
from ninefold.spec import Name, Spec

ResourceKind = Literal["cpu", "memory", "disk", "connections", "throughput", "other"]


class ResourceSpec(Spec):
    """Something a service can run out of, with where its utilisation is read."""

    name: Name = Field(description="Unique name, used in URLs and alert labels.")
    service: Name = Field(description="The service it belongs to (see `services`).")
    kind: ResourceKind = Field(description="cpu, memory, disk, connections, throughput, other.")
    unit: str = Field(min_length=1, max_length=32, description="What the values count: GiB, cores.")
    limit: float = Field(gt=0, description="How much there is, in `unit`.")
    threshold: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="The share of the limit to stay under: forecasts say when it is crossed.",
    )
    step: Spelled = Field(default="1h", description="One point every step (1h, 1d).")
    season: Spelled = Field(
        default="1d", description="The length of the pattern that repeats (1d, 7d)."
    )
    history: Spelled = Field(
        default="4w", description="How far back a Prometheus query reads (4w: 28 days)."
    )
    query: str | None = Field(
        default=None,
        max_length=2000,
        description="A PromQL expression of one series: the utilisation, in `unit`.",
    )
    file: str | None = Field(
        default=None,
        max_length=500,
        description="A CSV or Parquet file, relative to the configuration directory, with "
        "columns `time` (ISO 8601 or epoch seconds) and `value`.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.query is None) == (self.file is None):
            raise ValueError("give exactly one of query (PromQL) and file (CSV or Parquet)")
        if parse_duration(self.season) < 2 * parse_duration(self.step):
            raise ValueError(f"season {self.season} must hold at least two steps of {self.step}")
        if parse_duration(self.season) % parse_duration(self.step):
            raise ValueError(f"season {self.season} must be a whole number of steps of {self.step}")
        return self


class Point(BaseModel):
    at: datetime
    value: float


class ForecastPoint(BaseModel):
    at: datetime
    mean: float
    low: float = Field(description="2.5th percentile of the simulated futures.")
    high: float = Field(description="97.5th percentile of the simulated futures.")


class AccuracyOut(BaseModel):
    metric: Literal["MAPE", "sMAPE"]
    model: float = Field(description="The forecast's error on the held-out season.")
    seasonal_naive: float = Field(description="The seasonal-naive forecast's, on the same.")
    held_out: int = Field(description="Points held out: one season.")


class ForecastOut(BaseModel):
    resource: str
    service: str
    kind: str
    unit: str
    limit: float
    threshold: float = Field(description="In `unit`: the limit times the threshold share.")
    last: Point = Field(description="The series' last point: the forecast starts after it.")
    p95: float
    headroom: float = Field(description="(limit - P95) / limit over the series.")
    days_until_threshold: float | None = Field(
        description="From the last point; 0: over already; null: not within the horizon."
    )
    crossing_at: datetime | None
    filled: int = Field(description="Missing points filled in by interpolation.")
    accuracy: AccuracyOut
    history: list[Point]
    forecast: list[ForecastPoint]
