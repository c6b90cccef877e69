"""Times and ranges as users type them: ISO 8601 with a zone or `now`, never a naive time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ninefold.errors import Invalid
from ninefold.instants import check_range, parse_instant
from ninefold.oncall.times import MAX_RANGE, resolve_range

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-11-23T09:00:00Z", datetime(2026, 11, 23, 9, tzinfo=UTC), id="Z is UTC"),
        pytest.param(
            "2026-11-23T10:00:00+01:00",
            datetime(2026, 11, 23, 9, tzinfo=UTC),
            id="an offset is converted to UTC",
        ),
        pytest.param(
            "2026-11-23T10:00:00 01:00",
            datetime(2026, 11, 23, 9, tzinfo=UTC),
            id="a plus a URL query turned into a space is read as a plus",
        ),
        pytest.param(
            "2026-11-23 04:00-05:00",
            datetime(2026, 11, 23, 9, tzinfo=UTC),
            id="a space may separate date and time",
        ),
        pytest.param("now", NOW, id="now is the time given"),
        pytest.param(" NOW ", NOW, id="now in any case, spaces around"),
    ],
)
def test_instants_that_parse(text: str, expected: datetime) -> None:
    assert parse_instant(text, "from", NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("2026-11-23T09:00:00", "has no time zone", id="a naive time is refused"),
        pytest.param("2026-11-23", "has no time zone", id="a date alone is refused"),
        pytest.param("tomorrow", "is not an ISO 8601 time", id="words other than now are refused"),
        pytest.param("2026-13-01T00:00Z", "is not an ISO 8601 time", id="month 13 is refused"),
    ],
)
def test_instants_that_do_not_parse_name_the_field(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        parse_instant(text, "at", NOW)
    assert caught.value.field == "at"


def test_a_range_defaults_to_two_weeks_from_now() -> None:
    assert resolve_range(None, None, NOW) == (NOW, NOW + timedelta(days=14))


def test_a_range_without_end_lasts_two_weeks_from_its_start() -> None:
    start, end = resolve_range("2026-12-01T00:00Z", None, NOW)
    assert end - start == timedelta(days=14)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        pytest.param(NOW, NOW - timedelta(hours=1), "must be after", id="ending before it starts"),
        pytest.param(NOW, NOW, "must be after", id="ending as it starts"),
        pytest.param(NOW, NOW + MAX_RANGE + timedelta(seconds=1), "at most 93 days", id="too long"),
    ],
)
def test_ranges_that_are_refused_name_the_end(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        check_range(start, end, limit=MAX_RANGE)
    assert caught.value.field == "to"


def test_the_longest_range_is_allowed_and_a_range_may_have_no_limit() -> None:
    check_range(NOW, NOW + MAX_RANGE, limit=MAX_RANGE)
    check_range(NOW, NOW + 10 * MAX_RANGE)
