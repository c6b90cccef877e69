"""Shadows: paged with the turn they shadow, never on call themselves; a layer's follow its
turns across handoffs and swaps, an override's follow its person; adding shadows never changes
who is on call."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ninefold.errors import Invalid
from ninefold.oncall.cli import on_call_text, who_lines
from ninefold.oncall.schedule import (
    Layer,
    OnCall,
    Override,
    Schedule,
    Segment,
    Shadow,
    ShadowShift,
    shadow_shifts,
)
from ninefold.oncall.schemas import LayerSpec, ScheduleSpec, ShadowSpec
from tests.unit.oncall.factories import PEOPLE, at, rotation, schedules
from tests.unit.oncall.reference import grid

# Daily turns at 09:00 UTC from Monday 2024-01-08: ana, ben, cy, ana, ...
MONDAY = at("2024-01-08T09:00Z")
DAY = timedelta(days=1)
NOON = at("2024-01-08T12:00Z")
ONE = at("2024-01-08T13:00Z")


def daily(*shadows: Shadow, corrections: tuple[Override, ...] = ()) -> Schedule:
    turns = rotation(start="2024-01-08", participants=("ana", "ben", "cy"))
    return Schedule("primary", (Layer("daily", turns, shadows=shadows),), corrections)


LEARNERS = (Shadow("dee", of="ana"), Shadow("eli", of="ben"))


def test_a_shadow_follows_the_turns_it_names_across_a_handoff() -> None:
    schedule = daily(*LEARNERS)
    assert schedule.on_call(NOON) == OnCall(("ana",), (("dee", "ana"),))
    after_handoff = schedule.on_call(MONDAY + DAY)
    assert after_handoff == OnCall(("ben",), (("eli", "ben"),)), "the next turn, its own shadow"
    assert schedule.on_call(MONDAY + 2 * DAY) == OnCall(("cy",)), "cy's turns have no shadow"
    assert schedule.on_call(MONDAY + DAY - timedelta(microseconds=1)).shadows == (("dee", "ana"),)


def test_a_shadow_of_every_turn_skips_their_own() -> None:
    schedule = daily(Shadow("ben"))
    assert schedule.on_call(NOON).shadows == (("ben", "ana"),)
    assert schedule.on_call(MONDAY + DAY) == OnCall(("ben",)), "on their own turn they are on call"


NOON_TO_ONE = (NOON, ONE)


@pytest.mark.parametrize(
    ("corrections", "expected"),
    [
        pytest.param(
            [Override("replace", *NOON_TO_ONE, "ben", "ana")],
            OnCall(("ben",), (("dee", "ben"),)),
            id="a swap hands the turn's shadow to whoever takes it over",
        ),
        pytest.param(
            [Override("replace", *NOON_TO_ONE, "ben", "ana", shadow="fay")],
            OnCall(("ben",), (("dee", "ben"), ("fay", "ben"))),
            id="a swap may bring a shadow of its own",
        ),
        pytest.param(
            [Override("remove", *NOON_TO_ONE, "ana")],
            OnCall(()),
            id="a turn taken away takes its shadow with it",
        ),
        pytest.param(
            [Override("remove", *NOON_TO_ONE, "dee")],
            OnCall(("ana",)),
            id="removing the shadow takes them off shadowing",
        ),
        pytest.param(
            [Override("add", *NOON_TO_ONE, "cy", shadow="fay")],
            OnCall(("ana", "cy"), (("dee", "ana"), ("fay", "cy"))),
            id="an added person's shadow shadows them only",
        ),
        pytest.param(
            [Override("shadow", *NOON_TO_ONE, "ana", shadow="fay")],
            OnCall(("ana",), (("dee", "ana"), ("fay", "ana"))),
            id="a shadow override pairs a shadow with the person on call",
        ),
        pytest.param(
            [
                Override("shadow", *NOON_TO_ONE, "cy", shadow="fay"),
                Override("replace", *NOON_TO_ONE, "cy", "ana"),
            ],
            OnCall(("cy",), (("dee", "cy"), ("fay", "cy"))),
            id="a shadow override pairs with whom the other overrides leave on call, "
            "whenever it was made",
        ),
        pytest.param(
            [Override("shadow", *NOON_TO_ONE, "ben", shadow="fay")],
            OnCall(("ana",), (("dee", "ana"),)),
            id="a shadow override of someone not on call pairs with nobody",
        ),
        pytest.param(
            [Override("add", *NOON_TO_ONE, "dee")],
            OnCall(("ana", "dee")),
            id="someone on call is nobody's shadow",
        ),
    ],
)
def test_overrides_move_and_bring_shadows(corrections, expected) -> None:
    schedule = daily(*LEARNERS, corrections=tuple(corrections))
    assert schedule.on_call(NOON) == expected
    assert schedule.on_call(ONE) == OnCall(("ana",), (("dee", "ana"),)), "until the override ends"


def test_segments_split_where_the_shadows_change_and_stretches_follow_each_pairing() -> None:
    schedule = daily(
        Shadow("dee"), corrections=(Override("shadow", NOON, ONE, "ana", shadow="fay"),)
    )
    segments = schedule.shifts(MONDAY, MONDAY + 2 * DAY)
    assert segments == [
        Segment(MONDAY, NOON, ("ana",), (("dee", "ana"),)),
        Segment(NOON, ONE, ("ana",), (("dee", "ana"), ("fay", "ana"))),
        Segment(ONE, MONDAY + DAY, ("ana",), (("dee", "ana"),)),
        Segment(MONDAY + DAY, MONDAY + 2 * DAY, ("ben",), (("dee", "ben"),)),
    ]
    assert shadow_shifts(segments) == [
        ShadowShift("dee", "ana", MONDAY, MONDAY + DAY),
        ShadowShift("fay", "ana", NOON, ONE),
        ShadowShift("dee", "ben", MONDAY + DAY, MONDAY + 2 * DAY),
    ]
    assert shadow_shifts(segments, "fay") == [ShadowShift("fay", "ana", NOON, ONE)]
    assert schedule.shifts_of("dee", MONDAY, MONDAY + 2 * DAY) == [], "a shadow is not on call"


def test_who_and_shifts_lines_mark_shadows() -> None:
    assert who_lines(OnCall(("ana",), (("dee", "ana"),))) == ["ana", "dee (shadow of ana)"]
    assert who_lines(OnCall(())) == ["nobody (gap)"]
    segment = Segment(NOON, ONE, ("ana", "cy"), (("dee", "ana"),))
    assert on_call_text(segment) == "ana, cy, dee (shadow of ana)"


@pytest.mark.parametrize(
    ("arguments", "message", "field"),
    [
        pytest.param(("shadow", NOON, ONE, "ana"), "names the shadow", "shadow", id="no shadow"),
        pytest.param(
            ("remove", NOON, ONE, "ana", None, "dee"),
            "nobody on call",
            "shadow",
            id="a remove with a shadow",
        ),
        pytest.param(
            ("add", NOON, ONE, "ana", None, "ana"),
            "cannot shadow themselves",
            "shadow",
            id="a shadow of oneself",
        ),
        pytest.param(
            ("shadow", NOON, ONE, "ana", "ben", "dee"),
            "only a replace override",
            "replaces",
            id="a shadow override naming whom it replaces",
        ),
        pytest.param(
            ("swap", NOON, ONE, "ana"), "add, remove, replace or shadow", "kind", id="bad kind"
        ),
    ],
)
def test_bad_shadow_overrides_are_invalid(arguments, message, field) -> None:
    with pytest.raises(Invalid, match=message) as raised:
        Override(*arguments)
    assert raised.value.field == field


def layer(**fields: object) -> dict[str, object]:
    return {
        "name": "weekly",
        "participants": ["ana", "ben"],
        "start": date(2024, 1, 8),
        "handoff": time(9),
        **fields,
    }


@pytest.mark.parametrize(
    ("shadows", "message"),
    [
        pytest.param(
            [{"person": "dee", "of": "cy"}],
            "shadows[0].of: 'cy' is not a participant of layer 'weekly'",
            id="of names someone without turns",
        ),
        pytest.param(
            [{"person": "ana", "of": "ana"}], "'ana' cannot shadow themselves", id="oneself"
        ),
        pytest.param(
            [{"person": "dee"}, {"person": "dee"}],
            "shadows[1]: 'dee' is written twice for the same turns",
            id="the same shadow twice",
        ),
        pytest.param([{"person": "dee", "when": "always"}], "Extra inputs", id="an unknown key"),
    ],
)
def test_bad_layer_shadows_are_refused(shadows, message) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        LayerSpec.model_validate(layer(shadows=shadows))


def test_a_spec_with_shadows_makes_the_model_with_them() -> None:
    spec = ScheduleSpec(
        name="primary",
        layers=[
            LayerSpec.model_validate(
                layer(shadows=[ShadowSpec(person="dee", of="ben"), ShadowSpec(person="eli")])
            )
        ],
    )
    schedule = spec.to_schedule()
    assert schedule.layers[0].shadows == (Shadow("dee", "ben"), Shadow("eli"))
    assert schedule.on_call(at("2024-01-15T10:00Z")) == OnCall(
        ("ben",), (("dee", "ben"), ("eli", "ben"))
    )


@st.composite
def shadowed(draw: st.DrawFn) -> tuple[Schedule, Schedule, datetime, datetime]:
    """A schedule, the same with shadows on its layers and shadowing overrides, and a range."""
    schedule, start, end = draw(schedules())
    learners = st.sampled_from((*PEOPLE, "eli"))
    layers = tuple(
        replace(
            layer,
            shadows=tuple(
                draw(
                    st.lists(
                        st.builds(Shadow, learners, st.one_of(st.none(), learners)),
                        max_size=2,
                    )
                )
            ),
        )
        for layer in schedule.layers
    )
    extra = tuple(
        Override("shadow", start, end, person, shadow=learner)
        for person, learner in draw(st.lists(st.tuples(st.sampled_from(PEOPLE), learners)))
        if person != learner
    )
    return schedule, Schedule(schedule.name, layers, schedule.overrides + extra), start, end


@settings(max_examples=60, deadline=None)
@given(shadowed())
def test_shadows_never_change_who_is_on_call(
    drawn: tuple[Schedule, Schedule, datetime, datetime],
) -> None:
    plain, with_shadows, start, end = drawn
    for instant in grid(start, end):
        now = with_shadows.on_call(instant)
        assert now.people == plain.who(instant)
        assert all(primary in now.people for _, primary in now.shadows)
        assert not {shadow for shadow, _ in now.shadows} & set(now.people)
    people = [(s.start, s.end, s.people) for s in plain.shifts(start, end)]
    merged: list[tuple[datetime, datetime, tuple[str, ...]]] = []
    for s in with_shadows.shifts(start, end):
        if merged and merged[-1][2] == s.people:
            merged[-1] = (merged[-1][0], s.end, s.people)
        else:
            merged.append((s.start, s.end, s.people))
    assert merged == people
