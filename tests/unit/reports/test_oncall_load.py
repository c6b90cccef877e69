"""On-call load per schedule on the hand-made week of test_paging_kpis, and who sees which
rows of it."""

from __future__ import annotations

import pytest

from ninefold.auth.model import Principal, Role
from ninefold.reports.oncall_load import load, seen_by
from tests.unit.reports.test_paging_kpis import PAGES, SHIFTS, WEEK

SCHEDULES = {"payments": "payments-team", "platform": "platform-team", "idle": None}


def test_a_schedules_figures_sum_its_participants() -> None:
    """payments: priya 72 h with 2 pages (none off hours), diego 96 h with 3 pages (2 off
    hours, 1 in sleep hours): 168 h, 5 pages, 5 / 168 per hour, spread 96 / 72. platform:
    diego alone, 12 h, and the same 3 pages of his week (they are his in each schedule).
    idle: no one on call, no row."""
    payments, platform = load(SHIFTS, PAGES, WEEK, SCHEDULES)
    assert (payments.schedule, payments.team, payments.hours, payments.pages) == (
        "payments",
        "payments-team",
        168.0,
        5,
    )
    assert (payments.off_hours_pages, payments.sleep_hours_pages) == (2, 1)
    assert payments.pages_per_hour == pytest.approx(5 / 168)
    assert payments.spread == pytest.approx(96 / 72)
    assert (platform.hours, platform.pages, platform.spread, platform.participants) == (
        12.0,
        3,
        1.0,
        1,
    )


def test_people_see_the_team_figures_and_their_own_row_admins_everything() -> None:
    loads = load(SHIFTS, PAGES, WEEK, SCHEDULES)
    priya = seen_by(loads, Principal("priya", Role.RESPONDER, "session"))
    assert [[p.user for p in s.people] for s in priya] == [["priya"], []]
    assert [(s.hours, s.pages, s.participants) for s in priya] == [(168.0, 5, 2), (12.0, 3, 1)]
    admin = seen_by(loads, Principal("root", Role.ADMIN, "session"))
    assert [[p.user for p in s.people] for s in admin] == [["diego", "priya"], ["diego"]]
