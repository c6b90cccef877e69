"""Alert storms folded into one page.

A route with a `fold` of {groups: N, minutes: M} that opens more than N groups within M
minutes is in a storm. The group that goes over the limit opens the storm: a storm group (a
real alert group, alertname NinefoldAlertStorm) that pages through the route's policy once for
all, and the group itself is folded into it: recorded, on its own page, open to every action,
but paging nobody. So is every further group of the route while the storm lasts. The storm
ends by itself once the route has opened no group for M minutes (or when someone resolves the
storm group: they said it is over); then the route's groups page one by one again, and the
storm group resolves itself when every group folded into it is resolved.

Who decides: the worker starting a group's escalation (`fold`), with the route's row locked,
so that two workers routing groups of one route at the same moment count one after the other
and never open two storms; and a sweep every minute (`sweep`) that ends storms gone quiet and
resolves the storm groups whose folded groups are all resolved. A new group finds an overdue
storm ended without waiting for the sweep, so paging never depends on the sweep being on time.

Counted are the groups the route opened within the window, those already folded included; not
storm groups, and not groups a silence or maintenance window holds (they page nobody anyway:
a maintenance window's alerts must not add up to a storm's page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import GROUP_RESOLVED, close
from ninefold.pagination import Page
from ninefold.paging import policies
from ninefold.paging.routing import Routing, choose, route_labels
from ninefold.paging.schemas import FoldSpec, RouteSpec
from ninefold.paging.silences import service as silences
from ninefold.paging.tables import Escalation, Storm

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup

JOB_SWEEP = "paging.storms.sweep"
SWEEP_EVERY = timedelta(minutes=1)
"""How often quiet storms are ended: the storm group's timeline says so within a minute."""
FOLDED = "folded"
STORM_ALERTNAME = "NinefoldAlertStorm"
SYSTEM = "ninefold"


# --- the decisions, pure ------------------------------------------------------------------


def over_limit(opened: int, fold: FoldSpec) -> bool:
    """Whether `opened` groups within the window (the new one included) make a storm: with
    {groups: 10, minutes: 5}, the 10th group of five minutes pages, the 11th opens the storm."""
    return opened > fold.groups


def fold_end(last_at: datetime, fold: FoldSpec | None, now: datetime) -> datetime | None:
    """When the fold of a storm whose last group came at `last_at` ended, or None while it
    lasts. Quiet for the window: it ended when the window ran out (a group at 10:02 with 5
    minutes ends the fold at 10:07, whenever that is noticed). A route that no longer folds
    (its fold or itself taken out of the configuration) ends it now."""
    if fold is None:
        return now
    end = last_at + timedelta(minutes=fold.minutes)
    return end if end <= now else None


def storm_title(route: str, opened: int, minutes: int) -> str:
    return f"Alert storm on route {route}: {opened} groups in {minutes} minutes"


# --- folding a new group --------------------------------------------------------------------


@dataclass(frozen=True)
class Folded:
    """A group folded into `storm`; `opened` is the storm's group when this group opened the
    storm, for the caller to start paging like any new group."""

    storm: Storm
    opened: AlertGroup | None


def route_of(session: Session, group: AlertGroup) -> Routing:
    """The route a group pages through: the one its labels match, except for a storm's group,
    which pages through the route that stormed, whatever its own labels say."""
    routes = [policies.route_spec(row) for row in policies.route_rows(session)]
    stormed = session.scalar(select(Storm.route).where(Storm.group_id == group.id))
    for route in routes:
        if route.name == stormed:
            return Routing(route, unrouted=False)
    return choose(routes, route_labels(group.labels, group.service, group.severity))


def fold(
    session: Session,
    escalation: Escalation,
    group: AlertGroup,
    route: RouteSpec | None,
    now: datetime,
) -> Folded | None:
    """Fold the newly routed group into its route's storm, opening the storm when this group
    takes the route over its limit; None when it pages as usual."""
    if route is None or route.fold is None:
        return None
    policies.lock_route(session, route.name)
    if session.scalar(select(Storm.id).where(Storm.group_id == group.id)) is not None:
        return None  # a storm's own group pages
    storm = _open_storm(session, route.name, route.fold, now)
    opened = 0
    if storm is None:
        opened = _opened(session, route.name, now - timedelta(minutes=route.fold.minutes))
        if not over_limit(opened, route.fold):
            return None
    if silences.hold_for(session, group, now) is not None:
        return None  # held back: it pages nobody while held, and is no part of a storm
    storm_group = None
    if storm is None:
        storm, storm_group = _start(session, group, route, route.fold, opened, now)
    storm.groups += 1
    storm.last_at = now
    escalation.state = FOLDED
    escalation.storm_id = storm.id
    groups.record_event(
        session,
        group.id,
        now,
        "folded",
        SYSTEM,
        {
            "storm_group": storm.group_id,
            "route": route.name,
            "groups": route.fold.groups,
            "minutes": route.fold.minutes,
        },
    )
    return Folded(storm, storm_group)


def _opened(session: Session, route: str, since: datetime) -> int:
    """The groups the route opened after `since` that count toward a storm."""
    query = select(func.count()).where(
        Escalation.route == route,
        Escalation.started_at > since,
        Escalation.state.not_in(silences.HELD_STATES),
        Escalation.group_id.not_in(select(Storm.group_id)),
    )
    return session.scalar(query) or 0


