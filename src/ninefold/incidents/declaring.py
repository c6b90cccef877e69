"""The declare rules at work: a periodic sweep of the open alert groups that no incident has
taken, declaring for each the incident of the first rule it matches. The incident takes the
group, so a group declares once, whichever worker sweeps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ninefold.alerts import groups
from ninefold.alerts.service import ACKNOWLEDGED
from ninefold.auth.model import Principal, Role
from ninefold.catalog import service as catalog
from ninefold.conventions import SLO_LABEL_SLO
from ninefold.incidents import rules, service, settings
from ninefold.incidents.schemas import IncidentIn
from ninefold.paging.escalation import paged_groups
from ninefold.worker.runner import JobContext

JOB_SWEEP = "incident.rules.sweep"


def sweep(session: Session, now: datetime) -> list[int]:
    """Declare what the rules call for; the ids of the incidents declared."""
    declared_rules = settings.DECLARE_RULES.all(session)
    if not declared_rules:
        return []
    candidates = groups.open_since(session, now - rules.horizon(declared_rules))
    free = [g for g in candidates if g.id not in service.taken(session, [c.id for c in candidates])]
    paged = paged_groups(session, [g.id for g in free])
    tiers = {s.name: s.tier for s in catalog.all_services(session)}
    declared = []
    for group in free:
        facts = rules.GroupFacts(
            id=group.id,
            service=group.service,
            tier=tiers.get(group.service or ""),
            severity=group.severity,
            slo=SLO_LABEL_SLO in group.labels,
            opened_at=group.created_at,
            acknowledged=group.state == ACKNOWLEDGED,
            paged=group.id in paged,
        )
        rule = rules.first_match(declared_rules, facts, now)
        if rule is None:
            continue
        actor = Principal(name=f"rule:{rule.name}", role=Role.ADMIN, via="rule")
        body = IncidentIn(severity=rule.severity, groups=[group.id])
        declared.append(service.declare(session, actor, body, now, via=f"rule:{rule.name}").id)
    return declared


def sweep_job(ctx: JobContext) -> None:
    sweep(ctx.session, ctx.now)
