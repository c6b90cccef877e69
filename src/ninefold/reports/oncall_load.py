"""On-call load per schedule: the team's figures (hours on call, pages, off-hours and
sleep-hours pages, the fairness spread) and each participant's share (KPIS.md, fairness).

A shadow's hours and pages are a row of their own, marked `shadow` (after the participants'),
and count in no team figure: learning on-call is load on the learner, not on the rotation.

Individual figures are shown to their person and to admins only (KPIS.md, seed 002: no
leaderboard of people): `seen_by` keeps the team figures whole and drops other people's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ninefold.auth.model import Principal
from ninefold.changes.dora import Period
from ninefold.reports.paging_kpis import PageRecord, Share, ShiftRecord, fairness, shadow_shares


@dataclass(frozen=True)
class ScheduleLoad:
    schedule: str
    team: str | None
    hours: float
    pages: int
    off_hours_pages: int
    sleep_hours_pages: int
    spread: float | None
    """max / min of the participants' on-call hours."""
    people: tuple[Share, ...]
    """The participants' shares, then the shadows' (marked `shadow`)."""
    participants: int
    """How many people shared it, shadows not counted (rows may be hidden from the reader)."""

    @property
    def pages_per_hour(self) -> float | None:
        return self.pages / self.hours if self.hours else None


def load(
    shifts: Sequence[ShiftRecord],
    pages: Sequence[PageRecord],
    period: Period,
    schedules: Mapping[str, str | None],
) -> list[ScheduleLoad]:
    """Every schedule of `schedules` (name: team) someone was on call for in the period. A
    schedule's figures are the sums of its participants' (someone on call in two schedules
    counts in both, as their pages are theirs in each); its shadows' rows follow, counted in
    none of them."""
    found = []
    for name in sorted(schedules):
        fair = fairness(shifts, pages, period, name)
        if not fair.participants:
            continue
        people = fair.participants
        found.append(
            ScheduleLoad(
                schedule=name,
                team=schedules[name],
                hours=sum(p.hours for p in people),
                pages=sum(p.pages for p in people),
                off_hours_pages=sum(p.off_hours_pages for p in people),
                sleep_hours_pages=sum(p.sleep_hours_pages for p in people),
                spread=fair.spread,
                people=people + shadow_shares(shifts, pages, period, name),
                participants=len(people),
            )
        )
    return found


def seen_by(loads: Sequence[ScheduleLoad], reader: Principal) -> list[ScheduleLoad]:
    """What `reader` may see: everything for an admin, else the team figures and their own
    row."""
    if reader.is_admin:
        return list(loads)
    return [
        replace(load, people=tuple(p for p in load.people if p.user == reader.name))
        for load in loads
    ]
