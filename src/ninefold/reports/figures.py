"""The shapes every KPI answers with, pure: a duration summary (count, mean, P50, P90) and a
ratio, each naming the records it counted and those it left out with the reason, so that a
figure can always be traced to its records. No data is `None`, never 0 (KPIS.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ninefold.stats import percentile

Ref = int | str
"""A record's id: an incident's number, a group's, a deploy's."""


@dataclass(frozen=True)
class Left:
    ref: Ref
    why: str


@dataclass(frozen=True)
class Durations:
    """Minutes."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    counted: tuple[Ref, ...] = ()
    left_out: tuple[Left, ...] = ()

    @property
    def median(self) -> float | None:
        return self.p50


def durations(values: Sequence[tuple[Ref, float]], left_out: Sequence[Left] = ()) -> Durations:
    minutes = [v for _, v in values]
    return Durations(
        count=len(minutes),
        mean=sum(minutes) / len(minutes) if minutes else None,
        p50=percentile(minutes, 50),
        p90=percentile(minutes, 90),
        counted=tuple(ref for ref, _ in values),
        left_out=tuple(left_out),
    )


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    counted: tuple[Ref, ...] = ()
    """The records of the denominator."""
    hits: tuple[Ref, ...] = ()
    """Those of the numerator."""
    left_out: tuple[Left, ...] = ()

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def ratio(counted: Sequence[Ref], hits: Sequence[Ref], left_out: Sequence[Left] = ()) -> Ratio:
    return Ratio(len(hits), len(counted), tuple(counted), tuple(hits), tuple(left_out))
