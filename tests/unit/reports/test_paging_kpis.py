"""The paging KPIs of KPIS.md on a hand-made week, each figure worked out in the comments.

The week of Monday 2 March 2026 (UTC). Two people of one schedule: priya in Chicago (UTC-6
in winter), diego in Berlin (UTC+1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from ninefold.changes.dora import Period
from ninefold.reports.paging_kpis import (
    GroupRecord,
    PageRecord,
    ShiftRecord,
    actionable_ratio,
    alert_quality,
    fairness,
    mtta,
    noise_ratio,
    off_hours,
    pages_per_on_call_hour,
    pages_per_shift,
    sleep_hours,
    top_talkers,
)

WEEK = Period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def page(
    group: int, user: str, sent: datetime, holidays: frozenset[date] = frozenset()
) -> PageRecord:
    zone = "America/Chicago" if user == "priya" else "Europe/Berlin"
    return PageRecord(group, user, sent, zone, holidays)


# Group 1: paged 2 March 15:00, acknowledged 15:04, resolved "yes".
# Group 2: paged 3 March 03:00, acknowledged 03:10, resolved "no".
# Group 3: opened 4 March 12:00, paged 12:01, resolved at the source 12:10, no ack: noise.
# Group 4: paged 5 March 20:00, never acknowledged, still open.
# Group 5: paged 1 March (last week): another period.
# Group 6: opened 6 March, never paged (held by a silence).
GROUPS = [
    GroupRecord(1, "CheckoutErrors", "checkout", at(2, 14, 59), at(2, 15), at(2, 15, 4), at(2, 16), answer="yes"),
    GroupRecord(2, "CheckoutErrors", "checkout", at(3, 3), at(3, 3), at(3, 3, 10), at(3, 4), answer="no"),
    GroupRecord(3, "DiskFull", "postgres", at(4, 12), at(4, 12, 1), None, at(4, 12, 10), resolved_at_source=True),
    GroupRecord(4, "CheckoutErrors", "checkout", at(5, 20), at(5, 20), None),
    GroupRecord(5, "CheckoutErrors", "checkout", datetime(2026, 3, 1, 9, tzinfo=UTC),
                datetime(2026, 3, 1, 9, tzinfo=UTC), datetime(2026, 3, 1, 9, 2, tzinfo=UTC)),
    GroupRecord(6, "DiskFull", "postgres", at(6, 8), None, None),
]  # fmt: skip
PAGES = [
    page(1, "priya", at(2, 15)),  # 09:00 Monday in Chicago: working hours
    page(2, "diego", at(3, 3)),  # 04:00 Tuesday in Berlin: off hours, sleeping
    page(3, "diego", at(4, 12, 1)),  # 13:01 Wednesday in Berlin: working
    page(4, "priya", at(5, 20)),  # 14:00 Thursday in Chicago: working
    page(4, "diego", at(5, 20, 15)),  # 21:15 Thursday in Berlin: off hours, awake
    page(5, "priya", datetime(2026, 3, 1, 9, tzinfo=UTC)),  # last week
]
# priya on call Monday 00:00 to Thursday 00:00 (72 h); diego from Thursday 00:00 to Monday
# 9 March 00:00 (96 h), and in a second schedule Tuesday 00:00-12:00 (12 h).
SHIFTS = [
    ShiftRecord("payments", "priya", at(2, 0), at(5, 0)),
    ShiftRecord("payments", "diego", at(5, 0), at(9, 0)),
    ShiftRecord("platform", "diego", at(3, 0), at(3, 12)),
]


def test_mtta_over_the_groups_first_paged_in_the_week() -> None:
    """1: 4 min; 2: 10 min; 3 and 4 never acknowledged, counted apart; 5 is last week's."""
    found = mtta(GROUPS, WEEK)
    assert (found.durations.count, found.durations.p50) == (2, 7.0)
    assert found.durations.p90 == pytest.approx(9.4)  # 4 + 0.9 x 6
    assert found.unacknowledged == (3, 4)


def test_off_hours_and_sleep_hours_are_read_in_the_recipients_zone() -> None:
    assert [off_hours(p) for p in PAGES[:5]] == [False, True, False, False, True]
    assert [sleep_hours(p) for p in PAGES[:5]] == [False, True, False, False, False]
    holiday = page(3, "diego", at(4, 12, 1), frozenset({date(2026, 3, 4)}))
    assert off_hours(holiday) is True


