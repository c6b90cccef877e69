"""An incident's rules (KPIS.md, "Incidents"), on hand-worked examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ninefold.errors import Conflict
from ninefold.incidents.model import (
    Derived,
    Instants,
    Past,
    Severity,
    Status,
    check_move,
    derived,
    effective,
    impact_overlap,
    order_problems,
    recurs_after,
)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_significant_is_sev1_and_sev2() -> None:
    assert [s.significant for s in Severity] == [True, True, False, False]


@pytest.mark.parametrize(
    ("current", "wanted", "reopen", "words"),
    [
        (Status.RESOLVED, Status.RESOLVED, False, "resolved already"),
        (Status.INVESTIGATING, Status.INVESTIGATING, False, "investigating already"),
        (Status.RESOLVED, Status.MONITORING, False, "reopen it"),
        (Status.MONITORING, Status.INVESTIGATING, True, "only a resolved incident"),
        (Status.RESOLVED, Status.RESOLVED, True, "resolved already"),
    ],
)
def test_moves_that_make_no_sense_are_refused(
    current: Status, wanted: Status, reopen: bool, words: str
) -> None:
    with pytest.raises(Conflict, match=words):
        check_move(current, wanted, reopen=reopen)


def test_open_incidents_move_freely_and_resolved_ones_reopen() -> None:
    check_move(Status.MONITORING, Status.INVESTIGATING)  # the fix did not hold
    check_move(Status.IDENTIFIED, Status.RESOLVED)
    check_move(Status.RESOLVED, Status.INVESTIGATING, reopen=True)


def test_instants_out_of_order_are_named() -> None:
    instants = Instants(
        declared=at(10), impact_start=at(10), mitigated=at(9, 30), resolved=at(9, 45)
    )
    assert [field for field, _ in order_problems(instants)] == ["mitigated", "resolved"]
    assert (
        "mitigated (2026-03-02T09:30:00+00:00) comes before impact start"
        in (order_problems(instants)[0][1])
    )
    assert order_problems(Instants(declared=at(10))) == []


def test_the_effective_instants_and_the_figures_they_give() -> None:
    # Impact from 09:50; the first linked group opened 10:02, the incident declared 10:10;
    # a group acknowledged 10:07 (before the incident's own 10:12); mitigated 10:40,
    # resolved 11:20, impact end not given.
    recorded = Instants(
        declared=at(10, 10),
        impact_start=at(9, 50),
        acknowledged=at(10, 12),
        mitigated=at(10, 40),
        resolved=at(11, 20),
    )
    seen = effective(
        recorded, groups_opened=[at(10, 5), at(10, 2)], groups_acknowledged=[at(10, 7)]
    )
    assert seen.detected == at(10, 2)
    assert seen.acknowledged == at(10, 7)
    assert seen.impact_end == at(10, 40)
    # Detect 12 min, acknowledge 5, mitigate 50, recover 90, customer impact 50.
    assert derived(seen) == Derived(12.0, 5.0, 50.0, 90.0, 50.0)


def test_declared_before_any_group_is_the_detection_and_missing_instants_give_no_figure() -> None:
    seen = effective(Instants(declared=at(10)), groups_opened=[at(10, 30)])
    assert seen.detected == at(10)
    assert derived(seen) == Derived(None, None, None, None, None)


def test_a_period_counts_only_its_share_of_the_impact() -> None:
    # Impact 23:30 on the 2nd to 00:45 on the 3rd; the period is the 3rd: 45 minutes.
    instants = Instants(declared=at(23, 30), impact_start=at(23, 30), impact_end=at(0, 45, day=3))
    assert impact_overlap(instants, at(0, day=3), at(0, day=4)) == 45.0
    assert impact_overlap(instants, at(0, day=4), at(0, day=5)) == 0.0
    assert impact_overlap(Instants(declared=at(1)), at(0), at(2)) == 0.0


def test_recurrence_needs_a_service_the_category_and_the_90_days_before() -> None:
    own = at(12, day=31)
    earlier = [
        Past(1, frozenset({"checkout"}), "config", own - timedelta(days=90)),  # exactly 90 d
        Past(2, frozenset({"checkout", "cart"}), "config", own - timedelta(days=30)),
        Past(3, frozenset({"checkout"}), "capacity", own - timedelta(days=10)),
        Past(4, frozenset({"search"}), "config", own - timedelta(days=10)),
        Past(5, frozenset({"checkout"}), "config", own - timedelta(days=90, seconds=1)),
        Past(6, frozenset({"checkout"}), "config", own),  # not before
        Past(7, frozenset({"checkout"}), "config", None),
    ]
    assert recurs_after(["checkout"], "config", own, earlier) == [1, 2]
    assert recurs_after(["checkout"], None, own, earlier) == []
