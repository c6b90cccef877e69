"""What time alone makes due: an action item past its due date reminds its owner, once per
due date; each team gets a weekly digest of its open action items and postmortems, on Monday
from 09:00 in the team's time zone, once per week. Both run in a periodic worker sweep and
are sent like every message of the domain (`messages`): once, or recorded as unreachable.

An item is overdue the day after its due date (UTC). An item without an owner, or an owner
without a contact method, leaves an `unreachable` message on the item, shown on the action
item lists, instead of a reminder no one gets.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.service import find_user
from ninefold.catalog import service as catalog
from ninefold.incidents import action_items, messages
from ninefold.incidents.tables import Incident, Postmortem
from ninefold.worker.runner import JobContext

JOB_SWEEP = "incident.reminders.sweep"
EVERY = timedelta(minutes=15)
DIGEST_AT = time(9, 0)
NO_OWNER = "(no owner)"


def remind_overdue(session: Session, now: datetime) -> int:
    """Plan the reminders of the items overdue now and not yet reminded for their due date;
    how many items were reminded."""
    count = 0
    for item in action_items.overdue(session, now.date()):
        if item.reminded_for == item.due:
            continue
        draft = messages.Draft(
            purpose="reminder",
            key=f"action-item-{item.id}-due-{item.due.isoformat()}",
            subject=f"Overdue action item #{item.id}: {item.title}",
            text=(
                f"The {item.kind} action item #{item.id} ({item.priority} priority) was due "
                f"on {item.due.isoformat()} and is still open: {item.title}."
                + (f"\nTracker: {item.url}" if item.url else "")
            ),
            links=(("Action items", f"/action-items?owner={item.owner or ''}"),),
            incident_id=item.incident_id,
            action_item_id=item.id,
        )
        owner = find_user(session, item.owner) if item.owner else None
        if owner is None:
            messages.plan(session, draft, [messages.Address(NO_OWNER, "", "", "")], now)
        else:
            messages.plan_for(session, draft, owner, now)
        item.reminded_for = item.due
        count += 1
    return count


def send_digests(session: Session, now: datetime) -> int:
    """Plan this week's digest for every team whose Monday 09:00 has come; how many teams got
    one (again: none, the keys are taken)."""
    sent = 0
    for team in catalog.all_teams(session):
        local = now.astimezone(ZoneInfo(team.time_zone))
        if local.weekday() != 0 or local.time() < DIGEST_AT:
            continue
        text = digest_text(session, team.name, now)
        if text is None:
            continue
        year, week, _ = local.isocalendar()
        draft = messages.Draft(
            purpose="digest",
            key=f"digest-{team.name}-{year}-W{week:02d}",
            subject=f"Weekly incident digest of {team.display_name or team.name}",
            text=text,
            links=(("Action items", f"/action-items?team={team.name}"),),
        )
        for member in team.members:
            user = find_user(session, member)
            if user is not None:
                member_draft = messages.Draft(**{**draft.__dict__, "key": f"{draft.key}-{member}"})
                messages.plan_for(session, member_draft, user, now)
        sent += 1
    return sent


def digest_text(session: Session, team: str, now: datetime) -> str | None:
    """The open action items of the team (overdue first) and its postmortems not yet
    reviewed; None when there is nothing to say."""
    items = action_items.list_items(session, now.date(), team=team, open_only=True)
    pending = session.execute(
        select(Incident.id, Incident.title, Postmortem.state)
        .join(Postmortem, Postmortem.incident_id == Incident.id)
        .where(Postmortem.state.in_(("draft", "in_review")))
        .order_by(Incident.id)
    ).all()
    mine = [
        (number, title, state)
        for number, title, state in pending
        if _team_of_incident(session, number) == team
    ]
    if not items and not mine:
        return None
    lines = [f"Open action items: {len(items)}, of which {sum(i.overdue for i in items)} overdue."]
    lines += [
        f"- #{i.id} {i.title} ({i.kind}, {i.owner or 'no owner'}, due {i.due.isoformat()}"
        + (", OVERDUE)" if i.overdue else ")")
        for i in items
    ]
    if mine:
        lines.append("Postmortems not yet reviewed:")
        lines += [f"- incident #{n} {t} ({s.replace('_', ' ')})" for n, t, s in mine]
    return "\n".join(lines)


def _team_of_incident(session: Session, incident_id: int) -> str | None:
    incident = session.get(Incident, incident_id)
    return None if incident is None else action_items.team_of(session, incident)


def sweep(ctx: JobContext) -> None:
    remind_overdue(ctx.session, ctx.now)
    send_digests(ctx.session, ctx.now)
