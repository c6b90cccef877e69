"""A shadow's pages and hours are their own load, never the team's (KPIS.md: a page is the
team's when sent to someone on call; a shadow is not on call)."""

from __future__ import annotations

import pytest

from ninefold.reports.oncall_load import load
from ninefold.reports.paging_kpis import PageRecord, ShiftRecord, fairness, shadow_shares
from tests.unit.reports.test_paging_kpis import PAGES, SHIFTS, WEEK, at

# ana shadows priya's Monday to Thursday (72 h, cut into two stretches by a swap) and gets
# her pages 1 and 4 as a shadow, the second at 02:00 Friday in Berlin: off and sleep hours.
SHADOW_SHIFTS = [
    ShiftRecord("payments", "ana", at(2, 0), at(3, 0), shadow=True),
    ShiftRecord("payments", "ana", at(3, 0), at(5, 0), shadow=True),
]
SHADOW_PAGES = [
    PageRecord(1, "ana", at(2, 15), "Europe/Berlin", shadow=True),
    PageRecord(4, "ana", at(6, 1), "Europe/Berlin", shadow=True),
]


def test_a_shadow_has_a_row_of_their_own_and_the_team_figures_stay_the_same() -> None:
    schedules = {"payments": "payments-team", "platform": None}
    before = load(SHIFTS, PAGES, WEEK, schedules)
    after = load([*SHIFTS, *SHADOW_SHIFTS], [*PAGES, *SHADOW_PAGES], WEEK, schedules)
    team = [(s.hours, s.pages, s.off_hours_pages, s.spread, s.participants) for s in before]
    assert [(s.hours, s.pages, s.off_hours_pages, s.spread, s.participants) for s in after] == team
    payments = after[0]
    assert [(p.user, p.shadow) for p in payments.people] == [
        ("diego", False),
        ("priya", False),
        ("ana", True),
    ]
    ana = payments.people[-1]
    assert (ana.hours, ana.pages, ana.off_hours_pages, ana.sleep_hours_pages) == (72.0, 2, 1, 1)
    assert after[1].people == before[1].people, "ana shadowed nobody in platform"


def test_fairness_leaves_shadows_out_and_shadow_shares_hold_only_them() -> None:
    shifts, pages = [*SHIFTS, *SHADOW_SHIFTS], [*PAGES, *SHADOW_PAGES]
    assert fairness(shifts, pages, WEEK, "payments") == fairness(SHIFTS, PAGES, WEEK, "payments")
    [ana] = shadow_shares(shifts, pages, WEEK, "payments")
    assert (ana.user, ana.hours, ana.pages, ana.shadow) == ("ana", pytest.approx(72.0), 2, True)
    assert shadow_shares(SHIFTS, PAGES, WEEK, "payments") == ()
