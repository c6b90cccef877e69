"""Flapping: changes counted in a sliding window, a flag with hysteresis; no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ninefold.alerts.flapping import DEFAULT_POLICY, FlapPolicy, changes_in_window, next_flag

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@st.composite
def policies(draw: st.DrawFn) -> FlapPolicy:
    start = draw(st.integers(min_value=2, max_value=30))
    stop = draw(st.integers(min_value=0, max_value=start - 1))
    window = timedelta(minutes=draw(st.integers(min_value=1, max_value=24 * 60)))
    return FlapPolicy(window=window, start=start, stop=stop)


def seconds_before(now: datetime, seconds: int) -> datetime:
    return now - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("counts", "flags"),
    [
        pytest.param(
            [5, 6, 5, 4, 3, 2], [0, 1, 1, 1, 1, 0], id="set at 6, held to 3, cleared at 2"
        ),
        pytest.param([1, 3, 5, 3, 1], [0, 0, 0, 0, 0], id="never reaching 6 never sets it"),
        pytest.param([6, 2, 3, 5], [1, 0, 0, 0], id="once cleared, 3 to 5 keep it clear"),
        pytest.param([9, 0], [1, 0], id="a quiet window clears it"),
    ],
)
def test_the_default_thresholds(counts: list[int], flags: list[int]) -> None:
    flag, seen = False, []
    for count in counts:
        flag = next_flag(DEFAULT_POLICY, count, flapping=flag)
        seen.append(int(flag))
    assert seen == flags


def test_the_window_holds_changes_after_its_start_up_to_now() -> None:
    hour = timedelta(hours=1)
    instants = [NOW - hour, NOW - hour + timedelta(seconds=1), NOW, NOW + timedelta(seconds=1)]
    assert changes_in_window(DEFAULT_POLICY, instants, NOW) == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param({"start": 1, "stop": 0}, "start must be at least 2", id="start below 2"),
        pytest.param({"start": 4, "stop": 4}, "stop must be from 0 to 3", id="stop not below"),
        pytest.param({"stop": -1}, "stop must be from 0 to 5", id="negative stop"),
        pytest.param({"window": timedelta(0)}, "window must be positive", id="empty window"),
    ],
)
def test_a_policy_without_hysteresis_or_window_is_refused(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        FlapPolicy(**values)  # type: ignore[arg-type]


@given(policies().filter(lambda p: p.start - p.stop >= 2), st.data(), st.booleans())
def test_between_stop_and_start_the_flag_never_changes(
    policy: FlapPolicy, data: st.DataObject, flapping: bool
) -> None:
    counts = data.draw(
        st.lists(st.integers(min_value=policy.stop + 1, max_value=policy.start - 1), max_size=20)
    )
    flag = flapping
    for count in counts:
        flag = next_flag(policy, count, flapping=flag)
        assert flag == flapping


@given(policies(), st.integers(min_value=0, max_value=5), st.data())
def test_a_steady_stream_above_start_keeps_the_flag_set(
    policy: FlapPolicy, extra: int, data: st.DataObject
) -> None:
    # One change every window / (start + 1 + extra): every full window holds more than start.
    seconds = int(policy.window.total_seconds())
    every = timedelta(seconds=seconds // (policy.start + 1 + extra))
    changes = [NOW + i * every for i in range(3 * (policy.start + 1 + extra))]
    steady_from, end = NOW + policy.window, changes[-1]
    offsets = data.draw(
        st.lists(st.integers(0, int((end - steady_from).total_seconds())), min_size=1).map(sorted)
    )
    flag = False
    for offset in offsets:
        now = steady_from + timedelta(seconds=offset)
        flag = next_flag(policy, changes_in_window(policy, changes, now), flapping=flag)
        assert flag


@given(
    policies(),
    st.lists(st.integers(min_value=0, max_value=10**7)),
    st.booleans(),
)
def test_no_change_within_the_window_always_clears_the_flag(
    policy: FlapPolicy, ages: list[int], flapping: bool
) -> None:
    window = int(policy.window.total_seconds())
    old = [seconds_before(NOW, window + age) for age in ages]
    assert changes_in_window(policy, old, NOW) == 0
    assert next_flag(policy, changes_in_window(policy, old, NOW), flapping=flapping) is False


@given(
    policies(),
    st.data(),
    st.lists(st.integers(min_value=0, max_value=10**7)),
    st.booleans(),
)
def test_the_decision_depends_only_on_the_changes_within_the_window(
    policy: FlapPolicy, data: st.DataObject, ages: list[int], flapping: bool
) -> None:
    window = int(policy.window.total_seconds())
    recent = [
        seconds_before(NOW, age)
        for age in data.draw(st.lists(st.integers(min_value=0, max_value=window - 1)))
    ]
    older = [seconds_before(NOW, window + age) for age in ages]
    mixed = data.draw(st.permutations(recent + older))
    alone = next_flag(policy, changes_in_window(policy, recent, NOW), flapping=flapping)
    assert next_flag(policy, changes_in_window(policy, mixed, NOW), flapping=flapping) == alone
    assert changes_in_window(policy, mixed, NOW) == len(recent)
