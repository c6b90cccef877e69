"""API shapes of paging: what a group's escalation did and the requests that steer it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

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
    state: str = Field(
        description="running, stopped, exhausted, unrouted, reassigned, silenced or maintenance."
    )
    round: int
    next_step_at: datetime | None = Field(
        description="When the next step pages; while silenced or in maintenance, when that ends."
    )
    held_by: str | None = Field(
        default=None, description='What holds the paging back now: "silence:3", "maintenance:2".'
    )
    snoozed_until: datetime | None
    assignee: str | None
    pages: list[PageOut]


class SilenceIn(BaseModel):
    """Page nobody for alerts matching every matcher, from `start` (default now) to `end`."""

    matchers: list[str] = Field(
        min_length=1,
        max_length=20,
        description='Label matchers, Alertmanager syntax: service="checkout", alertname=~"Disk.*".',
    )
    start: AwareDatetime | None = Field(default=None, description="With a time zone; default now.")
    end: AwareDatetime = Field(description="With a time zone; after `start` and in the future.")
    reason: str = Field(min_length=1, max_length=2000, description="Why; shown on every group.")


class SilenceOut(BaseModel):
    id: int
    matchers: list[str]
    start: datetime
    end: datetime
    reason: str
    created_by: str
    created_at: datetime
    ended_by: str | None = Field(description="Who ended it early, if anyone.")
    state: str = Field(description="pending (not started), active or expired.")


class MaintenanceIn(BaseModel):
    """Planned work on a service: its alerts page nobody from `start` to `end`."""

    service: Name = Field(description="A service of the catalog.")
    start: AwareDatetime = Field(description="With a time zone.")
    end: AwareDatetime = Field(description="With a time zone; after `start` and in the future.")
    at_end: Literal["page", "quiet"] = Field(
        default="page",
        description="Groups still triggered when the window ends: page starts their "
        "escalation then; quiet keeps them recorded and unpaged.",
    )
    reason: str = Field(min_length=1, max_length=2000)


class MaintenanceOut(BaseModel):
    id: int
    service: str
    start: datetime
    end: datetime
    at_end: str
    reason: str
    created_by: str
    created_at: datetime
    ended_by: str | None
    state: str = Field(description="pending (not started), active or expired.")
