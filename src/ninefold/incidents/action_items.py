"""Action items: what an incident's postmortem commits the team to, each with a kind, an
owner, a priority, a due date (by default the severity's number of days after it was made)
and a status; listed per team and per owner, overdue ones first.

An item belongs to the team owning the incident's first impacted service (the team whose
calendar the postmortem is due in); an item without an incident (a DR test's follow-up)
names its team itself.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal, require_responder
from ninefold.auth.service import find_user
from ninefold.catalog import service as catalog
from ninefold.errors import Invalid, NotFound
from ninefold.incidents import settings
from ninefold.incidents.model import Severity
from ninefold.incidents.records import event, get_row
from ninefold.incidents.schemas import ActionItemIn, ActionItemOut, ActionItemPatch
from ninefold.incidents.tables import ActionItem, Incident, OutgoingMessage

OPEN = "open"


def out(row: ActionItem, today: date, reminder: OutgoingMessage | None = None) -> ActionItemOut:
    return ActionItemOut(
        id=row.id,
        incident_id=row.incident_id,
        kind=row.kind,
        title=row.title,
        owner=row.owner,
        team=row.team,
        priority=row.priority,
        due=row.due,
        status=row.status,
        url=row.url,
        closed_on=row.closed_on,
        overdue=row.status == OPEN and row.due < today,
        reminder=None if reminder is None else _said(reminder),
    )


def _said(message: OutgoingMessage) -> str:
    if message.status == "unreachable":
        return f"reminder not sent: {message.error}"
    return f"reminder {message.status} to {message.recipient} ({message.kind})"


def last_reminders(session: Session, item_ids: list[int]) -> dict[int, OutgoingMessage]:
    """The latest reminder of each item, to show what became of it."""
    if not item_ids:
        return {}
    rows = session.scalars(
        select(OutgoingMessage)
        .where(OutgoingMessage.action_item_id.in_(item_ids))
        .order_by(OutgoingMessage.id)
    )
    return {row.action_item_id: row for row in rows if row.action_item_id is not None}


def _check_owner(session: Session, owner: str | None) -> None:
    if owner is not None and find_user(session, owner) is None:
        raise Invalid(f"no user named {owner!r}", field="owner")


def team_of(session: Session, incident: Incident) -> str | None:
    return catalog.owning_team(session, incident.services[0]) if incident.services else None


def default_due(session: Session, incident: Incident, today: date) -> date:
    rule = settings.severities(session).get(Severity(incident.severity))
    days = rule.action_item_due_days if rule is not None else 30
    return today + timedelta(days=days)


FOLLOW_UP_DAYS = 30


def add(
    session: Session, actor: Principal, incident_id: int, body: ActionItemIn, now: datetime
) -> ActionItem:
    require_responder(actor, "add action items")
    incident = get_row(session, incident_id, lock=True)
    due = body.due or default_due(session, incident, now.date())
    row = _new(session, actor, incident.id, team_of(session, incident), body, due, now)
    event(session, incident, now, "action_item_added", actor.name, item=row.id, title=row.title)
    return row


def add_follow_up(
    session: Session, actor: Principal, team: str | None, body: ActionItemIn, now: datetime
) -> ActionItem:
    """An item no incident left (a DR test's follow-up): it names its team, and is due in
    `FOLLOW_UP_DAYS` unless given a date."""
    require_responder(actor, "add action items")
    due = body.due or now.date() + timedelta(days=FOLLOW_UP_DAYS)
    return _new(session, actor, None, team, body, due, now)


def _new(
    session: Session,
    actor: Principal,
    incident_id: int | None,
    team: str | None,
    body: ActionItemIn,
    due: date,
    now: datetime,
) -> ActionItem:
    _check_owner(session, body.owner)
    _check_url(body.url)
    row = ActionItem(
        incident_id=incident_id,
        kind=body.kind,
        title=body.title,
        owner=body.owner,
        team=team,
        priority=body.priority,
        due=due,
        status=OPEN,
        url=body.url,
        created_at=now,
        created_by=actor.name,
    )
    session.add(row)
    session.flush()
    return row


def _check_url(url: str | None) -> None:
    if url and not url.startswith(("https://", "http://")):
        raise Invalid("url must be an http(s) address of the tracker", field="url")


def get(session: Session, item_id: int) -> ActionItem:
    row = session.get(ActionItem, item_id)
    if row is None:
        raise NotFound(f"no action item {item_id}")
    return row


def update(
    session: Session, actor: Principal, item_id: int, body: ActionItemPatch, now: datetime
) -> ActionItem:
    """Change an item. Closing it (done or wontfix) records the date; reopening clears it;
    a new due date may be reminded of again."""
    require_responder(actor, "change action items")
    row = get(session, item_id)
    given = body.model_dump(exclude_unset=True)
    if "owner" in given:
        _check_owner(session, given["owner"])
    _check_url(given.get("url"))
    for name in ("title", "priority", "due", "status", "url"):
        if name in given and given[name] is None:
            raise Invalid(f"{name} cannot be null", field=name)
    for name, value in given.items():
        setattr(row, name, value)
    if "status" in given:
        row.closed_on = None if row.status == OPEN else now.date()
    if "due" in given:
        row.reminded_for = None
    return row


def list_items(
    session: Session,
    today: date,
    *,
    team: str | None = None,
    owner: str | None = None,
    incident_id: int | None = None,
    open_only: bool = False,
) -> list[ActionItemOut]:
    """Overdue first, then by due date."""
    query = select(ActionItem)
    if team is not None:
        query = query.where(ActionItem.team == team)
    if owner is not None:
        query = query.where(ActionItem.owner == owner)
    if incident_id is not None:
        query = query.where(ActionItem.incident_id == incident_id)
    if open_only:
        query = query.where(ActionItem.status == OPEN)
    rows = session.scalars(query.order_by(ActionItem.due, ActionItem.id)).all()
    said = last_reminders(session, [row.id for row in rows])
    found = [out(row, today, said.get(row.id)) for row in rows]
    return sorted(found, key=lambda i: (not i.overdue, i.due, i.id))


def listed(session: Session, ids: list[int], today: date) -> list[ActionItemOut]:
    """The items of `ids` (another domain's follow-ups), in the order they were made."""
    if not ids:
        return []
    rows = session.scalars(
        select(ActionItem).where(ActionItem.id.in_(ids)).order_by(ActionItem.id)
    ).all()
    said = last_reminders(session, [row.id for row in rows])
    return [out(row, today, said.get(row.id)) for row in rows]


def due_between(session: Session, since: date, until: date) -> list[ActionItem]:
    """Items due on a day in [since, until)."""
    query = select(ActionItem).where(ActionItem.due >= since, ActionItem.due < until)
    return list(session.scalars(query.order_by(ActionItem.id)))


def overdue(session: Session, today: date) -> list[ActionItem]:
    query = select(ActionItem).where(ActionItem.status == OPEN, ActionItem.due < today)
    return list(session.scalars(query.order_by(ActionItem.due, ActionItem.id)))
