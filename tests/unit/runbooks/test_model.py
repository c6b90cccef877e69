"""Freshness and coverage, worked by hand (KPIS.md, "Runbooks, toil, capacity, DR")."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ninefold.runbooks.model import Kept, PagedRule, coverage, freshness, latest


def kept(name: str, service: str, alerts: tuple[str, ...], **fields: object) -> Kept:
    values: dict[str, object] = {"review_days": 90, "last_tested": None, "last_reviewed": None}
    values.update(fields)
    return Kept(name, service, alerts, **values)  # type: ignore[arg-type]


def test_fresh_through_the_last_day_of_its_interval_tested_or_reviewed() -> None:
    tested = kept("a", "s", (), review_days=30, last_tested=date(2026, 11, 1))
    reviewed = kept("b", "s", (), last_tested=date(2026, 1, 1), last_reviewed=date(2026, 10, 1))
    never = kept("c", "s", ())
    assert tested.due() == date(2026, 12, 1)
    assert tested.fresh(date(2026, 12, 1))
    assert not tested.fresh(date(2026, 12, 2))
    assert reviewed.due() == date(2026, 12, 30)
    assert never.due() is None
    assert not never.fresh(date(2026, 12, 1))
    found = freshness([tested, reviewed, never], date(2026, 12, 2))
    assert (found.fresh, found.stale) == (("b",), ("a", "c"))
    assert found.value == 1 / 3
    assert freshness([], date(2026, 12, 2)).value is None


def test_the_last_test_is_the_latest_of_the_front_matter_and_the_records() -> None:
    records = [datetime(2026, 11, 5, 23, 30, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)]
    assert latest(date(2026, 11, 1), records) == date(2026, 11, 5)
    assert latest(date(2026, 12, 1), records) == date(2026, 12, 1)
    assert latest(None, []) is None


def test_coverage_counts_rules_by_alert_and_service_worst_uncovered_first() -> None:
    rules = [
        PagedRule("HighErrors", "checkout", 0, 9),
        PagedRule("HighErrors", "payments", 1, 4),  # same alert, other service: not covered
        PagedRule("DiskFull", None, None, 7),  # no service: any runbook naming it covers it
        PagedRule("QueueLag", "kafka", 2, 12),
        PagedRule("SlowSearch", "search", 1, 4),
    ]
    books = [kept("checkout", "checkout", ("HighErrors",)), kept("disks", "web", ("DiskFull",))]
    found = coverage(rules, books)
    assert found.rules == 5
    assert found.value == 2 / 5
    assert [(r.alertname, r.service) for r in found.uncovered] == [
        ("QueueLag", "kafka"),
        ("HighErrors", "payments"),
        ("SlowSearch", "search"),
    ]
    # Tier 0-1: checkout (covered), payments and search (not).
    assert found.critical_value == 1 / 3
    assert found.top_value == 2 / 5
    assert coverage([], books).value is None


def test_the_top_twenty_are_the_rules_with_the_most_pages() -> None:
    rules = [PagedRule(f"Rule{n:02d}", "s", 2, 100 - n) for n in range(25)]
    books = [kept("late", "s", tuple(f"Rule{n:02d}" for n in range(20, 25)))]
    found = coverage(rules, books)
    assert found.value == 5 / 25
    assert found.top_value == 0.0
