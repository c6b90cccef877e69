"""The schedule API's answers from a spec and its model: segments, gaps, feed URLs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ninefold.oncall.schemas import LayerSpec, RestrictionSpec, ScheduleSpec
from ninefold.oncall.service import calendar_urls, detail, segment_out

SPEC = ScheduleSpec(
    name="office",
    team="core",
    time_zone="Europe/Berlin",
    layers=[
        LayerSpec(
            name="daily",
            participants=["alice", "bob"],
            shift_unit="days",
            start=date(2026, 1, 5),
            restrictions=[RestrictionSpec(days=["mon"], start=time(9), end=time(17))],
        )
    ],
)
MONDAY = datetime(2026, 3, 23, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 24, tzinfo=UTC)


def test_the_detail_tiles_the_range_and_lists_the_gaps_among_the_shifts() -> None:
    model = SPEC.to_schedule()
    noon = datetime(2026, 3, 23, 11, tzinfo=UTC)
    answer = detail(SPEC, model, "config", (MONDAY, TUESDAY), noon, [])
    assert answer.shifts == [segment_out(s) for s in model.shifts(MONDAY, TUESDAY)]
    assert [(s.start.hour, s.end.hour, s.people) for s in answer.shifts] == [
        (0, 8, []),
        (8, 16, ["bob"]),
        (16, 0, []),
    ]
    assert answer.gaps == [answer.shifts[0], answer.shifts[2]]
    assert answer.on_call_now == ["bob"]
    assert (answer.name, answer.team, answer.managed_by) == ("office", "core", "config")
    assert answer.spec == SPEC


def test_feed_urls_hold_the_token_and_quote_schedule_names() -> None:
    urls = calendar_urls("https://ninefold.example.com/", "s3cret", ["office", "a b/c"])
    assert urls.me == "https://ninefold.example.com/api/v1/calendars/s3cret/me.ics"
    assert urls.schedules == {
        "office": "https://ninefold.example.com/api/v1/calendars/s3cret/schedules/office.ics",
        "a b/c": "https://ninefold.example.com/api/v1/calendars/s3cret/schedules/a%20b%2Fc.ics",
    }
