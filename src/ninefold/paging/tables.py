"""Escalation policies, routes, and what paging did: escalations, pages and notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class EscalationPolicy(Managed, Base):
    __tablename__ = "escalation_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    then: Mapped[str | None] = mapped_column(String(64))


class Route(Managed, Base):
    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # Routes are tried by position: the order they are written in the configuration.
    position: Mapped[int] = mapped_column(Integer, default=0)
    matchers: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy: Mapped[str] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(64))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The storm fold, {"groups": N, "minutes": M} (see `paging.storms`); NULL: never folds.
    fold: Mapped[dict[str, int] | None] = mapped_column(JSON)


class Escalation(Base):
    """Where an alert group's paging stands: the policy it follows and the step due next.

    `round` counts triggers (a snoozed group that re-triggers starts round 2 from the first
    step), `level` the hand-overs to a `then` policy, `pass_number` the repeats of the policy.
    `sequence` counts steps run; the pending step job is named after it, so a stale job (one
    an "escalate now" overtook) finds its number taken and does nothing.
    """

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_route_started", "route", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), unique=True
    )
    route: Mapped[str | None] = mapped_column(String(64))
    unrouted: Mapped[bool] = mapped_column(Boolean, default=False)
    policy: Mapped[str | None] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer, default=1)
    level: Mapped[int] = mapped_column(Integer, default=0)
    pass_number: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="running")
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assignee: Mapped[str | None] = mapped_column(String(64))
    # While a silence or maintenance window holds the paging back: "silence:3", "maintenance:2".
    held_by: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The storm this group was folded into (state "folded"): its route opened too many groups
    # too fast, and the storm's own group paged for all of them.
    storm_id: Mapped[int | None] = mapped_column(Integer, index=True)


class Page(Base):
    """One person paged for one group at one step, with the hour it was where they live."""

    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("group_id", "sequence", "user_id", name="uq_pages_once"),
        Index("ix_pages_user_at", "user_id", "paged_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_name: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    paged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))
    # A shadow learns on-call: paged with the primary, marked so, and their acknowledgement
    # (`acknowledged_at`) is their own, never the group's.
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InstanceSecret(Base):
    """A secret this installation made for itself (the key that signs acknowledge links),
    kept in the database so that every server and worker of the installation shares it."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """One message to one contact method. Recorded before it is sent: `sending` marks an
    attempt under way, so a worker that finds it after a crash knows a copy may be out."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_contact_sent", "user_id", "contact", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(500))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(Text, default="")


class Silence(Base):
    """Alerts whose labels match all `matchers` page nobody from `starts_at` to `ends_at`.

    Ending a silence early sets `ends_at` to that moment and `ended_by`; rows are never
    deleted, so a group's page can always say which silence kept it quiet, and who made it.
    """

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matchers: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(100))


class MaintenanceWindow(Base):
    """Planned work on one service: its alerts page nobody from `starts_at` to `ends_at`.

    `at_end` says what happens to its groups still triggered when the window closes: `page`
    starts their escalation then (a problem that outlasts the work is a real one), `quiet`
    leaves them recorded but unpaged (for work whose alerts are expected to clear by themselves).
    """

    __tablename__ = "maintenance_windows"
    __table_args__ = (Index("ix_maintenance_windows_service_end", "service", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    at_end: Mapped[str] = mapped_column(String(8), default="page")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(100))


class Storm(Base):
    """A route opening more groups than its fold allows: one group (`group_id`) pages for all
    the groups folded into it while the storm lasts, and the storm ends by itself."""

    __tablename__ = "storms"
    __table_args__ = (Index("ix_storms_route_ended", "route", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), unique=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    groups: Mapped[int] = mapped_column(Integer, default=0)
