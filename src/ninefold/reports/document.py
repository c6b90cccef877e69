"""A report as a document: sections of prose, tables and charts, independent of its format.

Each report (weekly, handoff, monthly, quarterly) is built once as a `Report`; `render` turns
the same object into Markdown, HTML, PDF and JSON, so the formats cannot disagree. Table cells
keep their raw values (numbers stay numbers in JSON) and each column says how to show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ninefold.reports.charts import Bar


@dataclass(frozen=True)
class Measure:
    """A number with its unit, for columns whose rows differ in unit (a KPI table)."""

    value: float | None
    unit: str


Cell = str | int | float | Measure | None
Show = Literal["text", "ratio", "minutes", "hours", "count", "number", "when"]
Kind = Literal["weekly", "handoff", "monthly", "quarterly"]
KINDS: tuple[Kind, ...] = ("weekly", "handoff", "monthly", "quarterly")


@dataclass(frozen=True)
class Column:
    title: str
    show: Show = "text"
    key: str = ""
    """Its name in JSON; the title in snake case by default."""

    @property
    def name(self) -> str:
        return self.key or "_".join(self.title.lower().replace("/", " ").split())


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]
    empty: str = "None."
    """What to say when it has no rows."""
    links: Sequence[str | None] = ()
    """Per row, a path of the web UI its first cell links to."""


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    goal: float | None = None
    goal_label: str = "target"
    meets: bool | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    text: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Report:
    kind: Kind
    title: str
    start: datetime
    end: datetime
    selection: str
    generated_at: datetime
    partial: bool
    """The period had not ended when it was made: its figures will move."""
    sections: tuple[Section, ...] = field(default=())
