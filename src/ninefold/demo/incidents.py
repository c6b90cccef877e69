"""Incidents for `ninefold demo`, one for each sample SLO incident of the last 90 days, told
the way a team would have lived them: declared a few minutes in, a commander from the owning
team, an update, mitigated when the sample burn stops, resolved a little later, linked by the
24-hour rule to the deploy the demo history ships before it, and to the fast-burn alert group
that paged for it (`demo.pages`). Older ones have a reviewed postmortem with closed action
items; the latest has a draft and open items, one overdue. As every incident of a service
has the same root cause, the later ones are flagged as recurrences.

Each has an id at its source (`demo:...`), so starting the demo again adds only new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ninefold.alerts import past
from ninefold.auth.model import Principal, Role
from ninefold.catalog import service as catalog
from ninefold.demo.pages import incident_key
from ninefold.incidents import action_items, postmortems, roles, service, updates
from ninefold.incidents.model import Severity, Status
from ninefold.incidents.schemas import (
    ActionItemIn,
    ActionItemPatch,
    IncidentIn,
    IncidentPatch,
    InstantsIn,
    PostmortemEdit,
    PostmortemMove,
    StatusIn,
)
from ninefold.settings import Settings
from ninefold.slos.incident_burn import Pricer
from ninefold.slos.sources.sample import INCIDENT_LENGTH, incident_starts

DAYS = 90
WRITTEN = {
    "root_causes": "The deploy changed how the service retries its database calls; under the "
    "evening peak the retries exhausted the connection pool.",
    "trigger": "The deploy shipped 20 minutes before the errors began.",
    "resolution": "Rolled back (or hot-fixed) the deploy; errors stopped within minutes.",
    "detection": "The SLO's fast-burn alert paged the on-call person.",
    "went_well": "The burn-rate alert paged within minutes; the rollback was one command.",
    "went_badly": "The canary stage did not carry evening-peak traffic.",
    "lucky": "It happened outside the sales campaign.",
    "lessons": "Load-test retry changes at peak traffic before shipping.",
}


def seed_incidents(
    session: Session, settings: Settings, now: datetime, slos: Sequence[tuple[str, str]]
) -> int:
    """Record the incidents not recorded yet; how many are new."""
    start = now - timedelta(days=DAYS)
    pricer = Pricer.of(settings)
    created = 0
    for svc, name in slos:
        if catalog.find_service(session, svc) is None:
            continue
        starts = incident_starts(svc, name, start, now - timedelta(hours=2))
        for number, began in enumerate(starts):
            key = incident_key(svc, name, began)
            if service.by_external_id(session, key) is not None:
                continue
            _live(session, pricer, svc, name, began, key, latest=number == len(starts) - 1)
            created += 1
    return created


def _live(
    session: Session,
    pricer: Pricer,
    svc: str,
    name: str,
    began: datetime,
    key: str,
    *,
    latest: bool,
) -> None:
    team = catalog.find_team(session, catalog.owning_team(session, svc) or "")
    people = sorted(m.user.name for m in team.members) if team else []
    commander = people[0] if people else None
    actor = Principal(commander or "demo", Role.ADMIN, "demo")
    tier = catalog.find_service(session, svc)
    severity = Severity.SEV2 if tier is not None and tier.tier == 0 else Severity.SEV3
    burn = past.by_external_id(session, key)  # its fast-burn alert group (demo.pages)
    body = IncidentIn(
        title=f"{svc}: {name} SLO burning fast after a deploy",
        severity=severity,
        services=[svc],
        impact_start=began,
        commander=commander,
        groups=[burn.id] if burn is not None else [],
    )
    row = service.declare(session, actor, body, began + timedelta(minutes=8))
    service.identify(row, key)
    at = began + timedelta(minutes=9)
    service.patch(session, actor, row.id, IncidentPatch(category="software-bug"), at)
    service.set_instants(
        session,
        actor,
        row.id,
        InstantsIn(
            detected=began + timedelta(minutes=3), acknowledged=began + timedelta(minutes=6)
        ),
        at,
    )
    if len(people) > 1:
        roles.assign(session, actor, row.id, "communications", people[1], at)
    text = f"{svc} fails for part of its requests since {began:%H:%M} UTC; we are rolling back."
    updates.post(session, actor, row.id, text, began + timedelta(minutes=15))
    ended = began + INCIDENT_LENGTH
    service.move(session, actor, row.id, StatusIn(status=Status.MONITORING), ended)
    service.move(
        session, actor, row.id, StatusIn(status=Status.RESOLVED), ended + timedelta(minutes=15)
    )
    _postmortem(session, pricer, actor, row.id, people, ended + timedelta(hours=2), latest)


def _postmortem(
    session: Session,
    pricer: Pricer,
    actor: Principal,
    incident_id: int,
    people: list[str],
    at: datetime,
    latest: bool,
) -> None:
    burns = postmortems.price(session, pricer, incident_id)
    postmortems.start(session, actor, incident_id, at, burns)
    owner = people[-1] if people else None
    items = (
        ActionItemIn(kind="detect", title="Alert on connection pool saturation", owner=owner),
        ActionItemIn(
            kind="prevent", title="Run canaries through the evening peak", owner=actor.name
        ),
    )
    added = [action_items.add(session, actor, incident_id, item, at) for item in items]
    if latest:
        # The latest one is being written: its first item already late.
        late = ActionItemPatch(due=(at - timedelta(days=1)).date())
        action_items.update(session, actor, added[0].id, late, at)
        return
    edit = PostmortemEdit(sections=WRITTEN)
    postmortems.edit(session, actor, incident_id, edit, at + timedelta(days=1))
    reviewers = [p for p in people if p != actor.name][:1] or [actor.name]
    moves = (
        PostmortemMove(state="in_review", reviewers=reviewers),
        PostmortemMove(state="reviewed"),
    )
    for offset, move in enumerate(moves, start=2):
        postmortems.move(session, actor, incident_id, move, at + timedelta(days=offset))
    for item in added:
        done = ActionItemPatch(status="done")
        action_items.update(session, actor, item.id, done, at + timedelta(days=10))
