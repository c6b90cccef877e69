"""The paging of benchmark (h)'s history: alert groups of the services' rules, the pages
escalation sends through each team's rotation, acknowledgements, resolutions, and the
answers to "was it actionable?".

Apart from the rest of the history (`history`) because it is the largest part of it and
depends only on the incidents it follows and the rotations it pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bench.kpis.world import (
    DAY,
    HISTORY_END,
    HISTORY_START,
    HOUR,
    NONE,
    ROTATION,
    RULES,
    US,
    Ints,
    World,
    lognormal_us,
    to_us,
)

if TYPE_CHECKING:  # `history` draws the paging after the incidents, so it imports this module
    from bench.kpis.history import Incidents

ESCALATE = 5 * 60  # seconds between escalation steps


@dataclass
class Paging:
    """Alert groups 1..n in order of opening, their pages and events."""

    service: Ints
    rule: Ints
    critical: npt.NDArray[np.bool_]
    opened: Ints
    acked: Ints  # NONE: never
    acked_by: list[str | None]
    resolved: Ints
    at_source: npt.NDArray[np.bool_]
    resolver: list[str]
    incident: dict[int, int]  # group id -> incident id
    page_group: list[int]
    page_step: list[int]
    page_user: list[str]
    page_at: list[int]
    answers: list[tuple[int, int, str]]  # (group id, at, answer)

    @property
    def groups(self) -> int:
        return len(self.opened)

    @property
    def pages(self) -> int:
        return len(self.page_group)


def _draw(rng: np.random.Generator, count: int) -> dict[str, Any]:
    """Each group's chances, relative to its first page (see `make_paging`)."""
    delay = lognormal_us(rng, 15, 1.0, count)
    flap = rng.random(count) < 0.1
    quiet = rng.random(count) < 0.05
    critical = rng.random(count) < 0.4
    ack = lognormal_us(rng, 240, 1.2, count)
    acked = np.where(flap, rng.random(count) < 0.1, rng.random(count) < 0.85)
    flap_for = rng.integers(60 * US, 600 * US + 1, count, dtype=np.int64)
    flap_for[rng.random(count) < 0.01] = 600 * US  # exactly ten minutes: still noise
    lasting = lognormal_us(rng, 40 * 60, 1.0, count)
    resolved = np.where(flap, flap_for - delay, np.where(acked, ack, 0) + lasting)
    acked &= ack <= resolved
    quiet |= resolved < 0  # resolved before anyone was paged
    until = np.where(acked, np.minimum(ack, resolved), resolved)
    steps = 1 + sum((until > k * ESCALATE * US).astype(np.int64) for k in (1, 2, 3))
    pages = np.where(quiet, 0, np.where(critical, np.maximum(steps, 2), steps))
    return {
        "delay": delay,
        "flap": flap,
        "quiet": quiet,
        "critical": critical,
        "ack": ack,
        "acked": acked,
        "resolved": resolved,
        "steps": steps,
        "pages": pages,
        "at_source": flap | (rng.random(count) < 0.5),
    }


