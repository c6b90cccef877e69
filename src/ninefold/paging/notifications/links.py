"""Signed, expiring links that acknowledge or resolve an alert group without logging in.

A link carries the group, the action, the person it was sent to, when it was sent and when
it expires, signed with the installation's own key (HMAC-SHA256). It grants that one action
on that one group, for the page it came with: once the group is triggered again (an
"escalate now", a snooze that ran out), links sent before stop working, so an old email
cannot acknowledge the new page. Using a link twice is harmless because acting twice changes
nothing. It acts as the person it was sent to, with their role at the time of use: a person
whose role no longer allows acting on alerts (a viewer), or who was disabled, cannot act
through it. Opening it shows a page with a button: the action is a POST, so mail scanners
that fetch every link act on nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from ninefold import signing
from ninefold.db import insert_new
from ninefold.errors import Invalid
from ninefold.paging.tables import InstanceSecret

LinkAction = Literal["ack", "resolve"]
LINK_LIFETIME = timedelta(hours=24)
LINK_PATH = "/act/"
_SECRET_NAME = "action_links"  # noqa: S105 (the secret's name, not a secret)


@dataclass(frozen=True)
class Grant:
    group_id: int
    action: LinkAction
    person: str
    expires: datetime
    issued: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: str, grant: Grant) -> str:
    body = json.dumps(
        {
            "g": grant.group_id,
            "a": grant.action,
            "p": grant.person,
            "e": int(grant.expires.timestamp()),
            "i": int(grant.issued.timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    mac = signing.sign(secret, body).removeprefix(signing.PREFIX)
    return f"{_b64(body)}.{_b64(bytes.fromhex(mac))}"


def read_token(secret: str, token: str, now: datetime) -> Grant:
    """The grant a token carries; `Invalid` when it is forged, damaged or expired."""
    try:
        encoded, mac = token.split(".", 1)
        body = _unb64(encoded)
        header = signing.PREFIX + _unb64(mac).hex()
    except (ValueError, binascii.Error):
        raise Invalid("this link is damaged; use the one in the notification") from None
    if not signing.verify(secret, body, header):
        raise Invalid("this link is not valid for this installation")
    fields = json.loads(body)
    expires = datetime.fromtimestamp(fields["e"], UTC)
    # Links made before `i` existed were all issued one lifetime before they expire.
    issued = datetime.fromtimestamp(fields["i"], UTC) if "i" in fields else expires - LINK_LIFETIME
    grant = Grant(int(fields["g"]), fields["a"], str(fields["p"]), expires, issued)
    if grant.expires <= now:
        raise Invalid(f"this link expired at {grant.expires.isoformat()}; act in Ninefold instead")
    return grant


def instance_secret(session: Session, now: datetime) -> str:
    """The installation's link-signing key, made on first use; racing makers agree on one."""
    insert_new(
        session,
        InstanceSecret,
        {"name": _SECRET_NAME, "value": secrets.token_urlsafe(48), "created_at": now},
        ["name"],
    )
    return session.get_one(InstanceSecret, _SECRET_NAME).value


def action_url(base_url: str, secret: str, grant: Grant) -> str:
    return f"{base_url}{LINK_PATH}{make_token(secret, grant)}"
