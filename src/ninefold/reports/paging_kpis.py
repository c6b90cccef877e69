"""The paging and alert quality KPIs of KPIS.md, pure.

A page is the first notification of an alert group to one person; its sent time is when that
notification left Ninefold. A paged group belongs to the period holding its first page to
anyone. Shifts are stretches of one person on call in one schedule.

Where KPIS.md leaves room (written down in docs/kpis.md as well):
- on-call hours of a person on call in two schedules at once are counted once (the union of
  their shifts), for pages per on-call hour and fairness alike;
- a group resolved "at the source" is one whose alerts all resolved (not resolved by a
  person), and the 10 minutes of the noise rule are counted from its opening;
- off-hours use the recipient's zone as it is now (a person who moved has their new zone);
- a shadow (someone learning on-call, paged with the person they shadow) is on call for none
  of these figures: their pages and hours are theirs (`shadow_shares`), never the team's. The
  records hold the team's pages and shifts only, unless asked for the shadows' too (marked
  `shadow`), which only the on-call load asks for and `fairness` leaves out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ninefold.changes.dora import Period
from ninefold.reports.figures import Durations, Left, Ratio, durations, ratio

WORK_START, WORK_END = time(9), time(18)
SLEEP_START, SLEEP_END = time(22), time(7)
QUICK_RESOLVE = timedelta(minutes=10)


@dataclass(frozen=True)
class PageRecord:
    group_id: int
    user: str
    sent_at: datetime
    time_zone: str
    holidays: frozenset[date] = frozenset()
    """Of the recipient's teams."""
    shadow: bool = False
    """Sent to them as a shadow: theirs alone, in no team figure."""


@dataclass(frozen=True)
class GroupRecord:
    id: int
    alertname: str
    service: str | None
    opened_at: datetime
    first_page_at: datetime | None
    acknowledged_at: datetime | None
    """Its first acknowledgement by anyone."""
    resolved_at: datetime | None = None
    resolved_at_source: bool = False
    answer: str | None = None
    """yes, no or unsure: "was the page actionable?"."""
    flapped: bool = False
    """An alert of it was flagged flapping at some point."""


@dataclass(frozen=True)
class ShiftRecord:
    schedule: str
    user: str
    start: datetime
    end: datetime
    shadow: bool = False
    """A stretch shadowing someone: not on call, in no team figure."""


def paged_in(groups: Iterable[GroupRecord], period: Period) -> list[GroupRecord]:
    return [g for g in groups if g.first_page_at is not None and period.holds(g.first_page_at)]


@dataclass(frozen=True)
class AckTime:
    durations: Durations
    unacknowledged: tuple[int, ...] = field(default=())


def mtta(groups: Iterable[GroupRecord], period: Period) -> AckTime:
    """First acknowledgement by anyone - first page to anyone, per paged group of the
    period; those never acknowledged are counted apart."""
    values, never = [], []
    for group in paged_in(groups, period):
        if group.acknowledged_at is None or group.first_page_at is None:
            never.append(group.id)
            continue
        values.append(
            (group.id, (group.acknowledged_at - group.first_page_at).total_seconds() / 60)
        )
    left = [Left(g, "never acknowledged") for g in never]
    return AckTime(durations(values, left), tuple(never))


def _local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def off_hours(page: PageRecord) -> bool:
    """Outside Monday to Friday [09:00, 18:00) in the recipient's zone, or on a holiday of
    their team."""
    local = _local(page.sent_at, page.time_zone)
    working = local.weekday() < 5 and WORK_START <= local.time() < WORK_END
    return not working or local.date() in page.holidays


def sleep_hours(page: PageRecord) -> bool:
    """[22:00, 07:00) in the recipient's zone, any day."""
    clock = _local(page.sent_at, page.time_zone).time()
    return clock >= SLEEP_START or clock < SLEEP_END


def _shifts_of(shifts: Iterable[ShiftRecord]) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each person's on-call time as disjoint intervals (overlapping shifts merged)."""
    by_user: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for shift in sorted(shifts, key=lambda s: (s.user, s.start)):
        spans = by_user[shift.user]
        if spans and shift.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], shift.end))
        else:
            spans.append((shift.start, shift.end))
    return by_user


