"""The domain's messages to people and stakeholders: a role assignment, a status update, an
overdue action item, a team's weekly digest. Each is a row with an idempotency key before
anything is sent, then a send job, on the protocol of paging's notifications (see
`paging.notifications.delivery`): email and webhooks may repeat a send cut off by a crash
under the same key, Slack and Teams are marked `uncertain` instead.

A person with no way to be reached still gets a row, `unreachable`, so the incident page and
the action item list show who was not told, instead of the message vanishing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.adapters.notify import Message, SendFailed
from ninefold.auth.service import user_spec
from ninefold.db import insert_new, unit_of_work
from ninefold.incidents.tables import OutgoingMessage
from ninefold.paging.notifications.delivery import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNCERTAIN,
    Channel,
    retry_later,
)
from ninefold.worker import queue
from ninefold.worker.runner import JobContext

if TYPE_CHECKING:
    from ninefold.auth.tables import User

JOB_SEND = "incident.message.send"
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class Draft:
    """What to say, to whom it is addressed in words, and the key that makes it once."""

    purpose: str
    key: str
    subject: str
    text: str
    links: Sequence[tuple[str, str]] = ()
    """(title, path of the web UI)."""
    incident_id: int | None = None
    update_id: int | None = None
    action_item_id: int | None = None


@dataclass(frozen=True)
class Address:
    recipient: str
    contact: str
    kind: str
    address: str


def addresses_of(user: User) -> list[Address]:
    """Every contact method of a person: an incident message goes out on all at once (no
    notification rules: those pace a page's escalation, not a colleague's heads-up)."""
    return [
        Address(user.name, method.name, method.kind, method.address)
        for method in user_spec(user).effective_contact_methods()
    ]


def plan(session: Session, draft: Draft, to: Sequence[Address], now: datetime) -> int:
    """Record the message for each address and enqueue its send; how many were new."""
    return sum(_insert(session, draft, address, now) for address in to)


def plan_for(session: Session, draft: Draft, user: User, now: datetime) -> int:
    """The message to every contact method of `user`, or one `unreachable` row for them."""
    to = addresses_of(user) or [Address(user.name, "", "", "")]
    return plan(session, draft, to, now)


def planned(session: Session, prefix: str) -> bool:
    """Whether a message whose key starts with `prefix` was planned already."""
    query = select(OutgoingMessage.id).where(
        OutgoingMessage.idempotency_key.startswith(prefix, autoescape=True)
    )
    return session.scalars(query.limit(1)).first() is not None


def _insert(session: Session, draft: Draft, to: Address, now: datetime) -> int:
    key = f"{draft.key}:{to.contact}" if to.contact else draft.key
    inserted = insert_new(
        session,
        OutgoingMessage,
        {
            "purpose": draft.purpose,
            "incident_id": draft.incident_id,
            "update_id": draft.update_id,
            "action_item_id": draft.action_item_id,
            "recipient": to.recipient,
            "kind": to.kind or "none",
            "address": to.address,
            "idempotency_key": key,
            "subject": draft.subject,
            "text": draft.text,
            "links": [list(link) for link in draft.links],
            "due_at": now,
            "status": PENDING if to.kind else UNREACHABLE,
            "attempts": 0,
            "error": "" if to.kind else f"{to.recipient} has no contact method",
        },
        ["idempotency_key"],
    )
    if not inserted or not to.kind:
        return 0
    row_id = session.scalars(
        select(OutgoingMessage.id).where(OutgoingMessage.idempotency_key == key)
    ).one()
    queue.enqueue(
        session, JOB_SEND, {"message_id": row_id}, now, now=now, dedup_key=f"{JOB_SEND}:{row_id}"
    )
    return 1


class Sender:
    """The `incident.message.send` job handler. Links are stored as paths of the web UI
    (`/incidents/4`) and sent under the installation's public URL."""

    def __init__(self, channels: Mapping[str, Channel], base_url: str) -> None:
        self.channels = dict(channels)
        self.base_url = base_url.rstrip("/")

    def __call__(self, ctx: JobContext) -> None:
        message_id = int(ctx.payload["message_id"])
        with unit_of_work(ctx.factory) as session:
            row = session.scalar(
                select(OutgoingMessage).where(OutgoingMessage.id == message_id).with_for_update()
            )
            if row is None or not self._claim(row):
                return
            ctx.keep_lease(session)
            kind, address, attempts = row.kind, row.address, row.attempts
            message = Message(
                subject=row.subject,
                text=row.text,
                severity=row.purpose,
                idempotency_key=row.idempotency_key,
                links=tuple((title, self.base_url + path) for title, path in row.links),
            )
        try:
            self.channels[kind].transport.send(address, message)
        except SendFailed as exc:
            self._failed(ctx, message_id, exc, attempts)
            return
        row = ctx.session.get_one(OutgoingMessage, message_id)
        row.status, row.sent_at, row.error = SENT, ctx.now, ""

    def _claim(self, row: OutgoingMessage) -> bool:
        if row.status not in (PENDING, SENDING):
            return False
        channel = self.channels.get(row.kind)
        if channel is None:
            row.status, row.error = FAILED, f"no {row.kind} transport is configured"
            return False
        if row.status == SENDING and not channel.idempotent:
            row.status, row.error = UNCERTAIN, "a send was cut off; not repeated (no dedup)"
            return False
        row.status = SENDING
        row.attempts += 1
        return True

    def _failed(self, ctx: JobContext, message_id: int, exc: SendFailed, tries: int) -> None:
        again = retry_later(exc, tries, ctx.now)
        with unit_of_work(ctx.factory) as session:
            row = session.get_one(OutgoingMessage, message_id)
            row.error = exc.message
            row.status = FAILED if again is None else PENDING
        if again is not None:
            raise again