def _open_storm(session: Session, route: str, fold: FoldSpec | None, now: datetime) -> Storm | None:
    """The route's storm still folding, after ending it if it is over (the caller holds the
    route's lock)."""
    storm = session.scalar(
        select(Storm)
        .where(Storm.route == route, Storm.ended_at.is_(None))
        .order_by(Storm.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if storm is None or _ended(session, storm, fold, now):
        return None
    return storm


def _ended(session: Session, storm: Storm, fold: FoldSpec | None, now: datetime) -> bool:
    """End the storm if it is over; whether it is."""
    at: datetime | None = now
    why = "resolved"
    if groups.get_row(session, storm.group_id).state != GROUP_RESOLVED:
        at, why = fold_end(storm.last_at, fold, now), "quiet" if fold else "unfolded"
    if at is None:
        return False
    storm.ended_at = at
    groups.record_event(
        session,
        storm.group_id,
        now,
        "storm_ended",
        SYSTEM,
        {
            "route": storm.route,
            "why": why,
            "minutes": fold.minutes if fold else None,
            "folded": storm.groups,
            "open": _open_folded(session, storm.id),
        },
    )
    return True


def _start(
    session: Session,
    group: AlertGroup,
    route: RouteSpec,
    fold: FoldSpec,
    opened: int,
    now: datetime,
) -> tuple[Storm, AlertGroup]:
    """A storm on `route` and its group, on the integration of the group that opened it."""
    labels = {"alertname": STORM_ALERTNAME, "route": route.name}
    if route.service:
        labels["service"] = route.service
    storm_group = groups.open_unsourced(
        session,
        integration_id=group.integration_id,
        # One key for every storm of the route, so "fired in the last 7 days" counts storms.
        group_key=f"{STORM_ALERTNAME}:{route.name}",
        title=storm_title(route.name, opened, fold.minutes),
        service=route.service,
        severity=group.severity,
        labels=labels,
        now=now,
    )
    storm = Storm(route=route.name, group_id=storm_group.id, started_at=now, last_at=now, groups=0)
    session.add(storm)
    session.flush()
    groups.record_event(
        session,
        storm_group.id,
        now,
        "storm_started",
        SYSTEM,
        {"route": route.name, "opened": opened, "groups": fold.groups, "minutes": fold.minutes},
    )
    return storm, storm_group


# --- the sweep --------------------------------------------------------------------------------


def sweep(session: Session, now: datetime) -> None:
    """End the storms gone quiet, then resolve the groups of ended storms whose folded groups
    are all resolved."""
    folding = session.execute(
        select(Storm.id, Storm.route).where(Storm.ended_at.is_(None)).order_by(Storm.route)
    ).all()
    for storm_id, route_name in folding:
        route = policies.lock_route(session, route_name)
        storm = session.get_one(Storm, storm_id, populate_existing=True)
        if storm.ended_at is None:
            _ended(session, storm, policies.route_spec(route).fold if route else None, now)
    session.flush()
    ended = session.scalars(
        select(Storm).where(
            Storm.ended_at.is_not(None), Storm.group_id.in_(groups.unresolved_ids())
        )
    ).all()
    for storm in ended:
        if _open_folded(session, storm.id):
            continue
        group = groups.get_row(session, storm.group_id, lock=True)
        if group.state != GROUP_RESOLVED:
            groups.record_event(
                session, group.id, now, "storm_resolved", SYSTEM, {"folded": storm.groups}
            )
            close(session, group, now, SYSTEM)


def _open_folded(session: Session, storm_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Escalation)
        .where(Escalation.storm_id == storm_id, Escalation.group_id.in_(groups.unresolved_ids()))
    )
    return session.scalar(query) or 0


# --- what the pages and messages show -------------------------------------------------------


@dataclass(frozen=True)
class FoldedGroup:
    id: int
    title: str
    state: str
    service: str | None
    severity: str
    created_at: datetime
    paging: str


def storm_of(session: Session, group_id: int) -> Storm | None:
    """The storm the group pages for, when it is a storm's group."""
    return session.scalar(select(Storm).where(Storm.group_id == group_id))


def folded_into(session: Session, group_id: int) -> Storm | None:
    """The storm the group was folded into, if it was."""
    query = select(Storm).join(Escalation, Escalation.storm_id == Storm.id)
    return session.scalar(query.where(Escalation.group_id == group_id))


def folded_groups(session: Session, storm: Storm, *, limit: int, offset: int) -> Page[FoldedGroup]:
    """The groups folded into the storm, oldest first, with where their paging stands now (a
    folded group escalated by hand pages on its own)."""
    total = session.scalar(select(func.count()).where(Escalation.storm_id == storm.id)) or 0
    paging = dict(
        session.execute(
            select(Escalation.group_id, Escalation.state)
            .where(Escalation.storm_id == storm.id)
            .order_by(Escalation.group_id)
            .limit(limit)
            .offset(offset)
        ).all()
    )
    items = [
        FoldedGroup(g.id, g.title, g.state, g.service, g.severity, g.created_at, paging[g.id])
        for g in groups.rows_by_id(session, list(paging))
    ]
    return Page[FoldedGroup](items=items, total=total, limit=limit, offset=offset)
