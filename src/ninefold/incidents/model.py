"""An incident's rules, pure: severities, the status it may move to, its instants as KPIS.md
reads them, the figures derived from them, and recurrence.

KPIS.md: an incident has impact start, detected (the first alert group linked to it opened,
or the declaration when earlier), acknowledged (the first acknowledgement of a linked group,
or of the incident), mitigated, resolved and impact end (defaults to mitigated). A missing
instant leaves the figures that need it undefined, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ninefold.errors import Conflict

RECURRENCE_WINDOW = timedelta(days=90)


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @property
    def significant(self) -> bool:
        """KPIS.md: SEV1 or SEV2."""
        return self in (Severity.SEV1, Severity.SEV2)


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


def check_move(current: Status, wanted: Status, *, reopen: bool = False) -> None:
    """An open incident may move to any other status, back included (a fix that did not
    hold); a resolved one only by reopening it, to an open status. Staying put, resolving
    twice included, is refused: the timeline would record a change that did not happen."""
    if wanted == current:
        raise Conflict(f"the incident is {current} already", field="status")
    if current is Status.RESOLVED and not reopen:
        raise Conflict("the incident is resolved: reopen it to change its status", field="status")
    if reopen and current is not Status.RESOLVED:
        raise Conflict(f"only a resolved incident can be reopened; it is {current}", field="status")
    if reopen and wanted is Status.RESOLVED:
        raise Conflict(
            "a reopened incident is open: investigating, identified or monitoring", field="status"
        )


@dataclass(frozen=True)
class Instants:
    """The instants as recorded: set by hand, or by events (a status change to resolved)."""

    declared: datetime
    impact_start: datetime | None = None
    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    impact_end: datetime | None = None


# Pairs that must come in this order when both are known, as they are written.
ORDER = (
    ("impact_start", "detected"),
    ("impact_start", "mitigated"),
    ("impact_start", "resolved"),
    ("impact_start", "impact_end"),
    ("detected", "acknowledged"),
    ("mitigated", "resolved"),
)


def order_problems(instants: Instants) -> list[tuple[str, str]]:
    """(field, message) for each instant that comes before one it must follow."""
    problems = []
    for earlier, later in ORDER:
        first, then = getattr(instants, earlier), getattr(instants, later)
        if first is not None and then is not None and then < first:
            problems.append(
                (
                    later,
                    f"{later.replace('_', ' ')} ({then.isoformat()}) comes before "
                    f"{earlier.replace('_', ' ')} ({first.isoformat()})",
                )
            )
    return problems


def effective(
    instants: Instants,
    groups_opened: Iterable[datetime] = (),
    groups_acknowledged: Iterable[datetime] = (),
) -> Instants:
    """The instants KPIS.md computes with. Detected: the first linked group's opening, or the
    declaration when earlier (a detected instant set by hand wins). Acknowledged: the first
    acknowledgement of a linked group or of the incident. Impact end: mitigated when unset."""
    opened = list(groups_opened)
    detected = instants.detected or min([*opened, instants.declared])
    acks = [a for a in (*groups_acknowledged, instants.acknowledged) if a is not None]
    return Instants(
        declared=instants.declared,
        impact_start=instants.impact_start,
        detected=detected,
        acknowledged=min(acks) if acks else None,
        mitigated=instants.mitigated,
        resolved=instants.resolved,
        impact_end=instants.impact_end or instants.mitigated,
    )


def anchor(instants: Instants) -> datetime:
    """The instant that places an incident in a period: impact start, else its declaration."""
    return instants.impact_start or instants.declared


@dataclass(frozen=True)
class Derived:
    """Minutes; None where an instant it needs is missing."""

    time_to_detect: float | None
    time_to_acknowledge: float | None
    time_to_mitigate: float | None
    time_to_recover: float | None
    customer_impact: float | None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def derived(effective_instants: Instants) -> Derived:
    """The figures of one incident, from its effective instants (see `effective`)."""
    i = effective_instants
    return Derived(
        time_to_detect=_minutes(i.impact_start, i.detected),
        time_to_acknowledge=_minutes(i.detected, i.acknowledged),
        time_to_mitigate=_minutes(i.impact_start, i.mitigated),
        time_to_recover=_minutes(i.impact_start, i.resolved),
        customer_impact=_minutes(i.impact_start, i.impact_end),
    )


def impact_overlap(i: Instants, start: datetime, end: datetime) -> float:
    """Minutes of [impact start, impact end) inside [start, end): an incident's share of a
    period's customer-impact minutes (0 when it has no impact window)."""
    if i.impact_start is None or i.impact_end is None:
        return 0.0
    first, last = max(i.impact_start, start), min(i.impact_end, end)
    return max((last - first).total_seconds() / 60, 0.0)


@dataclass(frozen=True)
class Past:
    """An earlier incident, as recurrence reads it."""

    id: int
    services: frozenset[str]
    category: str | None
    impact_start: datetime | None


def recurs_after(
    services: Iterable[str],
    category: str | None,
    impact_start: datetime | None,
    earlier: Sequence[Past],
    window: timedelta = RECURRENCE_WINDOW,
) -> list[int]:
    """The earlier incidents this one repeats (KPIS.md): a service in common, the same
    root-cause category, and an impact start in [own - 90 days, own), on UTC instants."""
    if category is None or impact_start is None:
        return []
    mine = set(services)
    return [
        past.id
        for past in earlier
        if past.category == category
        and past.impact_start is not None
        and impact_start - window <= past.impact_start < impact_start
        and mine & past.services
    ]
