"""Waiting for something another process does (a page arriving, a group resolving)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, seconds: float = 60) -> T:
    """The first truthy answer of `probe`, asked every 0.1 s; fails naming `what` after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:g} s"
        time.sleep(0.1)
