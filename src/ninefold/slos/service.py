"""Use cases of the SLO domain that touch the database: recording gate decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.auth.model import Principal
from ninefold.slos.gate.decide import Decision
from ninefold.slos.tables import GateDecision


def record_decision(
    session: Session, actor: Principal, decision: Decision, labels: set[str], at: datetime
) -> GateDecision:
    row = GateDecision(
        at=at,
        service=decision.service,
        verdict=decision.verdict,
        exception=decision.exception,
        labels=sorted(labels),
        reasons=list(decision.reasons),
        evidence=decision.evidence,
        actor=actor.name,
    )
    session.add(row)
    session.flush()
    return row


def recent_decisions(session: Session, service: str, limit: int = 10) -> list[GateDecision]:
    query = (
        select(GateDecision)
        .where(GateDecision.service == service)
        .order_by(GateDecision.at.desc(), GateDecision.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
