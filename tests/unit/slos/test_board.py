"""The SLO board of the web pages: SLOs ordered by budget left, results kept for the TTL, a
failing data source shown on its SLO."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ninefold.adapters.prometheus import DataSourceError
from ninefold.slos.board import SloBoard
from ninefold.slos.model import Slo
from ninefold.slos.sample import sample_counts
from ninefold.slos.sources import Counts
from tests.factories import EXAMPLES


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_slos_come_least_budget_first_and_are_kept_for_the_ttl() -> None:
    calls: list[str] = []

    def source(slo: Slo, start: datetime, end: datetime) -> Counts:
        calls.append(slo.name)
        return sample_counts(slo, start, end)

    clock = Clock()
    board = SloBoard(EXAMPLES, source, "sample", ttl=60, clock=clock)
    first = board.snapshot()
    budgets = [v.budget_remaining for v in first.by_budget()]
    assert len(budgets) == 3
    assert budgets == sorted(budgets)  # type: ignore[type-var]
    assert len(calls) == 3
    clock.now += 59
    assert board.snapshot() is first
    assert len(calls) == 3
    clock.now += 1
    assert board.snapshot() is not first
    assert len(calls) == 6


def test_a_failing_source_is_shown_on_its_slo_and_sorted_last() -> None:
    def source(slo: Slo, start: datetime, end: datetime) -> Counts:
        if slo.service == "checkout":
            raise DataSourceError("Prometheus at http://prom:9090 is unreachable: refused")
        return sample_counts(slo, start, end)

    snapshot = SloBoard(EXAMPLES, source, "test").snapshot()
    last = snapshot.by_budget()[-1]
    assert last.key == ("checkout", "availability")
    assert last.report is None
    assert last.error == "Prometheus at http://prom:9090 is unreachable: refused"
    assert snapshot.find("checkout", "availability") is last
    assert snapshot.find("checkout", "latency") is None


def test_a_directory_without_slos_shows_none(tmp_path: Path) -> None:
    snapshot = SloBoard(tmp_path, sample_counts, "sample").snapshot()
    assert snapshot.views == ()
    assert snapshot.problems == ()
