"""Freeze windows, pure: which hold a service at an instant, and what may pass anyway."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Window:
    name: str
    starts: datetime
    ends: datetime
    reason: str
    teams: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    def covers(self, service: str, team: str | None) -> bool:
        """A window naming neither teams nor services holds every service; otherwise it
        holds the services it names and those of the teams it names."""
        if not self.teams and not self.services:
            return True
        return service in self.services or (team is not None and team in self.teams)

    def describe(self) -> str:
        return f"{self.name}: {self.reason}"


def holding(
    windows: Iterable[Window], instant: datetime, service: str, team: str | None
) -> list[Window]:
    """The windows in force at `instant` ([starts, ends)) that hold the service."""
    return [w for w in windows if w.starts <= instant < w.ends and w.covers(service, team)]


EXCEPTIONS = ("rollback", "security fix")
"""What a freeze lets through: undoing a change, and closing a vulnerability."""


def excepted(*, rollback: bool, security_fix: bool) -> str | None:
    """The exception a change falls under, if any."""
    if rollback:
        return EXCEPTIONS[0]
    if security_fix:
        return EXCEPTIONS[1]
    return None


def summary(windows: Sequence[Window]) -> str | None:
    return "; ".join(w.describe() for w in windows) or None
