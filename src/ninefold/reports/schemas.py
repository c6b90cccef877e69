"""What the KPI endpoints and commands answer with."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LeftOut(BaseModel):
    ref: str
    why: str


class KpiOut(BaseModel):
    key: str
    title: str
    unit: str
    records: str = Field(description="What it counts: incident, alert group, page, deploy, ...")
    value: float | None = Field(description="null: no data (never 0 for no data).")
    previous: float | None = Field(description="The same figure for the period before.")
    change: float | None = Field(description="(value - previous) / previous.")
    target: str
    meets: bool | None = Field(description="null: no target, or no data to judge.")
    counted: list[str] = Field(description="The records behind the figure.")
    left_out: list[LeftOut] = Field(description="Records of the period it could not use.")


class KpiTable(BaseModel):
    start: datetime
    end: datetime
    previous_start: datetime
    partial: bool = Field(description="The period has not ended: its figures will move.")
    selection: str
    rows: list[KpiOut]
