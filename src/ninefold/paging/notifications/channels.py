"""The channels notifications go out by: those of the registry (ninefold.adapters.channels)
that the settings configure."""

from __future__ import annotations

from ninefold.adapters.channels import CHANNELS
from ninefold.clock import Clock
from ninefold.paging.notifications.delivery import Channel
from ninefold.settings import Settings


def channels(settings: Settings, clock: Clock) -> dict[str, Channel]:
    """The channels the settings configure (email only with an SMTP server); a notification
    by a missing channel fails with a message saying so, visible on the group's timeline."""
    found = {}
    for name, kind in CHANNELS.items():
        transport = kind.transport(settings, clock)
        if transport is not None:
            found[name] = Channel(transport, idempotent=kind.idempotent)
    return found
