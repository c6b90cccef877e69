"""The incident KPIs of KPIS.md on five hand-made incidents in March 2026, each figure worked
out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ninefold.changes.dora import Period
from ninefold.incidents.model import Instants, Severity
from ninefold.reports.figures import Left
from ninefold.reports.incident_kpis import (
    IncidentRecord,
    ItemRecord,
    action_item_closure,
    by_severity,
    customer_impact,
    incident_rate,
    mtbi,
    postmortem_timeliness,
    recurrence_rate,
    time_to_acknowledge,
    time_to_detect,
    time_to_recover,
)

MARCH = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def incident(
    id_: int, severity: str, service: str, category: str | None, **instants: datetime | None
) -> IncidentRecord:
    declared = instants.pop("declared", None) or instants["impact_start"]
    return IncidentRecord(
        id_, Severity(severity), (service,), category, Instants(declared=declared, **instants)
    )


A = incident(1, "SEV1", "checkout", "capacity", impact_start=at(2, 10), detected=at(2, 10, 5),
             acknowledged=at(2, 10, 7), mitigated=at(2, 10, 30), resolved=at(2, 11),
             impact_end=at(2, 10, 30))  # fmt: skip
B = incident(2, "SEV2", "checkout", "capacity", impact_start=at(10, 9), detected=at(10, 9, 20),
             mitigated=at(10, 9, 50), resolved=at(10, 10, 40), impact_end=at(10, 10))  # fmt: skip
C = incident(3, "SEV3", "search", None, impact_start=None, declared=at(15, 12),
             detected=at(15, 12), acknowledged=at(15, 12, 3))  # fmt: skip
D = incident(4, "SEV2", "checkout", "capacity", impact_start=at(20, 8, month=2),
             detected=at(20, 8, 10, month=2), resolved=at(1, 1), impact_end=at(1, 0, 30))  # fmt: skip
E = incident(5, "SEV1", "payments", None, impact_start=at(31, 23, 30), detected=at(31, 23, 40),
             resolved=at(1, 1, month=4), impact_end=at(1, 0, 30, month=4))  # fmt: skip
ALL = [A, B, C, D, E]


def test_time_to_detect_over_the_incidents_anchored_in_march() -> None:
    """A 5, B 20, E 10 minutes; C has no impact start (anchored at its declaration, left
    out); D started in February. Mean 35/3; P50 of [5, 10, 20] is 10; P90: rank 0.9 x 2 =
    1.8, 10 + 0.8 x (20 - 10) = 18."""
    found = time_to_detect(ALL, MARCH)
    assert (found.count, found.p50, found.p90) == (3, 10.0, 18.0)
    assert found.mean == pytest.approx(35 / 3)
    assert found.counted == (1, 2, 5)
    assert found.left_out == (Left(3, "no impact start"),)


def test_time_to_acknowledge_leaves_out_what_was_never_acknowledged() -> None:
    """A 10:07 - 10:05 = 2; C 12:03 - 12:00 = 3; B and E never acknowledged."""
    found = time_to_acknowledge(ALL, MARCH)
    assert (found.count, found.mean, found.counted) == (2, 2.5, (1, 3))
    assert [left.ref for left in found.left_out] == [2, 5]


def test_time_to_recover_by_severity_and_no_data_is_none_not_zero() -> None:
    """SEV1: A 60 min, E 90 min (resolved 1 April 01:00, anchored at its March impact start)
    -> mean and median 75. SEV2: B 100. SEV4: nothing, so no figure."""
    found = by_severity(ALL, MARCH, time_to_recover)
    assert (found[Severity.SEV1].mean, found[Severity.SEV1].median) == (75.0, 75.0)
    assert found[Severity.SEV2].counted == (2,)
    assert found[Severity.SEV2].mean == 100.0
    assert (found[Severity.SEV4].count, found[Severity.SEV4].mean) == (0, None)


def test_customer_impact_counts_the_overlap_with_the_period() -> None:
    """A 30 + B 60 + D's last 30 minutes (from 1 March 00:00) + E's first 30 (to 1 April
    00:00) = 150 minutes; C has no impact window."""
    found = customer_impact(ALL, MARCH)
    assert found.minutes == 150.0
    assert found.counted == (1, 2, 4, 5)
    assert found.left_out == (Left(3, "no impact start"),)


def test_incident_rate_per_severity_and_per_week() -> None:
    """Anchored in March: A and E SEV1, B SEV2, C SEV3; 31 days are 31/7 weeks."""
    found = incident_rate(ALL, MARCH)
    assert found.counts == {Severity.SEV1: 2, Severity.SEV2: 1, Severity.SEV3: 1, Severity.SEV4: 0}
    assert found.per_week[Severity.SEV1] == pytest.approx(2 * 7 / 31)


def test_mtbi_needs_two_significant_incidents_of_the_service_in_the_period() -> None:
    """checkout: A (2 March 10:00) and B (10 March 09:00), 191 hours apart; D started in
    February. payments: E alone, no figure."""
    assert mtbi(ALL, MARCH, "checkout").mean_hours == 191.0
    assert mtbi(ALL, MARCH, "checkout").counted == (1, 2)
    alone = mtbi(ALL, MARCH, "payments")
    assert (alone.mean_hours, alone.gaps) == (None, 0)


def test_recurrence_reaches_back_before_the_period_exactly_90_days() -> None:
    """Significant in March: A, B, E. A repeats D (20 February, capacity, checkout), B
    repeats A and D; E has no category. 2 of 3. An earlier one exactly 90 x 24 h before
    counts; a second more does not."""
    found = recurrence_rate(ALL, MARCH)
    assert (found.numerator, found.denominator, found.hits) == (2, 3, (1, 2))
    edge = incident(9, "SEV3", "checkout", "capacity", impact_start=at(2, 10) - timedelta(days=90))
    late = incident(9, "SEV3", "checkout", "capacity",
                    impact_start=at(2, 10) - timedelta(days=90, seconds=1))  # fmt: skip
    only_a = [A]
    assert recurrence_rate([*only_a, edge], MARCH).hits == (1,)
    assert recurrence_rate([*only_a, late], MARCH).hits == ()


def test_postmortem_timeliness_is_by_resolution_and_strictly_before_the_deadline() -> None:
    """Resolved in March and significant: A (reviewed a day early: on time), B (reviewed at
    the deadline itself: late), D (resolved 1 March, no deadline known: left out). E was
    resolved in April."""
    reviewed = [
        IncidentRecord(**{**A.__dict__, "deadline": at(9, 0), "reviewed_at": at(8, 0)}),
        IncidentRecord(**{**B.__dict__, "deadline": at(17, 0), "reviewed_at": at(17, 0)}),
        D,
        IncidentRecord(**{**E.__dict__, "deadline": at(8, 0, month=4)}),
    ]
    found = postmortem_timeliness(reviewed, MARCH)
    assert (found.numerator, found.denominator, found.value) == (1, 2, 0.5)
    assert found.left_out == (Left(4, "no postmortem deadline"),)


def test_action_item_closure_by_due_date_open_ones_late() -> None:
    """Due in March: 1 (closed on its due date), 2 (a day late), 3 (open): 1 of 3. Due on
    1 April or in February: another period."""
    items = [
        ItemRecord(1, date(2026, 3, 5), date(2026, 3, 5)),
        ItemRecord(2, date(2026, 3, 10), date(2026, 3, 11)),
        ItemRecord(3, date(2026, 3, 20), None),
        ItemRecord(4, date(2026, 4, 1), None),
        ItemRecord(5, date(2026, 2, 28), date(2026, 2, 1)),
    ]
    found = action_item_closure(items, MARCH)
    assert (found.hits, found.counted) == ((1,), (1, 2, 3))
    empty = action_item_closure([], MARCH)
    assert (empty.denominator, empty.value) == (0, None)
