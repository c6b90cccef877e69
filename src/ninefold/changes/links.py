"""Which deploy caused an incident: the link rules of KPIS.md, pure.

An explicit link wins (the incident names the deploy, or the deploy names the incident it
caused); otherwise the incident is linked to the last deploy of its service or of a service
it depends on directly that finished in [impact start - window, impact start). The incidents
domain uses these rules too, and its page shows which one linked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_WINDOW = timedelta(hours=24)


class LinkRule(StrEnum):
    INCIDENT_NAMES_DEPLOY = "the incident names the deploy"
    DEPLOY_NAMES_INCIDENT = "the deploy names the incident it caused"
    LAST_DEPLOY_BEFORE_IMPACT = "the last deploy of the service or a dependency before impact"


@dataclass(frozen=True)
class Candidate:
    """A deploy as the link rules read it."""

    id: int
    service: str
    finished_at: datetime
    caused_incidents: tuple[int, ...] = ()


@dataclass(frozen=True)
class Cause:
    deploy: int
    rule: LinkRule


def cause_of(
    incident: int,
    service: str | None,
    impact_start: datetime | None,
    named_deploy: int | None,
    deploys: Sequence[Candidate],
    depends_on: Mapping[str, Iterable[str]],
    window: timedelta = DEFAULT_WINDOW,
) -> Cause | None:
    """The deploy that caused `incident`, and the rule that says so; None when none does."""
    if named_deploy is not None:
        return Cause(named_deploy, LinkRule.INCIDENT_NAMES_DEPLOY)
    naming = [d for d in deploys if incident in d.caused_incidents]
    if naming:
        first = min(naming, key=lambda d: (d.finished_at, d.id))
        return Cause(first.id, LinkRule.DEPLOY_NAMES_INCIDENT)
    if service is None or impact_start is None:
        return None
    near = {service, *depends_on.get(service, ())}
    before = [
        d
        for d in deploys
        if d.service in near and impact_start - window <= d.finished_at < impact_start
    ]
    if not before:
        return None
    last = max(before, key=lambda d: (d.finished_at, d.id))
    return Cause(last.id, LinkRule.LAST_DEPLOY_BEFORE_IMPACT)


def in_window(
    finished_at: datetime, opened_at: datetime, window: timedelta = DEFAULT_WINDOW
) -> bool:
    """Whether a change is among those shown as 'before' something that opened at
    `opened_at` (an alert group, an incident): in [opened - window, opened)."""
    return opened_at - window <= finished_at < opened_at
