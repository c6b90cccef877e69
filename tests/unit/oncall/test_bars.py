"""Laying a schedule's shifts on a timeline: bars tile the range, days tick at local midnight."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.oncall.bars import bars, day_ticks
from ninefold.oncall.schemas import SegmentOut

START = datetime(2026, 10, 31, 12, tzinfo=UTC)


def at_fraction(start: datetime, end: datetime, percent: float) -> datetime:
    return start + (end - start) * (percent / 100)


@given(st.lists(st.integers(min_value=1, max_value=72 * 60), min_size=1, max_size=30))
def test_bars_tile_the_range_edge_to_edge(lengths: list[int]) -> None:
    edges = [START]
    for minutes in lengths:
        edges.append(edges[-1] + timedelta(minutes=minutes))
    shifts = [
        SegmentOut(start=a, end=b, people=[] if i % 3 == 2 else [f"p{i}"])
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    ]
    laid = bars(shifts, edges[0], edges[-1])
    assert laid[0].left == 0
    assert sum(b.width for b in laid) == pytest.approx(100)
    for before, after in itertools.pairwise(laid):
        assert before.left + before.width == pytest.approx(after.left)
    assert [b.gap for b in laid] == [not s.people for s in shifts]


def test_a_bar_is_as_wide_as_its_share_of_the_range() -> None:
    end = START + timedelta(days=4)
    shifts = [
        SegmentOut(start=START, end=START + timedelta(days=1), people=["ana"]),
        SegmentOut(start=START + timedelta(days=1), end=end, people=[]),
    ]
    first, second = bars(shifts, START, end)
    assert (first.left, first.width, first.people) == (0, 25, ("ana",))
    assert (second.left, second.width, second.gap) == (25, 75, True)


def test_days_tick_at_local_midnight_across_the_fall_back_day() -> None:
    """America/Chicago, 1 November 2026 has 25 hours: the next midnight is 25 h later."""
    end = START + timedelta(days=3)
    ticks = day_ticks(START, end, "America/Chicago")
    assert [t.day for t in ticks] == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert [at_fraction(START, end, t.left) for t in ticks] == [
        datetime(2026, 11, 1, 5, tzinfo=UTC),  # 00:00 CDT
        datetime(2026, 11, 2, 6, tzinfo=UTC),  # 00:00 CST
        datetime(2026, 11, 3, 6, tzinfo=UTC),
    ]


def test_a_midnight_the_clocks_skip_ticks_when_the_day_really_begins() -> None:
    """America/Santiago springs forward at midnight on 6 September 2026: the day starts 01:00."""
    start = datetime(2026, 9, 5, 12, tzinfo=UTC)
    end = start + timedelta(days=2)
    ticks = day_ticks(start, end, "America/Santiago")
    assert [t.day for t in ticks] == [date(2026, 9, 6), date(2026, 9, 7)]
    assert at_fraction(start, end, ticks[0].left) == datetime(2026, 9, 6, 4, tzinfo=UTC)


def test_a_range_starting_at_midnight_ticks_its_first_day() -> None:
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 09:00 in Berlin
    assert day_ticks(start, start + timedelta(hours=15), "Europe/Berlin") == []
    midnight = datetime(2026, 11, 22, 23, tzinfo=UTC)  # 00:00 in Berlin
    [tick] = day_ticks(midnight, midnight + timedelta(hours=20), "Europe/Berlin")
    assert (tick.left, tick.day) == (0, date(2026, 11, 23))
