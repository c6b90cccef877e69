"""Postmortems: a draft written from the incident, edited in the web UI or in Markdown,
reviewed, published; when one is required and by when.

Required when the severity says so (`severities[].postmortem: required`), or when the
incident used more than 20% of an SLO's error budget (the SRE workbook's error budget
policy). Due reviewed by the end of the severity's business days after the resolution, in
the calendar of the team owning the first impacted service (KPIS.md, postmortem
timeliness); late when reviewed after that, or not reviewed by then.

States: draft -> in review (with reviewers) -> reviewed (by one of them, or an admin) ->
published; in review or reviewed may go back to draft for changes. A published postmortem is
not edited any more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.auth.model import Principal, require_responder
from ninefold.auth.service import find_user
from ninefold.business_days import deadline
from ninefold.catalog import service as catalog
from ninefold.errors import Conflict, Forbidden, Invalid, NotFound
from ninefold.incidents import action_items, read, settings, timeline
from ninefold.incidents.model import Severity
from ninefold.incidents.postmortem import (
    SECTIONS,
    ActionItem,
    Document,
    ItemKind,
    completeness,
    from_markdown,
    to_markdown,
)
from ninefold.incidents.records import event, get_row
from ninefold.incidents.schemas import (
    ActionItemIn,
    ActionItemPatch,
    BurnOut,
    CompletenessOut,
    PostmortemEdit,
    PostmortemMove,
    PostmortemOut,
    SeveritySpec,
)
from ninefold.incidents.tables import ActionItem as ItemRow
from ninefold.incidents.tables import Incident, Postmortem
from ninefold.slos.incident_burn import Burn, Pricer

KEYS = {s.key for s in SECTIONS}
EDITABLE = ("draft", "in_review")
MOVES = {
    "draft": ("in_review",),
    "in_review": ("reviewed", "draft"),
    "reviewed": ("published", "draft"),
    "published": (),
}


def _minutes(value: float | None) -> str:
    if value is None:
        return "unknown"
    hours, minutes = divmod(round(value), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def burn_line(burn: BurnOut) -> str:
    days = f"{burn.period_days:g}-day"
    if burn.share is None:
        return f"- {burn.service}/{burn.slo}: not priced ({burn.why})"
    policy = " (more than 20%: the error budget policy requires a postmortem)"
    return (
        f"- This incident used {burn.share:.1%} of {burn.service}/{burn.slo}'s {days} error "
        f"budget: {burn.bad_events:,.0f} bad events of {burn.allowed_bad_events:,.0f} allowed"
        + (policy if burn.requires_postmortem else "")
    )


def burn_out(burn: Burn) -> BurnOut:
    return BurnOut(
        service=burn.service,
        slo=burn.slo,
        objective=burn.objective,
        period_days=burn.period.total_seconds() / 86400,
        bad_events=burn.bad,
        allowed_bad_events=burn.allowance,
        share=burn.share,
        requires_postmortem=burn.requires_postmortem,
        why=burn.why,
    )


def _draft_sections(
    session: Session, incident: Incident, budget: Sequence[BurnOut], now: datetime
) -> dict[str, str]:
    """The sections the incident fills: what happened, its impact with the budget burned, the
    pinned timeline with its changes and alerts; the blameless ones stay empty to be written."""
    shown = read.outs(session, [incident])[0]
    d = shown.derived
    impact = [
        f"- Services: {', '.join(incident.services) or 'none named'}",
        f"- Duration (impact start to resolution): {_minutes(d.time_to_recover)}",
        f"- Customer-impact minutes: {_minutes(d.customer_impact)}",
        f"- Time to detect {_minutes(d.time_to_detect)}, to acknowledge "
        f"{_minutes(d.time_to_acknowledge)}, to mitigate {_minutes(d.time_to_mitigate)}",
        *(burn_line(b) for b in budget),
    ]
    changes = timeline.linked_changes(session, incident, now)
    entries = timeline.entries(session, incident, now, changes)
    pinned = [e for e in entries if e.pinned] or [
        e for e in entries if e.ref.startswith("event:") and e.kind != "note"
    ]
    lines = [f"- {e.at:%Y-%m-%d %H:%M} UTC: {e.text}" for e in pinned]
    trigger = "".join(
        f"Change #{c.id} ({c.service} {c.version}, {c.finished_at:%Y-%m-%d %H:%M} UTC) is "
        f"linked as the cause: {c.cause}.\n"
        for c in changes
        if c.cause
    )
    others = [c for c in changes if not c.cause]
    if others:
        trigger += "\nOther changes around it:\n" + "\n".join(
            f"- #{c.id} {c.service} {c.version} to {c.environment}, {c.outcome}, "
            f"{c.finished_at:%Y-%m-%d %H:%M} UTC"
            for c in others
        )
    recurs = read.recurs(session, incident)
    root = (
        f"This incident repeats {', '.join(f'#{n}' for n in recurs)}: the same root cause "
        f"({incident.category}) on the same service in the 90 days before it.\n"
        if recurs
        else ""
    )
    alerts = groups.rows_by_id(session, timeline.linked_group_ids(session, incident.id))
    detection = "\n".join(
        f"- Alert group #{g.id} opened {g.created_at:%Y-%m-%d %H:%M} UTC: {g.title}"
        + (
            f" (acknowledged {g.acknowledged_at:%H:%M} by {g.acknowledged_by})"
            if g.acknowledged_at
            else ""
        )
        for g in alerts
    )
    return {
        "summary": incident.summary or f"{incident.title} ({incident.severity}).",
        "impact": "\n".join(impact),
        "root_causes": root,
        "trigger": trigger,
        "resolution": "",
        "detection": detection,
        "timeline": "\n".join(lines),
    }


def price(session: Session, pricer: Pricer, incident_id: int) -> list[Burn]:
    """The error budget the incident burned, per SLO of its services, over its effective
    impact window (none while the window is not known)."""
    incident = get_row(session, incident_id)
    window = read.outs(session, [incident])[0].effective
    if window.impact_start is None or window.impact_end is None:
        return []
    return pricer(incident.services, window.impact_start, window.impact_end)


def start(
    session: Session, actor: Principal, incident_id: int, now: datetime, burns: Sequence[Burn]
) -> Postmortem:
    """The draft, written from the incident as it stands; one per incident."""
    require_responder(actor, "start postmortems")
    incident = get_row(session, incident_id, lock=True)
    if session.get(Postmortem, incident_id) is not None:
        raise Conflict(f"incident {incident_id} has a postmortem already")
    budget = [burn_out(b) for b in burns]
    row = Postmortem(
        incident_id=incident.id,
        state="draft",
        title=f"Postmortem: {incident.title}",
        sections=_draft_sections(session, incident, budget, now),
        reviewers=[],
        budget=[b.model_dump() for b in budget],
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    event(session, incident, now, "postmortem_started", actor.name)
    return row


def exists(session: Session, incident_id: int) -> bool:
    return session.get(Postmortem, incident_id) is not None


def get(session: Session, incident_id: int) -> Postmortem:
    row = session.get(Postmortem, incident_id)
    if row is None:
        raise NotFound(f"incident {incident_id} has no postmortem yet")
    return row


def edit(
    session: Session, actor: Principal, incident_id: int, body: PostmortemEdit, now: datetime
) -> Postmortem:
    require_responder(actor, "edit postmortems")
    row = get(session, incident_id)
    if row.state not in EDITABLE:
        raise Conflict(f"the postmortem is {row.state}: move it back to draft to change it")
    unknown = sorted(set(body.sections) - KEYS)
    if unknown:
        raise Invalid(
            f"unknown section {unknown[0]!r}; sections: {', '.join(s.key for s in SECTIONS)}",
            field="sections",
        )
    if body.title is not None:
        row.title = body.title
    row.sections = {**row.sections, **body.sections}
    row.updated_at = now
    return row


def move(
    session: Session, actor: Principal, incident_id: int, body: PostmortemMove, now: datetime
) -> Postmortem:
    require_responder(actor, "review postmortems")
    row = get(session, incident_id)
    if body.state not in MOVES[row.state]:
        allowed = ", ".join(MOVES[row.state]) or "nothing"
        raise Conflict(
            f"a postmortem {row.state} moves to {allowed}, not {body.state}", field="state"
        )
    if body.state == "in_review":
        reviewers = body.reviewers if body.reviewers is not None else row.reviewers
        unknown = [n for n in reviewers if find_user(session, n) is None]
        if unknown:
            raise Invalid(f"no user named {unknown[0]!r}", field="reviewers")
        if not reviewers:
            raise Invalid("name at least one reviewer", field="reviewers")
        row.reviewers, row.in_review_at = list(reviewers), now
    elif body.state == "reviewed":
        if actor.name not in row.reviewers and not actor.is_admin:
            raise Forbidden(
                f"only a reviewer ({', '.join(row.reviewers)}) or an admin marks it reviewed"
            )
        row.reviewed_at, row.reviewed_by = now, actor.name
    elif body.state == "published":
        row.published_at = now
    else:
        row.in_review_at = row.reviewed_at = row.reviewed_by = None
    before, row.state, row.updated_at = row.state, body.state, now
    incident = get_row(session, incident_id)
    event(session, incident, now, "postmortem_moved", actor.name, before=before, after=body.state)
    return row


def _team_calendar(session: Session, incident: Incident) -> tuple[str, list[date]]:
    team_name = action_items.team_of(session, incident)
    team = catalog.find_team(session, team_name) if team_name else None
    if team is None:
        return "UTC", []
    return team.time_zone, [date.fromisoformat(d) for d in team.holidays]


def required_reasons(session: Session, incident: Incident, budget: Sequence[BurnOut]) -> list[str]:
    reasons = []
    rule = settings.severities(session).get(Severity(incident.severity))
    if rule is not None and rule.postmortem == "required":
        reasons.append(f"{incident.severity} requires a postmortem")
    reasons += [
        f"it used {b.share:.0%} of {b.service}/{b.slo}'s error budget (more than 20%)"
        for b in budget
        if b.requires_postmortem and b.share is not None
    ]
    return reasons


def due_at(session: Session, incident: Incident, required: bool) -> datetime | None:
    if not required:
        return None
    return _due(incident, settings.severities(session), _team_calendar(session, incident))


def _due(
    incident: Incident, rules: Mapping[Severity, SeveritySpec], calendar: tuple[str, list[date]]
) -> datetime | None:
    """The end of the severity's business days after resolution, in the owning team's zone
    and calendar."""
    if incident.resolved_at is None:
        return None
    rule = rules.get(Severity(incident.severity))
    days = rule.postmortem_due_business_days if rule is not None else 5
    return deadline(incident.resolved_at, days, *calendar)


def reviews(
    session: Session, incidents: Sequence[Incident]
) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Per incident: when its postmortem was reviewed, and its deadline when one is required
    (KPIS.md: every significant incident's). A few queries however many incidents: the KPIs
    ask for thousands at once."""
    query = select(Postmortem.incident_id, Postmortem.reviewed_at)
    reviewed = dict(session.execute(query.where(Postmortem.reviewed_at.is_not(None))).all())
    rules = settings.severities(session)
    owners = {s.name: s.owner for s in catalog.all_services(session)}
    calendars = {t.name: (t.time_zone, list(t.holidays)) for t in catalog.all_teams(session)}
    found = {}
    for row in incidents:
        team = owners.get(row.services[0]) if row.services else None
        calendar = calendars.get(team or "", ("UTC", []))
        required = Severity(row.severity).significant
        found[row.id] = (reviewed.get(row.id), _due(row, rules, calendar) if required else None)
    return found


