"""Toil logged, automations kept (`ninefold apply` writes the `automations:` section) and
their runs recorded, and the toil report of a period."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth import audit
from ninefold.auth import service as accounts
from ninefold.auth.model import Principal, require_responder
from ninefold.catalog import service as catalog
from ninefold.declared import spec_of_columns, write_columns
from ninefold.errors import Forbidden, Invalid, NotFound
from ninefold.toil import model
from ninefold.toil.schemas import (
    AutomationSpec,
    CategoryHours,
    RunOut,
    TeamToil,
    ToilIn,
    ToilOut,
    ToilReport,
    minutes_of,
)
from ninefold.toil.tables import Automation, AutomationRun, ToilEntry


def _out(row: ToilEntry) -> ToilOut:
    return ToilOut(
        id=row.id,
        task=row.task,
        minutes=row.minutes,
        category=row.category,
        team=row.team,
        person=row.person,
        day=row.day,
        logged_by=row.logged_by,
        logged_at=row.logged_at,
    )


def _team_of(session: Session, person: str) -> str:
    teams = [t.name for t in catalog.all_teams(session) if person in t.members]
    if len(teams) != 1:
        where = f"in teams {teams}" if teams else "in no team"
        raise Invalid(f"{person} is {where}: say which team the toil is for (team)")
    return teams[0]


def log(session: Session, actor: Principal, body: ToilIn, now: datetime) -> ToilOut:
    """Responders log their own toil; admins anyone's."""
    require_responder(actor, "log toil")
    person = body.person or actor.name
    if person != actor.name and not actor.is_admin:
        raise Forbidden(f"{actor.name} may log their own toil only, not {person}'s")
    if accounts.find_user(session, person) is None:
        raise Invalid(f"person: no user {person!r}")
    team = body.team or _team_of(session, person)
    if catalog.find_team(session, team) is None:
        raise Invalid(f"team: no team {team!r}")
    day = body.day or now.date()
    if day > now.date():
        raise Invalid(f"day: {day} is in the future; log toil once it is done")
    row = ToilEntry(
        task=body.task,
        minutes=minutes_of(body.duration),
        category=body.category,
        team=team,
        person=person,
        day=day,
        logged_by=actor.name,
        logged_at=now,
    )
    session.add(row)
    session.flush()
    after = {"task": row.task, "minutes": row.minutes, "category": row.category, "day": str(day)}
    audit.record(session, actor, now, "create", "toil", str(row.id), None, after)
    return _out(row)


def entries(
    session: Session,
    start: date,
    end: date,
    team: str | None = None,
    person: str | None = None,
) -> list[ToilOut]:
    """Toil of the days in [start, end), newest first."""
    query = select(ToilEntry).where(ToilEntry.day >= start, ToilEntry.day < end)
    if team is not None:
        query = query.where(ToilEntry.team == team)
    if person is not None:
        query = query.where(ToilEntry.person == person)
    return [
        _out(r) for r in session.scalars(query.order_by(ToilEntry.day.desc(), ToilEntry.id.desc()))
    ]


def automation_rows(session: Session) -> list[Automation]:
    return list(session.scalars(select(Automation).order_by(Automation.name)))


def automation_spec(row: Automation) -> AutomationSpec:
    return spec_of_columns(AutomationSpec, row)


def write_automation(
    session: Session, spec: AutomationSpec, managed_by: str, now: datetime, row: Automation | None
) -> Automation:
    if catalog.find_team(session, spec.team) is None:
        raise Invalid(f"automation {spec.name!r}: no team {spec.team!r}")
    return write_columns(session, Automation, spec, managed_by, now, row)


def record_run(
    session: Session, actor: Principal, name: str, now: datetime, external_id: str | None = None
) -> RunOut:
    """A run of an automation, saving its hours per run as estimated now; a run already
    recorded under `external_id` is answered as it was (`created` false)."""
    require_responder(actor, "record an automation run")
    automation = session.scalar(select(Automation).where(Automation.name == name))
    if automation is None:
        raise NotFound(f"no automation {name!r}")
    if external_id is not None:
        found = session.scalar(
            select(AutomationRun).where(
                AutomationRun.automation_id == automation.id,
                AutomationRun.external_id == external_id,
            )
        )
        if found is not None:
            return _run_out(found, name, created=False)
    run = AutomationRun(
        automation_id=automation.id,
        ran_at=now,
        hours_saved=automation.hours_saved_per_run,
        external_id=external_id,
    )
    session.add(run)
    session.flush()
    return _run_out(run, name, created=True)


def _run_out(run: AutomationRun, name: str, *, created: bool) -> RunOut:
    return RunOut(
        id=run.id,
        automation=name,
        ran_at=run.ran_at,
        hours_saved=run.hours_saved,
        external_id=run.external_id,
        created=created,
    )


def runs(session: Session, since: datetime, until: datetime) -> list[model.Run]:
    query = (
        select(AutomationRun, Automation)
        .join(Automation, Automation.id == AutomationRun.automation_id)
        .where(AutomationRun.ran_at >= since, AutomationRun.ran_at < until)
        .order_by(AutomationRun.ran_at)
    )
    return [
        model.Run(a.name, a.category, a.team, r.ran_at, r.hours_saved)
        for r, a in session.execute(query)
    ]


def records(session: Session, start: date, end: date) -> list[model.Entry]:
    query = select(ToilEntry).where(ToilEntry.day >= start, ToilEntry.day < end)
    return [
        model.Entry(r.id, r.team, r.person, r.task, r.category, r.minutes, r.day)
        for r in session.scalars(query)
    ]


def report(
    session: Session,
    start: date,
    end: date,
    team: str | None = None,
    hours_per_week: float = model.HOURS_PER_WEEK,
) -> ToilReport:
    """The toil ratio of each team (or of `team`) over [start, end), the top categories and
    the hours automation saved per month, of the same days."""
    if end <= start:
        raise Invalid(f"the period ends ({end}) before it starts ({start})")
    teams = [t for t in catalog.all_teams(session) if team is None or t.name == team]
    if team is not None and not teams:
        raise Invalid(f"team: no team {team!r}")
    found = [e for e in records(session, start, end) if team is None or e.team == team]
    since = datetime.combine(start, datetime.min.time()).replace(tzinfo=UTC)
    until = datetime.combine(end, datetime.min.time()).replace(tzinfo=UTC)
    saved = [r for r in runs(session, since, until) if team is None or r.team == team]
    ratios = [
        model.toil_ratio(found, t.name, len(t.members), start, end, hours_per_week) for t in teams
    ]
    return ToilReport(
        start=start,
        end=end,
        hours_per_week=hours_per_week,
        teams=[
            TeamToil(
                team=r.team,
                members=len(next(t for t in teams if t.name == r.team).members),
                toil_hours=round(r.toil_hours, 2),
                capacity_hours=round(r.capacity_hours, 2),
                ratio=r.value,
            )
            for r in ratios
        ],
        categories=[
            CategoryHours(category=c, hours=round(h, 2)) for c, h in model.top_categories(found)
        ],
        hours_saved=model.hours_saved_per_month(saved),
    )
