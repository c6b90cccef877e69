"""API shapes of paging: what a group's escalation did and the requests that steer it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ninefold.spec import Name


class SnoozeBody(BaseModel):
    minutes: int = Field(ge=1, le=1440, description="Re-trigger after this many minutes.")


class ReassignBody(BaseModel):
    user: Name = Field(description="Who takes the group over; paged at once.")


class NotificationOut(BaseModel):
    contact: str
    kind: str
    due_at: datetime
    status: str = Field(
        description="pending, sending, sent, failed, cancelled (the group was acted on first), "
        "suppressed (rate limit) or uncertain (a send was cut off and not repeated)."
    )
    attempts: int
    sent_at: datetime | None
    error: str


class PageOut(BaseModel):
    user: str
    step: int = Field(description="Policy step that paged (0: reassigned by hand).")
    policy: str
    reason: str
    paged_at: datetime
    time_zone: str
    local_time: str = Field(description="Weekday and time where the person was, e.g. Tue 03:00.")
    period: str = Field(description="working, off_hours, evening or sleeping.")
    notifications: list[NotificationOut]


class EscalationOut(BaseModel):
    route: str | None
    unrouted: bool = Field(description="No route matched; the default route (if any) took it.")
    policy: str | None
    state: str = Field(description="running, stopped, exhausted, unrouted or reassigned.")
    round: int
    next_step_at: datetime | None
    snoozed_until: datetime | None
    assignee: str | None
    pages: list[PageOut]