def make_paging(pages: int, inc: Incidents, world: World, rng: np.random.Generator) -> Paging:
    """Groups of a service's eight alert rules, a log-normal share per service; six in ten
    incidents with an impact start have one of their first service opened a log-normal 4
    minutes after it. A tenth flap (resolved at the source within 1 to 10 minutes of opening,
    rarely acknowledged) and 5% page nobody (held back). The first page leaves a log-normal
    15 s after opening. Escalation pages the team's on-call person at once (and the next in
    the rotation too, for the 40% critical), the next in the rotation after 5 minutes, the
    lead after 10 and the manager after 15, until someone acknowledges (85%, a log-normal 4
    minutes after the first page) or the group resolves (a log-normal 40 minutes later).
    Half the others resolve at the source too. 45% of the groups are answered "was it
    actionable?" (yes 55%, no 35%, unsure 10%) after resolving, a tenth of those twice.
    Groups are as many as make about `pages` pages."""
    cat = world.cat
    services = len(cat.services)
    owner_index = [cat.teams.index(o) for o in cat.owners]
    linked = [k for k in range(inc.count) if inc.impact_start[k] != NONE and rng.random() < 0.6]
    per_group = float(_draw(np.random.default_rng(0), 100_000)["pages"].mean())
    count = max(len(linked) + 1, round(pages / per_group))
    weights = rng.lognormal(0.0, 1.0, services)
    service = rng.choice(services, count, p=weights / weights.sum()).astype(np.int64)
    span = to_us(HISTORY_END) - to_us(HISTORY_START) - DAY
    opened = to_us(HISTORY_START) + rng.integers(0, span, count, dtype=np.int64)
    soon = lognormal_us(rng, 240, 1.0, len(linked))
    for slot, k in enumerate(linked):
        service[slot] = inc.services[k][0]
        opened[slot] = inc.impact_start[k] + soon[slot]
    order = np.argsort(opened, kind="stable")
    where = np.empty(count, dtype=np.int64)
    where[order] = np.arange(count)
    incident = {int(where[slot]) + 1: k + 1 for slot, k in enumerate(linked)}
    service, opened = service[order], opened[order]
    rule = rng.integers(0, len(RULES), count).astype(np.int64)
    d = _draw(rng, count)
    first_page = opened + d["delay"]
    acked = np.where(d["acked"], first_page + d["ack"], NONE)
    resolved = first_page + d["resolved"]
    page_group: list[int] = []
    page_step: list[int] = []
    page_user: list[str] = []
    page_at: list[int] = []
    acked_by: list[str | None] = [None] * count
    resolver: list[str] = [""] * count
    team_of = [owner_index[s] for s in service.tolist()]
    first_l, steps_l = first_page.tolist(), d["steps"].tolist()
    quiet_l, critical_l = d["quiet"].tolist(), d["critical"].tolist()
    acked_l, source_l = d["acked"].tolist(), d["at_source"].tolist()
    for g in range(count):
        team = cat.teams[team_of[g]]
        people = world.members[team]
        turn = int(np.searchsorted(world.shifts[team], first_l[g], "right")) - 1
        primary = people[turn % ROTATION]
        secondary = people[(turn + 1) % ROTATION]
        recipients = [[primary], [secondary], [people[ROTATION]], [people[ROTATION + 1]]]
        if critical_l[g]:
            recipients[0].append(secondary)
        paged: list[str] = []
        if not quiet_l[g]:
            for step in range(steps_l[g]):
                for person in recipients[step]:
                    if person in paged:
                        continue
                    paged.append(person)
                    page_group.append(g + 1)
                    page_step.append(step)
                    page_user.append(person)
                    page_at.append(first_l[g] + step * ESCALATE * US)
        if acked_l[g]:
            acked_by[g] = paged[-1] if paged else primary
        resolver[g] = "source:alertmanager" if source_l[g] else (acked_by[g] or primary)
    answers: list[tuple[int, int, str]] = []
    answered = rng.random(count) < 0.45
    twice = rng.random(count) < 0.1
    pick = rng.choice(3, (count, 2), p=[0.55, 0.35, 0.10])
    after = rng.integers(60 * US, HOUR, (count, 2), dtype=np.int64)
    words = ("yes", "no", "unsure")
    resolved_l = resolved.tolist()
    for g in np.flatnonzero(answered).tolist():
        at = int(resolved_l[g] + after[g, 0])
        answers.append((g + 1, at, words[pick[g, 0]]))
        if twice[g]:
            answers.append((g + 1, at + int(after[g, 1]), words[pick[g, 1]]))
    return Paging(
        service=service,
        rule=rule,
        critical=d["critical"],
        opened=opened,
        acked=acked,
        acked_by=acked_by,
        resolved=resolved,
        at_source=d["at_source"],
        resolver=resolver,
        incident=incident,
        page_group=page_group,
        page_step=page_step,
        page_user=page_user,
        page_at=page_at,
        answers=answers,
    )
