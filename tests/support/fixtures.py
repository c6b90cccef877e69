"""Fixtures for the local servers in `tests.support`, registered in `tests/conftest.py`.

Each test gets its own server, so queued replies and received messages never leak between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_receiver import HttpReceiver
from tests.support.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as receiver:
        yield receiver
