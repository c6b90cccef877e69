"""The tests' clock: one instant that stands still until a test moves it.

One `clock` fixture (tests/conftest.py) is handed to everything a test runs in-process: the
app (`create_app(..., clock)`), the worker (`run_jobs`), the CLI (`tests.support.cli.ninefold`)
and the factories, so every layer agrees on `now` and a test moves time for all of them at
once. It starts at the process's current time (whole seconds), so the faked-clock runs of
`scripts/test` exercise the code at another date; a test that needs a particular instant sets
it. Real servers the tests start (Prometheus, Uvicorn threads, Chromium) keep the process
clock, and tests talking to them read that clock too, never this one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ninefold.clock import system_clock


class FrozenClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or system_clock()).replace(microsecond=0)
        self._check(self._now)

    def __call__(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> datetime:
        self._check(instant)
        self._now = instant.astimezone(UTC)
        return self._now

    def advance(self, delta: timedelta = timedelta(0), **parts: float) -> datetime:
        """Move on by `delta` and/or `timedelta(**parts)`, e.g. `advance(minutes=5)`."""
        return self.set(self._now + delta + timedelta(**parts))

    @staticmethod
    def _check(instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError(f"naive instant {instant}: the clock keeps aware UTC times")
