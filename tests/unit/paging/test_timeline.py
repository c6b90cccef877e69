"""An alert group's timeline in words."""

from __future__ import annotations

from ninefold.paging.timeline import describe


def test_paging_events_read_as_sentences() -> None:
    assert describe("routed", {"route": "payments", "policy": "payments-default"}) == (
        "Routed by payments to policy payments-default"
    )
    assert describe("routed", {"route": "catch-all", "policy": "ops", "unrouted": True}) == (
        "No route matched; the default route catch-all chose policy ops"
    )
    assert (
        describe(
            "paged",
            {
                "user": "priya",
                "step": 1,
                "reason": "on call for payments-primary",
                "local_time": "Tue 03:00",
                "period": "off_hours",
            },
        )
        == "Paged priya (step 1, on call for payments-primary); Tue 03:00 for them, off hours"
    )
    assert (
        describe(
            "notification_suppressed",
            {"user": "priya", "contact": "mail", "reason": "rate limit of the contact method"},
        )
        == "Notification to priya at mail suppressed: rate limit of the contact method"
    )
    assert describe("snoozed", {"by": "jonas", "until": "2026-11-24T03:30:00+00:00"}) == (
        "Snoozed by jonas until 2026-11-24T03:30:00+00:00"
    )


def test_source_events_name_the_alert_by_name_and_short_fingerprint() -> None:
    detail = {"alertname": "CheckoutErrors", "fingerprint": "0123456789abcdef0123"}
    assert describe("alert_firing", detail) == "CheckoutErrors (0123456789ab) firing at the source"
    assert describe("alert_resolved", {"fingerprint": ""}) == "alert resolved at the source"
    assert describe("triggered", {"group_key": "x"}) == "Group opened"


def test_an_unknown_kind_is_shown_with_its_detail_not_dropped() -> None:
    assert describe("future_kind", {"changes": 6, "window": "1h"}) == (
        "future kind: changes=6, window=1h"
    )
    assert describe("something", {}) == "something"


def test_holds_name_what_held_the_paging_and_until_when() -> None:
    held = {
        "hold": "silence",
        "id": 3,
        "by": "jonas",
        "reason": "failover drill",
        "until": "2026-11-24T03:00:00+00:00",
    }
    assert describe("held", held) == (
        "Not paged: silence 3 by jonas (failover drill) holds it until 2026-11-24T03:00:00+00:00"
    )
    assert describe("hold_over", {"hold": "silence:3"}) == "Silence 3 is over; paging resumes"
    assert describe("hold_over_quiet", {"hold": "maintenance:2"}) == (
        "Maintenance 2 is over; it asked for no paging after it"
    )
