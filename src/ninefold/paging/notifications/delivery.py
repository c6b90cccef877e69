"""Notifications: planned when a person is paged, sent by the worker, each exactly once.

Every notification is a row with an idempotency key before anything is sent, and a send job
named after it. Sending goes in three moves: mark the row `sending` and commit; send; mark it
`sent` together with the job's completion. A worker that dies in the middle leaves `sending`
behind, and whoever runs the job next knows a copy may be out: email and webhooks are sent
again under the same key (the Message-ID and the Idempotency-Key header let the receiving end
drop the copy), while Slack and Teams, which cannot tell copies apart, are marked `uncertain`
instead of risking a second message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.adapters.notify import Message, SendFailed, Transport, retry_after_seconds
from ninefold.alerts import groups
from ninefold.alerts.service import TRIGGERED
from ninefold.auth.service import user_by_id, user_spec
from ninefold.db import insert_new, unit_of_work
from ninefold.paging.tables import Notification, Page
from ninefold.worker import queue
from ninefold.worker.runner import JobContext, RetryLater

if TYPE_CHECKING:
    from ninefold.auth.tables import User

JOB_SEND = "notification.send"
PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED, CANCELLED, SUPPRESSED, UNCERTAIN = "failed", "cancelled", "suppressed", "uncertain"
SEND_ATTEMPTS = 8
RATE_WINDOW = timedelta(hours=1)


def plan(session: Session, page: Page, user: User, now: datetime) -> int:
    """Create the page's notifications per the user's rules and enqueue their sends; how many
    the user's rules call for (0: the user has no way to be reached)."""
    spec = user_spec(user)
    methods = {method.name: method for method in spec.effective_contact_methods()}
    rules = spec.effective_rules()
    for rule in rules:
        method = methods[rule.contact]
        key = f"ninefold-page-{page.id}-{method.name}"
        due = now + timedelta(minutes=rule.after_minutes)
        insert_new(
            session,
            Notification,
            {
                "page_id": page.id,
                "group_id": page.group_id,
                "user_id": user.id,
                "contact": method.name,
                "kind": method.kind,
                "address": method.address,
                "idempotency_key": key,
                "due_at": due,
                "status": PENDING,
                "attempts": 0,
                "error": "",
            },
            ["idempotency_key"],
        )
        row = session.scalars(select(Notification).where(Notification.idempotency_key == key)).one()
        queue.enqueue(
            session,
            JOB_SEND,
            {"notification_id": row.id},
            due,
            now=now,
            dedup_key=f"{JOB_SEND}:{row.id}",
        )
    return len(rules)


@dataclass(frozen=True)
class Channel:
    transport: Transport
    # Whether the receiving end recognises a repeated idempotency key (see the module doc).
    idempotent: bool


MessageBuilder = Callable[[Session, Notification, datetime], Message]


class Sender:
    """The `notification.send` job handler, given the channels by contact kind."""

    def __init__(self, channels: Mapping[str, Channel], render: MessageBuilder) -> None:
        self.channels = dict(channels)
        self.render = render

    def __call__(self, ctx: JobContext) -> None:
        notification_id = int(ctx.payload["notification_id"])
        with unit_of_work(ctx.factory) as session:
            row = session.scalar(
                select(Notification).where(Notification.id == notification_id).with_for_update()
            )
            if row is None or not self._claim(session, row, ctx.now):
                return
            ctx.keep_lease(session)
            message = self.render(session, row, ctx.now)
            kind, address, attempts = row.kind, row.address, row.attempts
        try:
            self.channels[kind].transport.send(address, message)
        except SendFailed as exc:
            self._failed(ctx, notification_id, exc, attempts)
            return
        row = ctx.session.get_one(Notification, notification_id)
        row.status, row.sent_at, row.error = SENT, ctx.now, ""
        _event(ctx.session, row, ctx.now, "notified", via=row.kind, contact=row.contact)

    def _claim(self, session: Session, row: Notification, now: datetime) -> bool:
        """Decide whether to send, and mark `sending` (committed with the caller) if so."""
        if row.status not in (PENDING, SENDING):
            return False
        group = groups.get_row(session, row.group_id)
        channel = self.channels.get(row.kind)
        if group.state != TRIGGERED:
            return _settle(session, row, now, CANCELLED, f"group {group.state} before sending")
        if session.get_one(Page, row.page_id).acknowledged_at is not None:
            return _settle(
                session, row, now, CANCELLED, "acknowledged by its shadow before sending"
            )
        if channel is None:
            return _settle(session, row, now, FAILED, f"no {row.kind} transport is configured")
        if row.status == SENDING and not channel.idempotent:
            return _settle(
                session, row, now, UNCERTAIN, "a send was cut off; not repeated (no dedup)"
            )
        if row.status == PENDING and _sent_within(session, row, now) >= _limit(session, row):
            return _settle(session, row, now, SUPPRESSED, "rate limit of the contact method")
        row.status = SENDING
        row.attempts += 1
        return True

    def _failed(self, ctx: JobContext, notification_id: int, exc: SendFailed, tries: int) -> None:
        again = retry_later(exc, tries, ctx.now)
        with unit_of_work(ctx.factory) as session:
            row = session.get_one(Notification, notification_id)
            row.error = exc.message
            if again is None:
                _settle(session, row, ctx.now, FAILED, exc.message)
                return
            row.status = PENDING
        raise again


def retry_later(exc: SendFailed, tries: int, now: datetime) -> RetryLater | None:
    """How a failed send is tried again: after the other side's Retry-After, else a backoff;
    None when it never will succeed or has been tried enough."""
    if not exc.retryable or tries >= SEND_ATTEMPTS:
        return None
    asked = retry_after_seconds(exc.retry_after, now)
    return RetryLater(exc.message, timedelta(seconds=asked) if asked else queue.retry_delay(tries))


def _settle(session: Session, row: Notification, now: datetime, status: str, why: str) -> bool:
    row.status, row.error = status, why
    _event(session, row, now, f"notification_{status}", contact=row.contact, reason=why)
    return False


def _event(session: Session, row: Notification, now: datetime, kind: str, **detail: object) -> None:
    user = user_by_id(session, row.user_id)
    groups.record_event(session, row.group_id, now, kind, "ninefold", {"user": user.name, **detail})


def _sent_within(session: Session, row: Notification, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == row.user_id,
                Notification.contact == row.contact,
                Notification.status.in_((SENT, SENDING)),
                Notification.id != row.id,
                Notification.due_at > now - RATE_WINDOW,
            )
        )
        or 0
    )


def _limit(session: Session, row: Notification) -> int:
    user = user_by_id(session, row.user_id)
    for method in user_spec(user).effective_contact_methods():
        if method.name == row.contact:
            return method.max_per_hour
    return 1