def test_pages_per_shift_and_per_on_call_hour() -> None:
    """Shifts starting in the week: priya's (2 to 5 March) got page 1 (her page of group 4
    came after it ended); diego's payments shift (from 5 March) got page 4 at 20:15; his
    platform shift (3 March 00:00-12:00) got page 2. 3 pages / 3 shifts = 1.

    Per on-call hour: priya 72 h; diego 96 h + 12 h (no overlap) = 108 h; 180 h. Pages in
    the week sent while the recipient was on call: 1 (priya), 2 (diego, platform), 4 to
    diego (payments); page 3 reached diego off call; page 4 to priya off call. 3 / 180."""
    per_shift = pages_per_shift(PAGES, SHIFTS, WEEK)
    assert (per_shift.pages, per_shift.base, per_shift.per) == (3, 3.0, 1.0)
    per_hour = pages_per_on_call_hour(PAGES, SHIFTS, WEEK)
    assert (per_hour.pages, per_hour.base) == (3, 180.0)
    assert per_hour.per == pytest.approx(3 / 180)


def test_actionable_and_noise_ratios() -> None:
    """Answered yes or no in the week: 1 (yes), 2 (no): 1 of 2. Paged in the week: 1, 2, 3,
    4; noisy: 2 (no) and 3 (resolved at the source 9 minutes after opening, unacknowledged):
    2 of 4."""
    actionable = actionable_ratio(GROUPS, WEEK)
    assert (actionable.hits, actionable.counted) == ((1,), (1, 2))
    noise = noise_ratio(GROUPS, WEEK)
    assert (noise.hits, noise.value) == ((2, 3), 0.5)


def test_top_talkers_rank_rules_by_pages_with_their_ratio_and_mtta() -> None:
    """CheckoutErrors/checkout: pages 1, 2, 4, 4 in the week = 4; DiskFull/postgres: 1."""
    first, second = top_talkers(GROUPS, PAGES, WEEK)
    assert (first.alertname, first.service, first.pages) == ("CheckoutErrors", "checkout", 4)
    assert first.actionable.value == 0.5
    assert first.ack.durations.mean == 7.0
    assert (second.alertname, second.pages) == ("DiskFull", 1)


def test_fairness_per_participant_and_the_spread_of_hours() -> None:
    """payments: priya 72 h, 2 pages in the week (1 and 4), off hours none; diego 96 h, 3
    pages (2, 3, 4), 2 off hours. Spread 96 / 72."""
    found = fairness(SHIFTS, PAGES, WEEK, "payments")
    assert [(s.user, s.hours, s.pages, s.off_hours_pages) for s in found.participants] == [
        ("diego", 96.0, 3, 2),
        ("priya", 72.0, 2, 0),
    ]
    assert found.spread == pytest.approx(96 / 72)


def test_a_rule_that_pages_often_and_is_seldom_actionable_is_flagged_with_its_evidence() -> None:
    """CheckoutErrors paged 4 times in the week, 1 of 2 answers actionable (50%): not under
    half, not flagged. With three more "no" answers it is 1 of 5 (20%): tune or delete.
    DiskFull paged once: too few pages to judge."""
    rules = {(q.talker.alertname): q for q in alert_quality(GROUPS, PAGES, WEEK, min_pages=4)}
    checkout = rules["CheckoutErrors"]
    assert (checkout.tune_or_delete, checkout.evidence) == (
        False,
        "4 pages; 1 of 2 answered actionable (50%)",
    )
    assert (checkout.off_hours_pages, checkout.sleep_hours_pages) == (2, 1)
    assert rules["DiskFull"].tune_or_delete is False
    noisy = [
        GroupRecord(
            10 + n,
            "CheckoutErrors",
            "checkout",
            at(6, n),
            at(6, n),
            None,
            at(6, n, 30),
            answer="no",
        )
        for n in range(3)
    ]
    more = [*PAGES, *(page(g.id, "diego", at(6, n)) for n, g in enumerate(noisy))]
    flagged = alert_quality([*GROUPS, *noisy], more, WEEK, min_pages=4)[0]
    assert (flagged.tune_or_delete, flagged.evidence) == (
        True,
        "7 pages; 1 of 5 answered actionable (20%)",
    )


def test_a_rules_time_to_resolve_and_flapping_over_its_paged_groups() -> None:
    """CheckoutErrors' paged groups of the week: 1 resolved after 61 min (14:59 to 16:00), 2
    after 60 min, 4 still open (left out): P50 60.5. None flapped; with group 2 flapping, 1."""
    checkout = alert_quality(GROUPS, PAGES, WEEK)[0]
    assert (checkout.resolve.count, checkout.resolve.p50) == (2, 60.5)
    assert [left.ref for left in checkout.resolve.left_out] == [4]
    assert checkout.flapped == 0
    flapping = [replace(g, flapped=True) if g.id == 2 else g for g in GROUPS]
    assert alert_quality(flapping, PAGES, WEEK)[0].flapped == 1