def document(row: Postmortem, items: Sequence[ItemRow]) -> Document:
    return Document(
        row.title,
        dict(row.sections),
        tuple(
            ActionItem(ItemKind(i.kind), i.title, i.owner, i.due, i.priority, i.url or None)
            for i in items
        ),
    )


def _items(session: Session, incident_id: int) -> list[ItemRow]:
    query = select(ItemRow).where(ItemRow.incident_id == incident_id).order_by(ItemRow.id)
    return list(session.scalars(query))


def out(session: Session, incident_id: int, now: datetime) -> PostmortemOut:
    row = get(session, incident_id)
    incident = get_row(session, incident_id)
    items = _items(session, incident_id)
    budget = [BurnOut.model_validate(b) for b in row.budget]
    reasons = required_reasons(session, incident, budget)
    due = due_at(session, incident, bool(reasons))
    reviewed = row.reviewed_at
    # KPIS.md: reviewed *before* the deadline; at the deadline it is late.
    late = due is not None and (reviewed >= due if reviewed is not None else now >= due)
    score = completeness(document(row, items), Severity(incident.severity))
    return PostmortemOut(
        incident_id=incident_id,
        state=row.state,
        title=row.title,
        sections=dict(row.sections),
        reviewers=list(row.reviewers),
        required=reasons,
        due_at=due,
        late=late,
        completeness=CompletenessOut(score=score.score, missing=list(score.missing)),
        budget=budget,
        recurs=read.recurs(session, incident),
        created_at=row.created_at,
        updated_at=row.updated_at,
        in_review_at=row.in_review_at,
        reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by,
        published_at=row.published_at,
        items=[action_items.out(i, now.date()) for i in items],
    )


