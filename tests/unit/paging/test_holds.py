"""Which silence or maintenance window holds a group's paging back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ninefold.paging.silences.holds import Hold, SilenceRule, WindowRule, holding

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CHECKOUT = {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"}
DISK = {"alertname": "DiskFull", "service": "checkout", "severity": "warning"}


def hold(kind: str, number: int, start: int = -10, end: int = 30) -> Hold:
    return Hold(
        kind,  # type: ignore[arg-type]
        number,
        NOW + timedelta(minutes=start),
        NOW + timedelta(minutes=end),
        "drill",
        "jonas",
    )


def test_a_silence_holds_only_when_every_firing_alert_matches() -> None:
    rule = SilenceRule(hold("silence", 1), ['alertname=~"Checkout.*"'])
    assert holding([rule], [], [CHECKOUT], "checkout", NOW) == rule.hold
    assert holding([rule], [], [CHECKOUT, DISK], "checkout", NOW) is None
    assert holding([rule], [], [], "checkout", NOW) is None


def test_only_what_is_active_now_holds() -> None:
    later = SilenceRule(hold("silence", 1, start=5, end=60), ["service=checkout"])
    over = SilenceRule(hold("silence", 2, start=-60, end=0), ["service=checkout"])
    assert holding([later, over], [], [CHECKOUT], "checkout", NOW) is None
    assert holding([later], [], [CHECKOUT], "checkout", NOW + timedelta(minutes=5)) == later.hold


def test_a_window_holds_every_group_of_its_service_and_no_other() -> None:
    window = WindowRule(hold("maintenance", 7), "checkout")
    assert holding([], [window], [CHECKOUT, DISK], "checkout", NOW) == window.hold
    assert holding([], [window], [CHECKOUT], "search", NOW) is None
    assert holding([], [window], [CHECKOUT], None, NOW) is None


def test_of_several_holds_the_one_ending_last_is_named() -> None:
    short = SilenceRule(hold("silence", 1, end=10), ["severity=critical"])
    long = WindowRule(hold("maintenance", 2, end=90), "checkout")
    found = holding([short], [long], [CHECKOUT], "checkout", NOW)
    assert found == long.hold
    assert found is not None
    assert found.key == "maintenance:2"
