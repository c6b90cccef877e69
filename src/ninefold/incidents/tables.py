"""Incidents, what they link to, their timeline, status updates, postmortems and action
items; and the messages the domain sends (role assignments, updates, reminders, digests)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ninefold.alerts import tables as alerts_tables
from ninefold.auth import tables as auth_tables
from ninefold.changes import tables as changes_tables
from ninefold.db import Base, Managed, UTCDateTime

# The tables the foreign keys below point to, loaded with these: a command that imports only
# this domain still flushes (SQLAlchemy sorts the inserts by the keys it must resolve).
REFERENCED = (alerts_tables.AlertGroup, auth_tables.User, changes_tables.Change)


class IncidentSetting(Managed, Base):
    """An object of the domain's declarative sections (severities, root causes, declare rules,
    stakeholders), kept as its spec: they are read whole, never queried by field."""

    __tablename__ = "incident_settings"
    __table_args__ = (UniqueConstraint("section", "name", name="uq_incident_settings_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_impact_start", "impact_start"),
        Index("ix_incidents_declared", "declared_at"),
        Index("ix_incidents_category", "category", "impact_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(64))
    caused_by_change: Mapped[int | None] = mapped_column(
        ForeignKey("changes.id", ondelete="SET NULL")
    )
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    declared_by: Mapped[str] = mapped_column(String(100))
    # How it was declared: `hand`, `group`, `rule:<name>` or `import:<format>`.
    declared_via: Mapped[str] = mapped_column(String(100))
    impact_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    impact_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # An imported incident's identity at its source, so that importing again changes nothing.
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    provider: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentGroup(Base):
    """An alert group linked to an incident; a group belongs to one incident at most."""

    __tablename__ = "incident_groups"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    linked_by: Mapped[str] = mapped_column(String(100))


class IncidentRole(Base):
    __tablename__ = "incident_roles"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(100))


class IncidentEvent(Base):
    """The incident's own timeline entries: notes and what was done to it. Alerts, pages and
    acknowledgements of its groups, and nearby changes, are read from their own tables."""

    __tablename__ = "incident_events"
    __table_args__ = (Index("ix_incident_events_incident_at", "incident_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IncidentPin(Base):
    """A timeline entry kept for the postmortem, by its reference (`event:3`, `change:9`)."""

    __tablename__ = "incident_pins"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pinned_by: Mapped[str] = mapped_column(String(100))


class StatusUpdate(Base):
    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class Postmortem(Base):
    __tablename__ = "postmortems"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    reviewers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The error budget each affected SLO lost over the impact window, as the draft found it
    # (`slos.incident_burn`): kept, since the SLO data it was read from moves on.
    budget: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    in_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ActionItem(Base):
    __tablename__ = "action_items"
    __table_args__ = (
        Index("ix_action_items_status_due", "status", "due"),
        Index("ix_action_items_owner", "owner"),
        Index("ix_action_items_team", "team"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Set when an overdue reminder was planned for the current due date; moving the due date
    # clears it, so a new deadline gets a new reminder and an old one never a second.
    reminded_for: Mapped[date | None] = mapped_column(Date)


class OutgoingMessage(Base):
    """One message of the domain to one address, recorded before it is sent (the protocol of
    paging's notifications: `sending` marks an attempt under way, sent once by key)."""

    __tablename__ = "incident_messages"
    __table_args__ = (Index("ix_incident_messages_incident", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE"), index=True
    )
    action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(500))
    idempotency_key: Mapped[str] = mapped_column(String(150), unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    links: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(Text, default="")
