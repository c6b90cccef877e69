"""The channel registry drives contact methods and the notification jobs: every channel's
address rule is checked where a contact method is written, and the jobs send through every
channel the settings configure."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ninefold.adapters.channels import CHANNELS
from ninefold.auth.schemas import ContactMethodSpec
from ninefold.paging.notifications.channels import channels
from ninefold.settings import Settings
from tests.support.clock import FrozenClock

GOOD = {"email": "oncall@shop.example", "url": "https://hooks.example.com/T0/B0/x"}
BAD = {"email": "https://hooks.example.com/x", "url": "oncall@shop.example"}


@pytest.mark.parametrize("kind", sorted(CHANNELS))
def test_each_channel_takes_the_address_its_rule_asks_for(kind: str) -> None:
    rule = CHANNELS[kind].address
    assert ContactMethodSpec(name="c", kind=kind, address=GOOD[rule]).address == GOOD[rule]
    with pytest.raises(ValidationError, match=f"address of this {kind} contact method"):
        ContactMethodSpec(name="c", kind=kind, address=BAD[rule])


def test_a_kind_no_channel_has_is_refused() -> None:
    with pytest.raises(ValidationError, match="kind"):
        ContactMethodSpec(name="c", kind="pigeon", address="coop")


def test_the_jobs_send_through_every_channel_the_settings_configure(clock: FrozenClock) -> None:
    without_smtp = channels(Settings(), clock)
    assert set(without_smtp) == set(CHANNELS) - {"email"}
    with_smtp = channels(Settings(smtp_host="127.0.0.1"), clock)
    assert set(with_smtp) == set(CHANNELS)
    assert {name: c.idempotent for name, c in with_smtp.items()} == {
        name: kind.idempotent for name, kind in CHANNELS.items()
    }
