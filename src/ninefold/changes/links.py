"""Which deploy caused an incident: the link rules of KPIS.md, pure.

An explicit link wins (the incident names the deploy, or the deploy names the incident it
caused); otherwise the incident is linked to the last deploy of its service or of a service
it depends on directly that finished in [impact start - window, impact start). The incidents
domain uses these rules too, and its page shows which one linked.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
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


class Linker:
    """The link rules over one set of deploys, indexed once: an incident's cause is then a
    dictionary lookup and a binary search per service, so linking every incident of a
    quarter to every deploy of it stays linear (DORA over a million deploys)."""

    def __init__(
        self,
        deploys: Iterable[Candidate],
        depends_on: Mapping[str, Iterable[str]],
        window: timedelta = DEFAULT_WINDOW,
    ) -> None:
        self.depends_on = depends_on
        self.window = window
        self.naming: dict[int, list[Candidate]] = defaultdict(list)
        by_service: dict[str, list[Candidate]] = defaultdict(list)
        for deploy in deploys:
            for incident in deploy.caused_incidents:
                self.naming[incident].append(deploy)
            by_service[deploy.service].append(deploy)
        self.by_service = {
            name: sorted(found, key=lambda d: (d.finished_at, d.id))
            for name, found in by_service.items()
        }
        self.finished = {
            name: [d.finished_at for d in found] for name, found in self.by_service.items()
        }

    def cause(
        self,
        incident: int,
        service: str | None,
        impact_start: datetime | None,
        named_deploy: int | None,
    ) -> Cause | None:
        """The deploy that caused `incident`, and the rule that says so; None when none does."""
        if named_deploy is not None:
            return Cause(named_deploy, LinkRule.INCIDENT_NAMES_DEPLOY)
        naming = self.naming.get(incident)
        if naming:
            first = min(naming, key=lambda d: (d.finished_at, d.id))
            return Cause(first.id, LinkRule.DEPLOY_NAMES_INCIDENT)
        if service is None or impact_start is None:
            return None
        last: Candidate | None = None
        for name in {service, *self.depends_on.get(service, ())}:
            index = bisect_left(self.finished.get(name, []), impact_start)
            if index == 0:
                continue
            found = self.by_service[name][index - 1]  # the latest finished before impact
            if found.finished_at >= impact_start - self.window and (
                last is None or (found.finished_at, found.id) > (last.finished_at, last.id)
            ):
                last = found
        return None if last is None else Cause(last.id, LinkRule.LAST_DEPLOY_BEFORE_IMPACT)


def cause_of(
    incident: int,
    service: str | None,
    impact_start: datetime | None,
    named_deploy: int | None,
    deploys: Sequence[Candidate],
    depends_on: Mapping[str, Iterable[str]],
    window: timedelta = DEFAULT_WINDOW,
) -> Cause | None:
    """The deploy that caused one incident (see `Linker` for many)."""
    return Linker(deploys, depends_on, window).cause(incident, service, impact_start, named_deploy)


def in_window(
    finished_at: datetime, opened_at: datetime, window: timedelta = DEFAULT_WINDOW
) -> bool:
    """Whether a change is among those shown as 'before' something that opened at
    `opened_at` (an alert group, an incident): in [opened - window, opened)."""
    return opened_at - window <= finished_at < opened_at
