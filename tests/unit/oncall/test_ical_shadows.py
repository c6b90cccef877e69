"""A shadow's stretches in the calendar feeds: events of their own, named as shadowing, with
UIDs of their own."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ninefold.oncall import ical
from ninefold.oncall.schedule import Override, Schedule, Shadow
from tests.unit.oncall.test_ical import NOW, events, primary


def shadowed(*overrides: Override) -> Schedule:
    """The feed tests' schedule with eli shadowing ana's daytime turns."""
    plain = primary(*overrides)
    nights, days = plain.layers
    return replace(plain, layers=(nights, replace(days, shadows=(Shadow("eli", "ana"),))))


def test_a_shadows_feed_holds_the_turns_they_shadow_named_so() -> None:
    schedule = shadowed()
    window = ical.feed_window(NOW)
    found = events(ical.person_calendar("eli", [schedule], window, NOW))
    wide = schedule.shifts(window[0] - ical.MARGIN, window[1] + ical.MARGIN)
    ana = [
        (s.start, s.end)
        for s in schedule.shifts_of("ana", window[0] - ical.MARGIN, window[1] + ical.MARGIN)
        if s.start < window[1] and window[0] < s.end
    ]
    assert [(start, end) for _, start, end, _ in found] == ana, "ana's turns, whole"
    assert {summary for summary, *_ in found} == {"Shadowing ana: primary"}
    assert all("/eli/shadowing/ana/" in uid for *_, uid in found)
    assert ical.stretches(wide).get("eli") is None, "eli is never on call"


def test_a_schedule_feed_shows_shadows_beside_the_people_on_call() -> None:
    schedule = shadowed(Override("shadow", NOW, NOW + timedelta(hours=2), "dee", shadow="fay"))
    found = events(ical.schedule_calendar(schedule, ical.feed_window(NOW), NOW))
    summaries = {summary for summary, *_ in found}
    assert {"eli shadowing ana (primary)", "ana on call (primary)"} <= summaries
    uids = [uid for *_, uid in found]
    assert len(uids) == len(set(uids))
    fay = [(start, end) for summary, start, end, _ in found if summary.startswith("fay")]
    dee_now = [s for s in schedule.shifts(NOW, NOW + timedelta(hours=2)) if "dee" in s.people]
    assert fay == ([(NOW, NOW + timedelta(hours=2))] if dee_now else [])
