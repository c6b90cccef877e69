"""The rubric (`ninefold apply` writes the `readiness_levels:` section; the built-in one
while none is declared) and the scorecards of the services, judged on live records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ninefold.catalog import service as catalog
from ninefold.errors import NotFound
from ninefold.readiness import facts, model
from ninefold.readiness.schemas import CheckOut, LevelOut, LevelSpec, ScorecardOut
from ninefold.readiness.tables import ReadinessLevel


def level_rows(session: Session) -> list[ReadinessLevel]:
    return list(session.scalars(select(ReadinessLevel).order_by(ReadinessLevel.position)))


def level_spec(row: ReadinessLevel) -> LevelSpec:
    return LevelSpec(name=row.name, rules=row.rules, required_for_tiers=row.required_for_tiers)


def write_level(
    session: Session,
    spec: LevelSpec,
    managed_by: str,
    now: datetime,
    row: ReadinessLevel | None,
    position: int,
) -> ReadinessLevel:
    if row is None:
        row = ReadinessLevel(name=spec.name)
        session.add(row)
    row.position = position
    row.rules = list(spec.rules)
    row.required_for_tiers = list(spec.required_for_tiers)
    row.managed_by = managed_by
    row.touch(now)
    session.flush()
    return row


def levels(session: Session) -> list[model.Level]:
    """The declared levels, lowest first, or the built-in bronze, silver and gold."""
    rows = level_rows(session)
    if not rows:
        return list(model.DEFAULT_LEVELS)
    return [model.Level(r.name, tuple(r.rules), tuple(r.required_for_tiers)) for r in rows]


def level_outs(session: Session) -> list[LevelOut]:
    return [
        LevelOut(name=lv.name, rules=list(lv.rules), required_for_tiers=list(lv.required_for_tiers))
        for lv in levels(session)
    ]


def out(card: model.Scorecard) -> ScorecardOut:
    return ScorecardOut(
        service=card.service,
        tier=card.tier,
        level=card.level,
        required=card.required,
        meets_required=card.meets_required,
        passed=len(card.checks) - len(card.failing),
        rules=len(card.checks),
        checks=[
            CheckOut(
                rule=c.rule.key,
                title=c.rule.title,
                level=c.level,
                passed=c.result.passed,
                why=c.result.why,
                fix=c.rule.fix,
            )
            for c in card.checks
        ],
    )


def scorecards(
    session: Session, config_dir: Path, now: datetime, service: str | None = None
) -> list[model.Scorecard]:
    """Every service's scorecard (or `service`'s), by name."""
    if service is not None and catalog.find_service(session, service) is None:
        raise NotFound(f"no service named {service!r}")
    rubric = levels(session)
    return [
        model.scorecard(found, rubric)
        for found in facts.gather(session, config_dir, now)
        if service is None or found.service == service
    ]


def scorecard(session: Session, config_dir: Path, now: datetime, service: str) -> ScorecardOut:
    return out(scorecards(session, config_dir, now, service)[0])
