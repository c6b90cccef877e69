"""Silences and maintenance windows in the database: made, listed and ended by responders, and
read by the escalation to learn whether a group may page now (`hold_for`).

Neither deletes anything: ending one early sets its end to now, so a group's timeline can
always name the silence or window that kept it quiet, who made it and why. Ending one also
wakes the groups it held, so they page at once rather than when it was planned to end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth import audit
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog.service import find_service
from ninefold.errors import Invalid, NotFound
from ninefold.pagination import Page, paged
from ninefold.paging.routing import route_labels
from ninefold.paging.schemas import MaintenanceIn, MaintenanceOut, SilenceIn, SilenceOut
from ninefold.paging.silences.holds import AtEnd, Hold, SilenceRule, WindowRule, holding
from ninefold.paging.silences.matchers import parse
from ninefold.paging.tables import Escalation, MaintenanceWindow, Silence
from ninefold.worker import queue

if TYPE_CHECKING:
    from ninefold.alerts.tables import AlertGroup

JOB_RESUME = "escalation.resume"
HELD_STATES = ("silenced", "maintenance")
STATES = ("pending", "active", "expired")


def state_of(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    if now < starts_at:
        return "pending"
    return "active" if now < ends_at else "expired"


def _window(start: datetime, end: datetime, now: datetime) -> None:
    if end <= now:
        raise Invalid("end must be in the future", field="end")
    if end <= start:
        raise Invalid("end must be after start", field="end")


def _state_filter(
    query: Any, model: type[Silence] | type[MaintenanceWindow], state: str | None, now: datetime
) -> Any:
    if state is None:
        return query.where(model.ends_at > now)
    if state not in STATES:
        raise Invalid(f"state must be one of {', '.join(STATES)}", field="state")
    if state == "pending":
        return query.where(model.starts_at > now)
    if state == "active":
        return query.where(model.starts_at <= now, model.ends_at > now)
    return query.where(model.ends_at <= now)


def silence_out(row: Silence, now: datetime) -> SilenceOut:
    return SilenceOut(
        id=row.id,
        matchers=list(row.matchers),
        start=row.starts_at,
        end=row.ends_at,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        ended_by=row.ended_by,
        state=state_of(row.starts_at, row.ends_at, now),
    )


def window_out(row: MaintenanceWindow, now: datetime) -> MaintenanceOut:
    return MaintenanceOut(
        id=row.id,
        service=row.service,
        start=row.starts_at,
        end=row.ends_at,
        at_end=row.at_end,
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at,
        ended_by=row.ended_by,
        state=state_of(row.starts_at, row.ends_at, now),
    )


def list_silences(
    session: Session,
    now: datetime,
    state: str | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page[SilenceOut]:
    """Pending and active ones by default; `state` picks one of pending, active, expired.
    Newest first."""
    query = _state_filter(select(Silence), Silence, state, now)
    query = query.order_by(Silence.starts_at.desc(), Silence.id.desc())
    return paged(session, query, lambda row: silence_out(row, now), limit=limit, offset=offset)


def create_silence(
    session: Session, actor: Principal, body: SilenceIn, now: datetime
) -> SilenceOut:
    require_responder(actor, "silence alerts")
    matchers = []
    for index, text in enumerate(body.matchers):
        try:
            matchers.append(str(parse(text)))
        except Invalid as exc:
            raise Invalid(exc.message, field=f"matchers[{index}]") from None
    start = body.start or now
    _window(start, body.end, now)
    row = Silence(
        matchers=matchers,
        starts_at=start,
        ends_at=body.end,
        reason=body.reason,
        created_by=actor.name,
        created_at=now,
    )
    return _created(session, actor, row, "silence", silence_out, now)


def end_silence(session: Session, actor: Principal, silence_id: int, now: datetime) -> SilenceOut:
    """Expire it now (a pending one is cancelled); ending an expired one changes nothing."""
    require_responder(actor, "end silences")
    row = session.get(Silence, silence_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no silence {silence_id}")
    return _end(session, actor, row, "silence", silence_out, now)


def list_windows(
    session: Session,
    now: datetime,
    state: str | None = None,
    service: str | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page[MaintenanceOut]:
    query = _state_filter(select(MaintenanceWindow), MaintenanceWindow, state, now)
    if service:
        query = query.where(MaintenanceWindow.service == service)
    query = query.order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)
    return paged(session, query, lambda row: window_out(row, now), limit=limit, offset=offset)


def create_window(
    session: Session, actor: Principal, body: MaintenanceIn, now: datetime
) -> MaintenanceOut:
    require_responder(actor, "plan maintenance")
    if find_service(session, body.service) is None:
        raise Invalid(f"no service named {body.service!r} in the catalog", field="service")
    _window(body.start, body.end, now)
    row = MaintenanceWindow(
        service=body.service,
        starts_at=body.start,
        ends_at=body.end,
        at_end=body.at_end,
        reason=body.reason,
        created_by=actor.name,
        created_at=now,
    )
    return _created(session, actor, row, "maintenance_window", window_out, now)


def end_window(session: Session, actor: Principal, window_id: int, now: datetime) -> MaintenanceOut:
    """End it now (a planned one is cancelled); its `at_end` applies as if it ended on time."""
    require_responder(actor, "end maintenance")
    row = session.get(MaintenanceWindow, window_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no maintenance window {window_id}")
    return _end(session, actor, row, "maintenance_window", window_out, now)


Row = TypeVar("Row", Silence, MaintenanceWindow)
Out = TypeVar("Out", SilenceOut, MaintenanceOut)


def _created(
    session: Session,
    actor: Principal,
    row: Row,
    kind: str,
    out: Callable[[Row, datetime], Out],
    now: datetime,
) -> Out:
    session.add(row)
    session.flush()
    made = out(row, now)
    audit.record(
        session, actor, now, "create", kind, str(row.id), None, made.model_dump(mode="json")
    )
    return made


def _end(
    session: Session,
    actor: Principal,
    row: Row,
    kind: str,
    out: Callable[[Row, datetime], Out],
    now: datetime,
) -> Out:
    """End `row` now (one not started yet is cancelled); one already over is left alone."""
    if row.ends_at > now:
        before = out(row, now).model_dump(mode="json")
        row.ends_at = max(now, row.starts_at)
        row.ended_by = actor.name
        after = out(row, now).model_dump(mode="json")
        audit.record(session, actor, now, "end", kind, str(row.id), before, after)
        wake_held(session, now)
    return out(row, now)


def wake_held(session: Session, now: datetime) -> None:
    """Ask every held escalation to look again now: what held it may have just ended."""
    held = session.scalars(select(Escalation.group_id).where(Escalation.state.in_(HELD_STATES)))
    for group_id in held:
        enqueue_resume(session, group_id, now, now)


def enqueue_resume(session: Session, group_id: int, at: datetime, now: datetime) -> None:
    queue.enqueue(
        session,
        JOB_RESUME,
        {"group_id": group_id},
        at,
        now=now,
        dedup_key=f"{JOB_RESUME}:{group_id}:{at.isoformat()}",
    )


def hold_for(session: Session, group: AlertGroup, now: datetime) -> Hold | None:
    """The silence or maintenance window keeping `group` from paging at `now`, if any."""
    silences = session.scalars(
        select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)
    )
    windows = session.scalars(
        select(MaintenanceWindow).where(
            MaintenanceWindow.service == (group.service or ""),
            MaintenanceWindow.starts_at <= now,
            MaintenanceWindow.ends_at > now,
        )
    )
    firing = groups.firing_labels(session, group.id)
    alerts = [route_labels(labels, group.service, group.severity) for labels in firing]
    return holding(
        [SilenceRule(_silence_hold(s), s.matchers) for s in silences],
        [WindowRule(_window_hold(w), w.service) for w in windows],
        alerts,
        group.service,
        now,
    )


def window_at_end(session: Session, key: str) -> AtEnd:
    """What a finished hold asks of the groups it held: windows may say quiet; silences page."""
    kind, _, number = key.partition(":")
    if kind != "maintenance":
        return "page"
    row = session.get(MaintenanceWindow, int(number))
    return cast(AtEnd, row.at_end) if row is not None else "page"


def _silence_hold(row: Silence) -> Hold:
    return Hold("silence", row.id, row.starts_at, row.ends_at, row.reason, row.created_by)


def _window_hold(row: MaintenanceWindow) -> Hold:
    return Hold(
        "maintenance",
        row.id,
        row.starts_at,
        row.ends_at,
        row.reason,
        row.created_by,
        cast(AtEnd, row.at_end),
    )
