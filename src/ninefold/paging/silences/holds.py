"""What holds a group's paging back: a silence matching its alerts, or a maintenance window on
its service. Pure: the caller loads the silences and windows; this decides.

A silence holds a group when every firing alert of the group matches all its matchers (the
labels matched are the alert's own, plus `service` and `severity` as routing sees them), so one
unrelated alert in the group still pages. A maintenance window holds every group of its service.
When several hold at once, the one ending last is named: paging cannot resume before it ends,
and when it does, everything is looked at again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ninefold.paging.silences.matchers import matches_all, parse

HoldKind = Literal["silence", "maintenance"]
AtEnd = Literal["page", "quiet"]


@dataclass(frozen=True)
class Hold:
    kind: HoldKind
    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    by: str
    at_end: AtEnd = "page"

    @property
    def key(self) -> str:
        """How an escalation records what holds it, e.g. "silence:3"."""
        return f"{self.kind}:{self.id}"

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class SilenceRule:
    hold: Hold
    matchers: Sequence[str]

    def covers(self, alerts: Sequence[Mapping[str, str]]) -> bool:
        parsed = [parse(text) for text in self.matchers]
        return bool(alerts) and all(matches_all(parsed, dict(labels)) for labels in alerts)


@dataclass(frozen=True)
class WindowRule:
    hold: Hold
    service: str


def holding(
    silences: Iterable[SilenceRule],
    windows: Iterable[WindowRule],
    alerts: Sequence[Mapping[str, str]],
    service: str | None,
    now: datetime,
) -> Hold | None:
    """The hold on a group whose firing alerts carry `alerts` labels, or None: page."""
    found = [s.hold for s in silences if s.hold.active(now) and s.covers(alerts)]
    found += [w.hold for w in windows if w.hold.active(now) and w.service == service]
    return max(found, key=lambda h: (h.ends_at, h.kind, h.id), default=None)
