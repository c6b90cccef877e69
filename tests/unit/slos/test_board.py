"""The SLO board of the web pages: SLOs ordered by budget left, results kept for the TTL, a
failing data source shown on its SLO."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ninefold.adapters.prometheus import DataSourceError
from ninefold.slos.core.model import Slo
from ninefold.slos.sources.prometheus import Counts
from ninefold.slos.sources.sample import sample_counts
from ninefold.slos.web.board import SloBoard
from tests.factories import EXAMPLES
from tests.support.clock import FrozenClock


def test_slos_come_least_budget_first_and_are_kept_for_the_ttl(clock: FrozenClock) -> None:
    calls: list[str] = []

    def source(slo: Slo, start: datetime, end: datetime) -> Counts:
        calls.append(slo.name)
        return sample_counts(slo, start, end)

    board = SloBoard(EXAMPLES, source, "sample", ttl=timedelta(seconds=60))
    first = board.snapshot(clock())
    assert first.at == clock().replace(second=0)  # statuses of the minute
    budgets = [v.budget_remaining for v in first.by_budget()]
    assert len(budgets) == 3
    assert budgets == sorted(budgets)  # type: ignore[type-var]
    assert len(calls) == 3
    assert board.snapshot(clock.advance(seconds=59)) is first
    assert len(calls) == 3
    assert board.snapshot(clock.advance(seconds=1)) is not first
    assert len(calls) == 6


def test_a_clock_set_back_takes_a_new_snapshot(clock: FrozenClock) -> None:
    board = SloBoard(EXAMPLES, sample_counts, "sample")
    first = board.snapshot(clock())
    earlier = board.snapshot(clock.advance(hours=-1))
    assert earlier is not first
    assert earlier.at == clock().replace(second=0)


def test_a_failing_source_is_shown_on_its_slo_and_sorted_last(clock: FrozenClock) -> None:
    def source(slo: Slo, start: datetime, end: datetime) -> Counts:
        if slo.service == "checkout":
            raise DataSourceError("Prometheus at http://prom:9090 is unreachable: refused")
        return sample_counts(slo, start, end)

    snapshot = SloBoard(EXAMPLES, source, "test").snapshot(clock())
    last = snapshot.by_budget()[-1]
    assert last.key == ("checkout", "availability")
    assert last.report is None
    assert last.error == "Prometheus at http://prom:9090 is unreachable: refused"
    assert snapshot.find("checkout", "availability") is last
    assert snapshot.find("checkout", "latency") is None


def test_a_directory_without_slos_shows_none(tmp_path: Path, clock: FrozenClock) -> None:
    snapshot = SloBoard(tmp_path, sample_counts, "sample").snapshot(clock())
    assert snapshot.views == ()
    assert snapshot.problems == ()
