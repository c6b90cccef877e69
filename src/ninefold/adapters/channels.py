"""The channels a person can be reached by, one entry each: the transport that sends, what
the address must be, and whether the other end recognises a repeated message.

A new channel (Pushover, an SMS gateway, ntfy) is its transport module in `adapters` and one
entry here: contact methods (`users[].contact_methods[].kind` and the address check),
`ninefold check`, the configuration reference and the notification jobs read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ninefold.adapters.chat import SlackTransport, TeamsTransport
from ninefold.adapters.notify import Transport
from ninefold.adapters.smtp import SmtpTransport
from ninefold.adapters.webhook import WebhookTransport
from ninefold.clock import Clock
from ninefold.settings import Settings

Address = Literal["email", "url"]


@dataclass(frozen=True)
class ChannelKind:
    """`transport(settings, clock)` gives the channel's transport, or None when the settings
    configure none (email without an SMTP server); `idempotent` says the receiving end drops
    a message it has seen under the same idempotency key, so a send cut off by a crash may be
    repeated."""

    address: Address
    idempotent: bool
    transport: Callable[[Settings, Clock], Transport | None]
    description: str


def _smtp(settings: Settings, clock: Clock) -> Transport | None:
    if not settings.smtp_host:
        return None
    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        clock=clock,
    )


CHANNELS: dict[str, ChannelKind] = {
    "email": ChannelKind("email", True, _smtp, "an email address, through the SMTP server"),
    "slack": ChannelKind(
        "url", False, lambda _s, _c: SlackTransport(), "a Slack incoming-webhook URL"
    ),
    "teams": ChannelKind(
        "url", False, lambda _s, _c: TeamsTransport(), "a Microsoft Teams incoming-webhook URL"
    ),
    "webhook": ChannelKind(
        "url", True, lambda _s, clock: WebhookTransport(clock=clock), "any URL, as JSON"
    ),
}

if TYPE_CHECKING:
    ChannelName = str
else:
    ChannelName = Literal[tuple(CHANNELS)]