def _clipped_hours(spans: Iterable[tuple[datetime, datetime]], period: Period) -> float:
    total = 0.0
    for start, end in spans:
        overlap = (min(end, period.end) - max(start, period.start)).total_seconds()
        total += max(overlap, 0.0) / 3600
    return total


def _on_call(page: PageRecord, spans: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(start <= page.sent_at < end for start, end in spans)


@dataclass(frozen=True)
class Load:
    pages: int
    per: float | None
    """Pages per shift, or per on-call hour."""
    base: float
    """Shifts, or on-call hours."""


def pages_per_shift(
    pages: Sequence[PageRecord], shifts: Iterable[ShiftRecord], period: Period
) -> Load:
    """Over the shifts starting in the period: pages sent to the shift's person during the
    shift / those shifts."""
    mine = [s for s in shifts if period.holds(s.start)]
    count = sum(1 for s in mine for p in pages if p.user == s.user and s.start <= p.sent_at < s.end)
    return Load(count, count / len(mine) if mine else None, float(len(mine)))


def pages_per_on_call_hour(
    pages: Iterable[PageRecord], shifts: Iterable[ShiftRecord], period: Period
) -> Load:
    """Pages sent in the period to a person while on call / their on-call hours clipped to
    the period."""
    spans = _shifts_of(shifts)
    hours = sum(_clipped_hours(s, period) for s in spans.values())
    count = sum(1 for p in pages if period.holds(p.sent_at) and _on_call(p, spans.get(p.user, [])))
    return Load(count, count / hours if hours else None, hours)


def actionable_ratio(groups: Iterable[GroupRecord], period: Period) -> Ratio:
    """Paged groups of the period resolved with "yes" / those resolved with yes or no."""
    answered = [
        g
        for g in paged_in(groups, period)
        if g.resolved_at is not None and g.answer in ("yes", "no")
    ]
    return ratio([g.id for g in answered], [g.id for g in answered if g.answer == "yes"])


def noisy(group: GroupRecord) -> bool:
    """Answered "no", or resolved at the source within 10 minutes (inclusive) of opening
    with no acknowledgement."""
    if group.answer == "no":
        return True
    return (
        group.resolved_at_source
        and group.acknowledged_at is None
        and group.resolved_at is not None
        and group.resolved_at - group.opened_at <= QUICK_RESOLVE
    )


def noise_ratio(groups: Iterable[GroupRecord], period: Period) -> Ratio:
    paged = paged_in(groups, period)
    return ratio([g.id for g in paged], [g.id for g in paged if noisy(g)])


@dataclass(frozen=True)
class Talker:
    alertname: str
    service: str | None
    pages: int
    actionable: Ratio
    ack: AckTime


def top_talkers(
    groups: Sequence[GroupRecord], pages: Iterable[PageRecord], period: Period, limit: int = 10
) -> list[Talker]:
    """Alert rules (alertname and service) by pages sent in the period, most first."""
    by_group = {g.id: g for g in groups}
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    for page in pages:
        group = by_group.get(page.group_id)
        if group is not None and period.holds(page.sent_at):
            counts[(group.alertname, group.service)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
    talkers = []
    for (name, service), count in ranked[:limit]:
        mine = [g for g in groups if (g.alertname, g.service) == (name, service)]
        talkers.append(
            Talker(name, service, count, actionable_ratio(mine, period), mtta(mine, period))
        )
    return talkers


@dataclass(frozen=True)
class Share:
    user: str
    hours: float
    pages: int
    off_hours_pages: int
    sleep_hours_pages: int = 0
    shadow: bool = False
    """Their hours and pages as a shadow, apart from any of their own turns."""


@dataclass(frozen=True)
class Fairness:
    participants: tuple[Share, ...]
    spread: float | None
    """max / min of on-call hours among the participants; None when someone has none."""


def fairness(
    shifts: Sequence[ShiftRecord], pages: Sequence[PageRecord], period: Period, schedule: str
) -> Fairness:
    """Per participant of `schedule` (anyone with a shift of it overlapping the period): their
    on-call hours in it clipped to the period, and the pages and off-hours pages they got in
    the period. Shadows are no participants (see `shadow_shares`)."""
    shares = _shares(shifts, pages, period, schedule, shadow=False)
    least = min((s.hours for s in shares), default=0.0)
    spread = max(s.hours for s in shares) / least if shares and least > 0 else None
    return Fairness(tuple(shares), spread)


def shadow_shares(
    shifts: Sequence[ShiftRecord], pages: Sequence[PageRecord], period: Period, schedule: str
) -> tuple[Share, ...]:
    """Per shadow of `schedule` in the period: the hours they shadowed someone there, clipped
    to the period, and the pages they got as a shadow in it: their own load as a learner."""
    return tuple(_shares(shifts, pages, period, schedule, shadow=True))


def _shares(
    shifts: Sequence[ShiftRecord],
    pages: Sequence[PageRecord],
    period: Period,
    schedule: str,
    *,
    shadow: bool,
) -> list[Share]:
    spans = _shifts_of(s for s in shifts if s.schedule == schedule and s.shadow == shadow)
    shares = []
    for user in sorted(spans):
        hours = _clipped_hours(spans[user], period)
        if hours <= 0:
            continue
        received = [
            p for p in pages if p.user == user and p.shadow == shadow and period.holds(p.sent_at)
        ]
        shares.append(
            Share(
                user,
                hours,
                len(received),
                sum(off_hours(p) for p in received),
                sum(sleep_hours(p) for p in received),
                shadow,
            )
        )
    return shares


TUNE_BELOW = 0.5
"""An alert rule whose pages were actionable less than half the time should be tuned."""


@dataclass(frozen=True)
class RuleQuality:
    """One alert rule's figures, and whether to tune or delete it, with the evidence."""

    talker: Talker
    noise: Ratio
    off_hours_pages: int
    sleep_hours_pages: int
    tune_or_delete: bool
    evidence: str
    resolve: Durations
    """Opened to resolved, of its paged groups of the period that are resolved."""
    flapped: int
    """Its paged groups of the period that flapped."""


def time_to_resolve(groups: Iterable[GroupRecord], period: Period) -> Durations:
    """Resolved - opened, per paged group of the period; open ones are left out."""
    paged = paged_in(groups, period)
    values = [
        (g.id, (g.resolved_at - g.opened_at).total_seconds() / 60)
        for g in paged
        if g.resolved_at is not None
    ]
    left = [Left(g.id, "still open") for g in paged if g.resolved_at is None]
    return durations(values, left)


def alert_quality(
    groups: Sequence[GroupRecord],
    pages: Sequence[PageRecord],
    period: Period,
    min_pages: int = 5,
) -> list[RuleQuality]:
    """Every alert rule that paged in the period, most pages first. A rule with at least
    `min_pages` pages whose actionable ratio is under 50% is flagged "tune or delete"; one
    with no answers cannot be judged and is not flagged (the evidence says so)."""
    by_group = {g.id: g for g in groups}
    found = []
    for talker in top_talkers(groups, pages, period, limit=len(groups)):
        rule = (talker.alertname, talker.service)
        mine = [g for g in groups if (g.alertname, g.service) == rule]
        sent = [
            p
            for p in pages
            if period.holds(p.sent_at)
            and (by_group[p.group_id].alertname, by_group[p.group_id].service) == rule
        ]
        actionable = talker.actionable.value
        flagged = talker.pages >= min_pages and actionable is not None and actionable < TUNE_BELOW
        paged = f"{talker.pages} page{'' if talker.pages == 1 else 's'}"
        if actionable is None:
            evidence = f"{paged}, none answered yet"
        else:
            evidence = (
                f"{paged}; {talker.actionable.numerator} of "
                f"{talker.actionable.denominator} answered actionable ({actionable:.0%})"
            )
        found.append(
            RuleQuality(
                talker,
                noise_ratio(mine, period),
                sum(off_hours(p) for p in sent),
                sum(sleep_hours(p) for p in sent),
                flagged,
                evidence,
                time_to_resolve(mine, period),
                sum(g.flapped for g in paged_in(mine, period)),
            )
        )
    return found