def export_markdown(session: Session, incident_id: int) -> str:
    row = get(session, incident_id)
    return to_markdown(document(row, _items(session, incident_id)), incident_id)


def import_markdown(
    session: Session, actor: Principal, incident_id: int, text: str, now: datetime
) -> Postmortem:
    """Replace the title and sections with the file's, and add or update its action items
    (matched by kind and title; items the file leaves out are kept). All or nothing: a file
    with a line that does not read changes nothing, and every such line is reported."""
    parsed, problems = from_markdown(text)
    if problems:
        raise Invalid("the postmortem does not read: " + "; ".join(map(str, problems)))
    for item in parsed.items:
        if item.owner is not None and find_user(session, item.owner) is None:
            raise Invalid(f"action item {item.title!r}: no user named {item.owner!r}")
    row = edit(
        session,
        actor,
        incident_id,
        PostmortemEdit(title=parsed.title, sections=dict(parsed.sections)),
        now,
    )
    known = {(i.kind, i.title): i for i in _items(session, incident_id)}
    for item in parsed.items:
        fields = {"owner": item.owner, "priority": item.priority or "medium", "url": item.url or ""}
        found = known.get((item.kind, item.title))
        if found is None:
            body = ActionItemIn(kind=item.kind, title=item.title, due=item.due, **fields)
            action_items.add(session, actor, incident_id, body, now)
        else:
            patch = ActionItemPatch(**fields, **({"due": item.due} if item.due else {}))
            action_items.update(session, actor, found.id, patch, now)
    return row
