"""Integrations (where alerts come from), deliveries, alerts and the groups they page as."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.db import Base, Managed, UTCDateTime


class Integration(Managed, Base):
    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    # The unguessable part of the intake URL. It lets its holder post alerts and nothing else,
    # so it is kept readable for admins (as pager routing keys are) and can be rotated.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str | None] = mapped_column(String(64))
    group_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_env: Mapped[str | None] = mapped_column(String(100))
    heartbeat_seconds: Mapped[int | None] = mapped_column(Integer)
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Heartbeats: whether a check job is pending, and a counter that names the next one.
    heartbeat_armed: Mapped[bool] = mapped_column(default=False)
    heartbeat_checks: Mapped[int] = mapped_column(Integer, default=0)


class Delivery(Base):
    """One alert as one request delivered it, kept whole; a repeated delivery is stored once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "integration_id", "fingerprint", "status", "starts_at", name="uq_alert_deliveries_once"
        ),
        # Counting an alert's recent changes (see `alerts.flapping`) reads by receipt time.
        Index("ix_alert_deliveries_changes", "integration_id", "fingerprint", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alert: Mapped[dict[str, object]] = mapped_column(JSON)
    envelope: Mapped[dict[str, object]] = mapped_column(JSON)


class AlertGroup(Base):
    __tablename__ = "alert_groups"
    __table_args__ = (
        # At most one open group per grouping key: `open_key` is the key while the group is
        # open and NULL after, and NULLs never collide, so racing requests cannot open two.
        UniqueConstraint("integration_id", "open_key", name="uq_alert_groups_open"),
        Index("ix_alert_groups_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(500))
    open_key: Mapped[str | None] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(500))
    service: Mapped[str | None] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(32), default="")
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    truncated_alerts: Mapped[int] = mapped_column(Integer, default=0)
    # Set while an alert of the group flaps (see `alerts.flapping`): the group then stays open
    # across the alert's resolutions, so it pages once instead of at every new firing.
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    flapping_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The id of a group imported from another tool (`ninefold import pages`): importing the
    # same history again finds it here and writes nothing. NULL for groups Ninefold opened.
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)


class Alert(Base):
    """One firing of one alert: a fingerprint from a start time until it resolves."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("integration_id", "fingerprint", "starts_at", name="uq_alerts_instance"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    generator_url: Mapped[str] = mapped_column(Text, default="")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class GroupEvent(Base):
    """The timeline of a group: alerts joining and resolving, pages, acknowledgements."""

    __tablename__ = "alert_group_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
