"""The one source of the current time: everything that needs `now` is handed a `Clock`.

The entry points (the `ninefold` command, `create_app`, the worker) each take a clock and pass
it down; routes read it through `http.Now`, CLI commands through `cli_support.now_of`, jobs
get `JobContext.now`, and services and models take `now` as a parameter. A test, or a replay,
sets one clock and every layer agrees on the time. The wall clock is read here and nowhere
else (ruff's banned-api rule enforces it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current instant as an aware UTC datetime."""


def system_clock() -> datetime:
    return datetime.now(UTC)  # noqa: TID251 (the one place that reads the wall clock)
