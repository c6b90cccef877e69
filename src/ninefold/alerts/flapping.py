"""Flapping: an alert that keeps changing state is flagged, and its group stops re-paging.

Nagios measures flapping as the percentage of state changes over an alert's last 21 checks.
A webhook source has no checks to count: it reports only the changes themselves, whenever
they happen. So Ninefold counts an alert's changes within a sliding window of time instead:
with the defaults, 6 changes within an hour (fired and resolved three times) is flapping.

The flag has hysteresis, as Nagios's has: it is set at `start` changes but cleared only at
`stop` changes or fewer. An alert hovering around one threshold would otherwise be flagged
and unflagged at every change, which is the very noise the flag is there to stop. Worked
example with the defaults: the counts 5, 6, 5, 4, 3, 2 give the flags off, on, on, on, on,
off: set at 6, held through 5 to 3, cleared at 2.

Pure: instants in, counts and flags out; `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FlapPolicy:
    """When an alert is flapping: `start` changes within `window` set the flag, and it stays
    set until the window holds `stop` changes or fewer."""

    window: timedelta = timedelta(hours=1)
    start: int = 6
    stop: int = 2

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ValueError(f"window must be positive, got {self.window}")
        if self.start < 2:
            raise ValueError(f"start must be at least 2 (a fire and a resolve), got {self.start}")
        if not 0 <= self.stop < self.start:
            raise ValueError(f"stop must be from 0 to {self.start - 1}, got {self.stop}")

    @property
    def recheck(self) -> timedelta:
        """How often a set flag is checked again: a quarter of the window. A source that goes
        quiet sends nothing that could clear the flag, so a job must look; this bounds how long
        the flag outlives the last change beyond the window itself."""
        return self.window / 4


DEFAULT_POLICY = FlapPolicy()


def changes_in_window(policy: FlapPolicy, instants: Iterable[datetime], now: datetime) -> int:
    """The changes in the window ending at `now`: those in (now - window, now]."""
    since = now - policy.window
    return sum(1 for at in instants if since < at <= now)


def next_flag(policy: FlapPolicy, changes: int, *, flapping: bool) -> bool:
    """Whether the alert flaps after this count, given whether it flapped before."""
    if changes >= policy.start:
        return True
    if changes <= policy.stop:
        return False
    return flapping
