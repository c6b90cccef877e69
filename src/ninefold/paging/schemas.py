"""Escalation policies and routes as written in the configuration.

A route sends an alert group to an escalation policy; the policy says whom to notify, step by
step, and how long to wait for an acknowledgement before the next step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from ninefold.errors import Invalid
from ninefold.paging.silences import matchers
from ninefold.spec import Instant, Name, NameSet, Spec


class StepSpec(Spec):
    """Notify these people, then wait `wait_minutes` for an acknowledgement."""

    users: NameSet = Field(default_factory=list, description="Users notified by name.")
    schedules: NameSet = Field(
        default_factory=list, description="Schedules whose on-call people are notified."
    )
    teams: NameSet = Field(default_factory=list, description="Teams whose members are notified.")
    wait_minutes: int = Field(
        default=15, ge=0, le=1440, description="Minutes before the next step (0: at once)."
    )

    @model_validator(mode="after")
    def _notifies_someone(self) -> StepSpec:
        if not (self.users or self.schedules or self.teams):
            raise ValueError("a step notifies at least one user, schedule or team")
        return self


class EscalationPolicySpec(Spec):
    """Steps run in order; the whole list runs once more for each `repeat`; then, still
    unacknowledged, the group is handed to the policy named in `then`, if any."""

    name: Name = Field(description="Unique policy name.")
    description: str = Field(default="", max_length=2000, description="What the policy is for.")
    steps: list[StepSpec] = Field(min_length=1, max_length=20, description="In order.")
    repeat: int = Field(
        default=0, ge=0, le=9, description="Further passes over the steps when nobody acks."
    )
    then: Name | None = Field(
        default=None, description="Policy that takes over after the last pass."
    )

    @model_validator(mode="after")
    def _not_itself(self) -> EscalationPolicySpec:
        if self.then == self.name:
            raise ValueError(f"policy {self.name!r} hands over to itself in `then`")
        return self


def _check_matcher(text: str) -> str:
    try:
        return str(matchers.parse(text))
    except Invalid as exc:
        raise ValueError(exc.message) from None


MatcherText = Annotated[str, Field(max_length=500), AfterValidator(_check_matcher)]


class FoldSpec(Spec):
    """An alert storm folded into one page: once the route has opened more than `groups`
    groups within `minutes`, each further group pages nobody and one storm group pages for
    all of them, until the route has opened no group for `minutes`."""

    groups: int = Field(
        ge=1, le=10000, description="Groups the route may open within `minutes` before folding."
    )
    minutes: int = Field(
        ge=1,
        le=1440,
        description="The window groups are counted in; also how long the route must stay quiet "
        "for the fold to end.",
    )


class RouteSpec(Spec):
    """Alerts whose labels satisfy every matcher go to `policy` (routes are tried in the order
    written; the first that matches wins). The `default` route takes what no other matches."""

    name: Name = Field(description="Unique route name.")
    match: list[MatcherText] = Field(
        default_factory=list,
        description='Label matchers, Alertmanager syntax: severity="critical", '
        'service=~"cart|checkout".',
    )
    policy: Name = Field(description="Escalation policy the matched alerts page through.")
    service: Name | None = Field(
        default=None, description="Service the matched alerts belong to, when no label says."
    )
    default: bool = Field(
        default=False, description="The fallback for alerts no route matches (at most one)."
    )
    fold: FoldSpec | None = Field(
        default=None,
        description="Fold alert storms into one page, e.g. {groups: 10, minutes: 5}; "
        "absent: every group pages.",
    )

    @model_validator(mode="after")
    def _default_matches_all(self) -> RouteSpec:
        if self.default and self.match:
            raise ValueError("the default route takes every unmatched alert; give it no `match`")
        if not self.default and not self.match:
            raise ValueError("a route needs `match` matchers (or `default: true`)")
        return self

    def parsed(self) -> list[matchers.Matcher]:
        return [matchers.parse(text) for text in self.match]


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
    shadow: bool = Field(default=False, description="Paged as a shadow of someone on call.")
    acknowledged_at: datetime | None = Field(
        default=None, description="When the shadow acknowledged this page for themselves."
    )
    notifications: list[NotificationOut]


class EscalationOut(BaseModel):
    route: str | None
    unrouted: bool = Field(description="No route matched; the default route (if any) took it.")
    policy: str | None
    state: str = Field(
        description="running, stopped, exhausted, unrouted, reassigned, silenced, maintenance "
        "or folded (into an alert storm's group, which pages instead)."
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
    start: Instant | None = Field(default=None, description="With a time zone; default now.")
    end: Instant = Field(description="With a time zone; after `start` and in the future.")
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
    start: Instant = Field(description="With a time zone.")
    end: Instant = Field(description="With a time zone; after `start` and in the future.")
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
